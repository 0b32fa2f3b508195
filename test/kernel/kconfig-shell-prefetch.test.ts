import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadKconfigTree, loadKconfigTreeSync } from '../../src/kconfig/load-kconfig-tree.js';
import { resolveConfig } from '../../src/kconfig/resolve-config.js';
import { debianConfig, firstDifferences, KERNELS, kernelTree, oracle, requireKernel } from './kconfig-oracle.js';

/**
 * The cold path with nothing memoised (a new toolchain): the prefetching first pass on Linux
 * 6.12's real Kconfig starts exactly the commands a one-by-one parse runs, and the result is the
 * kernel's own conf --olddefconfig on Debian's amd64 config.
 */
const K612 = KERNELS[1];
const work = mkdtempSync(path.join(os.tmpdir(), 'kplay-prefetch-kernel-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function memoisedCommands(cacheDir: string): string[] {
  const dir = path.join(cacheDir, 'kconfig-shell');
  return readdirSync(dir).flatMap((f) => Object.keys(JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as object));
}

describe('shell prefetch on a real tree', () => {
  it('Linux 6.12 x86_64: same commands as one by one, and the same .config as the kernel’s conf', async () => {
    requireKernel(K612);
    const subset = await kernelTree(K612, 'x86_64');
    subset.ensureOnDisk(); // a plain folder: nothing from the tier's caches is reused
    const fastCache = path.join(work, 'fast');
    const slowCache = path.join(work, 'slow');
    const fast = await loadKconfigTree({ source: subset.root, arch: 'x86_64', cacheDir: fastCache });
    const slow = loadKconfigTreeSync({
      label: subset.root,
      root: subset.root,
      arch: 'x86_64',
      srcarch: 'x86',
      makeArch: 'x86_64',
      cacheDir: slowCache,
    });
    const started = memoisedCommands(fastCache).sort();
    expect(started.length).toBeGreaterThan(50);
    expect(started).toEqual(memoisedCommands(slowCache).sort());
    // spawned counts both passes' runs: a few commands ran twice (needed at once while also in the background)
    expect(fast.spawnedCommands).toBeGreaterThanOrEqual(started.length);
    expect(fast.spawnedCommands).toBeLessThan(started.length * 1.3);

    const base = debianConfig(K612);
    const ours = resolveConfig(fast, { base, requests: [] }).configText;
    expect(ours).toBe(resolveConfig(slow, { base, requests: [] }).configText);
    const reference = await oracle(subset, { mode: 'olddefconfig', input: base });
    expect(firstDifferences(reference, ours)).toBeUndefined();
  });
});
