import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildSrpm } from '../../../src/rpm/build-srpm.js';
import { ROOT_OF_REPO } from '../paths.js';
import { tempDir } from '../temp-dir.js';

/** The Copr fixture package (a tiny spec and its source). */
export const HELLO_FIXTURE = path.join(ROOT_OF_REPO, 'test', 'fixtures', 'copr', 'hello');

/**
 * A temporary HOME whose ~/.config/copr points at `coprUrl` with these credentials. The test
 * server speaks plain http, which copr-cli (and kplay) refuse unless `encrypted = False`.
 * Removed after the test file.
 */
export async function makeCoprHome(coprUrl: string, login: string, token: string, user: string): Promise<string> {
  const home = await tempDir('kplay-copr-home-');
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
