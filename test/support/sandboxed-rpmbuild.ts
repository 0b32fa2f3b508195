import { runSandboxed } from '../../src/sandbox/run-sandboxed.js';

/**
 * A command that compiles module code (`rpmbuild` of a kmod spec, `make M=`), run in kplay's
 * sandbox (src/sandbox/): every compile of module code runs there, in the tests as in kplay.
 * Only `writable` (the test's folder) can be written; no network; a fixed SOURCE_DATE_EPOCH.
 * Never throws on a failed command: the caller asserts on `exitCode` and shows `all`.
 */
export async function runSandboxedBuild(argv: readonly string[], writable: string): Promise<{ exitCode: number | null; all: string }> {
  const r = await runSandboxed({
    argv: [...argv],
    cwd: writable,
    writable: [writable],
    env: { SOURCE_DATE_EPOCH: '1796040000' },
    timeoutMs: 10 * 60_000,
  });
  return { exitCode: r.exitCode, all: `${r.stdout}\n${r.stderr}` };
}

/** `rpmbuild ARGS` in the sandbox (see runSandboxedBuild). */
export function rpmbuildSandboxed(args: readonly string[], writable: string): Promise<{ exitCode: number | null; all: string }> {
  return runSandboxedBuild(['rpmbuild', ...args], writable);
}
