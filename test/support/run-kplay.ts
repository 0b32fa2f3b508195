import { execa } from 'execa';
import { KPLAY_BIN } from './fixture-repo.js';

/** Run the built CLI like a user would; never throws on a non-zero exit. */
export async function runKplay(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const r = await execa('node', [KPLAY_BIN, ...args], {
    cwd: opts.cwd,
    env: { NO_COLOR: '1', ...opts.env },
    reject: false,
    stdin: 'ignore',
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}
