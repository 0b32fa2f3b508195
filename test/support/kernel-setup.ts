/**
 * Vitest global setup of the kernel project (vitest.config.ts): starts extracting the kernel
 * trees the kernel tier uses into the persistent cache (test/support/kernel-tree.ts) as soon as
 * the run starts, without waiting, so the unit and integration tiers run meanwhile. Test files
 * that call extractedKernelTree() wait on the same lock; teardown awaits the extraction.
 * Nothing happens when the trees are already cached.
 */
import { extractedKernelTree, LINUX_612_TARBALL, LINUX_61_TARBALL } from './kernel-tree.js';

export default function setup(): () => Promise<void> {
  // one after the other: two xz streams at once would take both cores from the other tiers
  const extraction = (async () => {
    for (const t of [LINUX_61_TARBALL, LINUX_612_TARBALL]) await extractedKernelTree(t);
  })().catch((e: unknown) => {
    // the test files that need the tree report it (naming the Debian package); do not fail twice here
    return e;
  });
  return async () => {
    await extraction;
  };
}
