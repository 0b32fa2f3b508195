import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCoprServer, type CoprContractServer } from '../support/copr-server/copr-contract-server.js';
import { makeCoprHome } from '../support/copr-server/kplay-cli.js';
import { makeFixtureRepo } from '../support/fixture-repo.js';
import { fakeKernelTarball, WIREGUARD_SYMBOL } from '../support/release-server/fake-kernel-tarball.js';
import { runKplay } from '../support/run-kplay.js';

/**
 * `kplay matrix --submit --copr` through the built CLI: a 2 variants × 2 bases matrix with three
 * green cells and one broken one. Each green cell's SRPM is built on its own base (real rpmbuild,
 * its %prep run), the three go to the local Copr stand-in as ONE batch, each build is watched, and
 * the one Copr fails is named by its cell. The broken cell is named and not sent.
 */
const LOGIN = 'kplaybot=login==';
const TOKEN = 'tkn-77aa0b1c2d3e4f5a6b7c8d9e0f1a2b3c';
const USER = 'kplaybot';
const RAWHIDE = 'fedora-rawhide-x86_64';
// what a vanilla SRPM's %prep runs in the tarball's top folder
const PREP_RULES = 'defconfig:\n\techo "# tiny" > .config\nolddefconfig:\n\t@true\n';

const variant = (name: string, feature: string) =>
  [
    `name: ${name}`,
    `summary: kernel ${name}`,
    'base:',
    '  kind: vanilla',
    '  version: "6.6.10"',
    '  config:',
    '    x86_64: defconfig',
    'arches: [x86_64]',
    `features: [${feature}]`,
    'changelog:',
    '  - { date: "2026-11-20", author: "A <a@b.c>", text: "first" }',
    '',
  ].join('\n');

let server: CoprContractServer;
let root: string;
let home: string;

beforeAll(async () => {
  server = await startCoprServer({ login: LOGIN, token: TOKEN, user: USER });
  home = await makeCoprHome(server.url, LOGIN, TOKEN, USER);
  root = await makeFixtureRepo({
    'variants/a.yml': variant('a', 'net'),
    'variants/b.yml': variant('b', 'wg'),
    'features/net/feature.yml': 'summary: networking\n',
    'features/net/config': 'CONFIG_NET=y\n',
    'features/wg/feature.yml': 'summary: wireguard\n',
    'features/wg/config': 'CONFIG_WIREGUARD=m\n',
    // WireGuard is in 6.6.10 only: b × 6.6.11 is broken
    'dl/linux-6.6.10.tar.xz': await fakeKernelTarball('6.6.10', { WIREGUARD: WIREGUARD_SYMBOL }, PREP_RULES),
    'dl/linux-6.6.11.tar.xz': await fakeKernelTarball('6.6.11', {}, PREP_RULES),
    '.cache/.keep': '',
  });
});
afterAll(async () => {
  await server.stop();
});

const env = () => ({
  HOME: home,
  KPLAY_CACHE_DIR: path.join(root, '.cache'),
  KPLAY_POLL_INTERVAL_MS: '5',
  KPLAY_RETRY_BASE_MS: '5',
  KPLAY_COPR_RETRIES: '2',
});
const matrixArgs = [
  'matrix',
  'variants/a.yml',
  'variants/b.yml',
  '--base',
  '6.6.10=dl/linux-6.6.10.tar.xz',
  '--base',
  '6.6.11=dl/linux-6.6.11.tar.xz',
  '--out',
  'out/matrix',
];

describe('kplay matrix --submit --copr (CLI, local Copr stand-in)', () => {
  it('three green cells: one batch, three builds each watched, the failing cell named; the broken cell is not sent', async () => {
    server.packageScripts.set('kernel-b', { outcome: 'failed' });
    const r = await runKplay([...matrixArgs, '--submit', '--copr', `${USER}/kernel-matrix`, '--chroot', RAWHIDE, '--wait'], {
      cwd: root,
      env: env(),
      cleanEnv: true,
      timeout: 300_000,
    });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.stderr).toContain('cell b × 6.6.11: not submitted (broken; only green cells are)');

    // one SRPM per green cell, each built on its own base release
    const uploads = server.uploads();
    expect(uploads.map((u) => u.parts!.find((p) => p.name === 'pkgs')!.filename).sort()).toEqual([
      'kernel-a-6.6.10-1.src.rpm',
      'kernel-a-6.6.11-1.src.rpm',
      'kernel-b-6.6.10-1.src.rpm',
    ]);
    // one batch: the first a plain build, the other two join it (with_build_id)
    const json = uploads.map((u) => JSON.parse(u.parts!.find((p) => p.name === 'json')!.text!) as Record<string, unknown>);
    const ids = [...server.builds.keys()];
    expect(ids).toHaveLength(3);
    expect(json[0]!.with_build_id).toBeUndefined();
    expect(json.slice(1).map((j) => j.with_build_id)).toEqual([ids[0], ids[0]]);
    expect(new Set(ids.map((id) => server.builds.get(id)!.batch)).size).toBe(1);

    // each watched to its end; the failure is named by its cell, the others are not
    for (const id of ids) expect(r.stderr).toMatch(new RegExp(`watching cell [ab] × 6\\.6\\.1[01]: Copr build ${id}\\n`));
    const failed = [...server.builds.values()].find((b) => b.pkgName === 'kernel-b')!;
    expect(r.stderr).toContain(`error E_COPR_BUILD_FAILED: matrix cell b × 6.6.10: Copr build ${failed.id} did not succeed`);
    expect(r.stderr).not.toMatch(/matrix cell a × /);
    expect(r.exitCode).toBe(1);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  }, 400_000);

  it('--submit without --copr, and --copr without --submit, exit 2 naming the flag', async () => {
    const noService = await runKplay([...matrixArgs, '--submit'], { cwd: root, env: env(), cleanEnv: true });
    expect(noService.exitCode).toBe(2);
    expect(noService.stderr).toContain('--submit sends the green cells to Copr: give --copr [owner/project]');
    const noSubmit = await runKplay([...matrixArgs, '--copr', `${USER}/x`], { cwd: root, env: env(), cleanEnv: true });
    expect(noSubmit.exitCode).toBe(2);
    expect(noSubmit.stderr).toContain('--copr, --dry-run and --sources-dir go with --submit');
    expect(server.uploads()).toHaveLength(3); // nothing more was sent
  });
});
