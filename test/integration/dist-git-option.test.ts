import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFixtureRepo, ROOT_OF_REPO } from '../support/fixture-repo.js';
import { fakeKernelTarball, WIREGUARD_SYMBOL } from '../support/release-server/fake-kernel-tarball.js';
import { runKplay } from '../support/run-kplay.js';

// An overlay variant whose dist-git is a git URL nobody can reach here: `--dist-git DIR` must
// take its place in matrix cells (as it does for compose), or every overlay cell would fail offline.
const OVERLAY = [
  'name: fedora-wg',
  'summary: Fedora kernel with WireGuard',
  'base:',
  '  kind: fedora',
  '  dist-git:',
  '    url: https://src.invalid/rpms/kernel.git',
  '    ref: f43',
  'arches: [x86_64]',
  'features: [wg]',
  'buildid: .wg',
  '',
].join('\n');

describe('--dist-git on matrix and explain', () => {
  let root: string;
  beforeAll(async () => {
    root = await makeFixtureRepo({
      'variants/fedora-wg.yml': OVERLAY,
      'features/wg/feature.yml': 'summary: wg\n',
      'features/wg/config': 'CONFIG_WIREGUARD=m\n',
    });
    await writeFile(path.join(root, 'linux-6.17.7.tar.xz'), await fakeKernelTarball('6.17.7', { WIREGUARD: WIREGUARD_SYMBOL }));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('composes overlay cells from the local dist-git instead of the variant URL', async () => {
    const distGit = path.join(ROOT_OF_REPO, 'test/fixtures/dist-git/fedora-6.17');
    const args = ['matrix', 'variants/fedora-wg.yml', '--base', 'dist:6.17.7-200.fc43=linux-6.17.7.tar.xz', '--out', 'out/m'];
    const r = await runKplay([...args, '--dist-git', distGit], { cwd: root });
    const report = JSON.parse(await readFile(path.join(root, 'out/m/matrix.json'), 'utf8')) as {
      cells: Array<{ status: string; checks: Record<string, string>; features: Record<string, { status: string; codes: string[] }> }>;
    };
    const cell = report.cells[0]!;
    expect(r.exitCode, r.stderr).toBe(0);
    expect(cell.features.wg!.status).toBe('ok');
    // the config was resolved on the column's tree: the check ran, it was not skipped
    expect(cell.checks.kconfig).toMatch(/^resolved like make olddefconfig on .*linux-6\.17\.7\.tar\.xz/);
    // without it, the same cell reaches for the variant's URL and fails, naming it
    const offline = await runKplay(args, { cwd: root, env: { GIT_TERMINAL_PROMPT: '0' } });
    expect(offline.exitCode).not.toBe(0);
    const again = JSON.parse(await readFile(path.join(root, 'out/m/matrix.json'), 'utf8')) as typeof report;
    expect(JSON.stringify(again.cells[0]!.features)).toMatch(/src\.invalid/);
  });

  it('explains a symbol of an overlay in its config Source, as the distribution resolves it', async () => {
    const distGit = path.join(ROOT_OF_REPO, 'test/fixtures/dist-git/fedora-6.17');
    const args = ['explain', 'variants/fedora-wg.yml', 'CONFIG_WIREGUARD', '--kernel-source', 'linux-6.17.7.tar.xz', '--dist-git', distGit];
    const r = await runKplay(args, { cwd: root });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/CONFIG_WIREGUARD=m/);
    expect(r.stdout).toMatch(/features\/wg\/config:1/); // who asked, with file:line
    expect(r.stdout).toMatch(/in kernel-x86_64-fedora\.config, the distribution's x86_64 config Source/);
    const json = JSON.parse((await runKplay([...args, '--json'], { cwd: root })).stdout) as { configSource: string };
    expect(json.configSource).toBe('kernel-x86_64-fedora.config');
    // an arch the variant does not build is a usage error naming the arches it does
    const bad = await runKplay([...args, '--arch', 'aarch64'], { cwd: root });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/--arch aarch64: the variant builds x86_64/);
  });
});
