/**
 * `kplay doctor` on a machine where tools are missing (an empty PATH) and a Copr token others can
 * read: exit 1, the one install command for this distribution, a chmod hint, and never a byte of
 * the token. On the test machine itself (setup installed everything) it exits 0.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runKplay } from '../support/run-kplay.js';
import { tempDir } from '../support/temp-dir.js';

describe('kplay doctor', () => {
  it('names what is missing, prints the install command, and never prints a credential', async () => {
    const home = await tempDir('kplay-doctor-home-');
    await mkdir(path.join(home, '.config'), { recursive: true });
    await writeFile(path.join(home, '.config', 'copr'), '[copr-cli]\nlogin = me\ntoken = SECRET-TOKEN-123\n');
    await chmod(path.join(home, '.config', 'copr'), 0o644);
    const empty = await tempDir('kplay-doctor-path-');
    const r = await runKplay(['doctor'], { cleanEnv: true, env: { PATH: empty, HOME: home } });
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/✖ sandbox \(bubblewrap\) — missing bwrap/);
    const install = r.stdout.split('\n').find((l) => /^ {2}(sudo )?apt-get install -y /.test(l)) ?? '';
    expect(install.split(' ')).toEqual(expect.arrayContaining(['bubblewrap', 'rpm', 'qemu-system-x86']));
    expect(r.stdout).toContain('chmod 600 ~/.config/copr');
    expect(r.stdout + r.stderr).not.toContain('SECRET-TOKEN');
    const j = await runKplay(['doctor', '--json'], { cleanEnv: true, env: { PATH: empty, HOME: home } });
    const report = JSON.parse(j.stdout) as { requirements: Array<{ name: string; ok: boolean }>; install: string };
    expect(report.requirements.find((x) => x.name === 'rpm build tools')?.ok).toBe(false);
    expect(report.install).toContain('bubblewrap');
    expect(j.stdout).not.toContain('SECRET-TOKEN');
  });

  it('exits 0 on a machine that has every required tool', async () => {
    const r = await runKplay(['doctor']);
    expect(r.stdout).toContain('✔ rpm build tools');
    expect(r.exitCode, r.stdout).toBe(0);
  });
});
