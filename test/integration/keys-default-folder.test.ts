import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKplay } from '../support/run-kplay.js';

/**
 * `kplay keys new` without --dir writes into the user's data folder (XDG), not into the working
 * folder (usually the variant repository), and its enrolment text tells distribution kernels
 * (.platform keyring) from kernel.org kernels (built-in keys only).
 */
let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'kplay-keys-default-'));
  await mkdir(path.join(work, 'repo'));
  await execa('git', ['init', '-q'], { cwd: path.join(work, 'repo') });
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('kplay keys new without --dir', () => {
  it('writes to $XDG_DATA_HOME/kplay/keys, else ~/.local/share/kplay/keys, never the repository', async () => {
    const xdg = path.join(work, 'xdg');
    const r = await runKplay(['keys', 'new', '--days', '2'], {
      cwd: path.join(work, 'repo'),
      cleanEnv: true,
      env: { HOME: path.join(work, 'home'), XDG_DATA_HOME: xdg },
    });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect((await stat(path.join(xdg, 'kplay', 'keys', 'kplay-sig.key.pem'))).mode & 0o777).toBe(0o600);
    expect(existsSync(path.join(work, 'repo', 'kplay-sig.key.pem'))).toBe(false);
    // the enrolment text: the platform keyring is a distribution patch; kernel.org needs built-in keys
    expect(r.stdout).toMatch(/distribution kernels .* \.platform keyring: there the enrolled key is enough for modules/);
    expect(r.stdout).toMatch(/a kernel\.org kernel does not: .*CONFIG_SYSTEM_TRUSTED_KEYS/);

    const h = await runKplay(['keys', 'new', '--days', '2', '--name', 'home'], {
      cwd: path.join(work, 'repo'),
      cleanEnv: true,
      env: { HOME: path.join(work, 'home') },
    });
    expect(h.exitCode).toBe(0);
    expect(existsSync(path.join(work, 'home', '.local', 'share', 'kplay', 'keys', 'home.crt.pem'))).toBe(true);

    const none = await runKplay(['keys', 'new', '--days', '2'], { cwd: path.join(work, 'repo'), cleanEnv: true, env: {} });
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toBe('kplay: error: kplay keys new: HOME is not set, so there is no default key folder: give --dir');
  });
});
