import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSrpm } from '../../../src/rpm/build-srpm.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The built CLI (`npm run build` / `npm test` make it). */
export const KPLAY_BIN = path.join(repoRoot, 'dist', 'cli', 'main.js');
export const HELLO_FIXTURE = path.join(repoRoot, 'test', 'fixtures', 'copr', 'hello');

export interface KplayRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Run the real kplay CLI with `env` added to a clean environment (no terminal: plain progress). */
export async function runKplay(args: string[], env: Record<string, string>, cwd?: string): Promise<KplayRun> {
  if (!existsSync(KPLAY_BIN)) throw new Error(`${KPLAY_BIN} is missing: run npm run build first`);
  const r = await execa('node', [KPLAY_BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', LC_ALL: 'C', NO_COLOR: '1', ...env },
    extendEnv: false,
    reject: false,
    cwd,
    timeout: 60_000,
    stdin: 'ignore',
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/**
 * A temporary HOME whose ~/.config/copr points at `coprUrl` with these credentials. The test
 * server speaks plain http, which copr-cli (and kplay) refuse unless `encrypted = False`.
 */
export async function makeCoprHome(coprUrl: string, login: string, token: string, user: string): Promise<string> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'kplay-copr-home-'));
  await mkdir(path.join(home, '.config'), { recursive: true });
  await writeFile(
    path.join(home, '.config', 'copr'),
    `[copr-cli]\nlogin = ${login}\nusername = ${user}\ntoken = ${token}\ncopr_url = ${coprUrl}\nencrypted = False\n# expiration date: 2099-01-01\n`,
  );
  return home;
}

/** The fixture's SRPM, built with the real rpmbuild -bs into `outDir`. */
export function buildHelloSrpm(outDir: string): Promise<string> {
  return buildSrpm({ specFile: path.join(HELLO_FIXTURE, 'kplay-hello.spec'), sourceDir: HELLO_FIXTURE, outDir });
}
