import { execa } from 'execa';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { KPLAY_BIN, ROOT_OF_REPO } from './paths.js';

export { KPLAY_BIN } from './paths.js';

export interface KplayRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunKplayOptions {
  /** Working folder (default: the test process's). */
  cwd?: string;
  /** Variables added to the environment (or, with `cleanEnv`, the whole environment but PATH, TMPDIR, LC_ALL). */
  env?: Record<string, string>;
  /**
   * Start from an empty environment: only PATH, TMPDIR, LC_ALL=C and NO_COLOR=1, then `env`
   * (which may replace any of them). For tests that must not see the developer's HOME or tokens.
   */
  cleanEnv?: boolean;
  /** Kill kplay after this many milliseconds (the run then fails with exit code -1). */
  timeout?: number;
}

/**
 * Run the built CLI like a user would, with the same Node that runs the tests (so a PATH without
 * node works); never throws on a non-zero exit. Without a terminal, progress is plain text.
 */
export async function runKplay(args: string[], opts: RunKplayOptions = {}): Promise<KplayRun> {
  if (!existsSync(KPLAY_BIN)) throw new Error(`${KPLAY_BIN} is missing: run npm run build first`);
  const base: Record<string, string> = opts.cleanEnv
    ? { PATH: process.env.PATH ?? '', LC_ALL: 'C', ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}) }
    : {};
  const r = await execa(process.execPath, [KPLAY_BIN, ...args], {
    cwd: opts.cwd,
    env: { ...base, NO_COLOR: '1', ...opts.env },
    extendEnv: !opts.cleanEnv,
    reject: false,
    stdin: 'ignore',
    timeout: opts.timeout,
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }
  return newest;
}

/** True when dist/ is missing or older than some file of src/. */
export function kplayBuildIsStale(): boolean {
  let built: number;
  try {
    built = statSync(KPLAY_BIN).mtimeMs;
  } catch {
    return true;
  }
  return built < newestMtime(path.join(ROOT_OF_REPO, 'src'));
}

/** Build dist/ when it is missing or older than src/ (the CLI tests run the built kplay). */
export async function ensureKplayBuilt(): Promise<void> {
  if (!kplayBuildIsStale()) return;
  await execa(process.execPath, [path.join(ROOT_OF_REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
    cwd: ROOT_OF_REPO,
  });
}
