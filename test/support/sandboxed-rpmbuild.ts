import { runSandboxed } from '../../src/sandbox/index.js';

/**
 * `rpmbuild ARGS` in kplay's sandbox (src/sandbox/): the spec's %build compiles module code, and
 * every compile of module code runs there, in the tests as in kplay. Only `writable` (the test's
 * folder, holding _topdir) can be written; no network; a fixed SOURCE_DATE_EPOCH. Never throws on
 * a failed build: the caller asserts on `exitCode` and shows `all`.
 */
export async function rpmbuildSandboxed(args: readonly string[], writable: string): Promise<{ exitCode: number | null; all: string }> {
  const r = await runSandboxed({
    argv: ['rpmbuild', ...args],
    cwd: writable,
    writable: [writable],
    env: { SOURCE_DATE_EPOCH: '1796040000' },
    timeoutMs: 10 * 60_000,
  });
  return { exitCode: r.exitCode, all: `${r.stdout}\n${r.stderr}` };
}
