import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFixtureRepo } from '../support/fixture-repo.js';
import { fakeKernelTarball, WIREGUARD_SYMBOL } from '../support/release-server/fake-kernel-tarball.js';
import { startReleaseServer, type ReleaseServer } from '../support/release-server/release-server.js';
import { runKplay } from '../support/run-kplay.js';
import { tempDir } from '../support/temp-dir.js';

const VARIANT = `# yaml-language-server: $schema=../schemas/variant.schema.json
# A tracked variant: comments like this one must survive a bump.
name: tracked
summary: tracked kernel
base:
  kind: vanilla
  version: "6.6.10" # the release we build
  source:
    url: https://cdn.kernel.org/pub/linux/kernel/v6.x/linux-6.6.10.tar.xz
  config:
    x86_64: defconfig
arches: [x86_64]
features:
  - wg   # WireGuard
`;

let server: ReleaseServer;
let green: Record<string, Buffer>;
let env: Record<string, string>;

beforeAll(async () => {
  server = await startReleaseServer();
  green = {
    '6.6.10': await fakeKernelTarball('6.6.10', { WIREGUARD: WIREGUARD_SYMBOL }),
    '6.6.12': await fakeKernelTarball('6.6.12', { WIREGUARD: WIREGUARD_SYMBOL }),
    '6.7.5': await fakeKernelTarball('6.7.5', { WIREGUARD: WIREGUARD_SYMBOL }),
  };
  const cache = await tempDir('kplay-track-cache-');
  env = { KPLAY_RELEASES_URL: server.releasesUrl, KPLAY_KERNEL_CDN: server.cdn, KPLAY_CACHE_DIR: cache };
});
afterAll(async () => server?.close());

async function repo(): Promise<string> {
  return makeFixtureRepo({
    'variants/tracked.yml': VARIANT,
    'features/wg/feature.yml': 'summary: WireGuard\nkernel: ">=5.6"\nconfig:\n  CONFIG_WIREGUARD: m\n',
  });
}

describe('kplay track against a local kernel.org', () => {
  it('bumps a variant on a green release, keeping its comments, then is a no-op', async () => {
    server.publish(
      [
        { version: '6.8-rc3', moniker: 'mainline' },
        { version: '6.7.5', moniker: 'stable', tarball: green['6.7.5'] },
        { version: '6.6.12', moniker: 'longterm', tarball: green['6.6.12'] },
        { version: '6.6.10', moniker: 'longterm', tarball: green['6.6.10'] },
      ],
      '6.7.5',
    );
    const root = await repo();
    const file = path.join(root, 'variants/tracked.yml');
    const r = await runKplay(['track', file, '--json'], { cwd: root, env });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.exitCode).toBe(3);
    const result = JSON.parse(r.stdout) as { outcome: string; current: string; release: string; follow: string };
    expect(result).toMatchObject({ outcome: 'bumped', current: '6.6.10', release: '6.6.12', follow: '6.6.x' });

    const text = await readFile(file, 'utf8');
    const sha = (await import('node:crypto')).createHash('sha256').update(green['6.6.12']!).digest('hex');
    expect(text).toContain('version: "6.6.12" # the release we build');
    expect(text).toContain('# A tracked variant: comments like this one must survive a bump.');
    expect(text).toContain('  - wg   # WireGuard');
    expect(text).toContain(`url: ${server.cdn}/v6.x/linux-6.6.12.tar.xz`);
    expect(text).toContain(`sha256: ${sha}`);
    // nothing else changed: the same lines but the two rewritten and the one added
    const before = VARIANT.split('\n');
    const after = text.split('\n');
    expect(after.length).toBe(before.length + 1);
    expect(after.filter((l) => !before.includes(l)).length).toBe(3);

    const state = JSON.parse(await readFile(path.join(root, '.kplay/track-state.json'), 'utf8')) as {
      variants: Record<string, { lastSeen: string }>;
    };
    expect(state.variants.tracked!.lastSeen).toBe('6.6.12');

    const again = await runKplay(['track', file], { cwd: root, env });
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toMatch(/up to date/);
    expect(await readFile(file, 'utf8')).toBe(text);
  });

  it('leaves the variant alone when the new release breaks a feature, and says which', async () => {
    const broken = await fakeKernelTarball('6.6.13', {}); // WireGuard gone from this tree
    server.publish(
      [
        { version: '6.7.5', moniker: 'stable', tarball: green['6.7.5'] },
        { version: '6.6.13', moniker: 'longterm', tarball: broken },
        { version: '6.6.10', moniker: 'longterm', tarball: green['6.6.10'] },
      ],
      '6.7.5',
    );
    const root = await repo();
    const file = path.join(root, 'variants/tracked.yml');
    const r = await runKplay(['track', file], { cwd: root, env });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/6\.6\.10 -> 6\.6\.13/);
    expect(r.stdout).toMatch(/wg: ok -> broken \(\+E_KCONFIG_\w+\)/);
    expect(r.stderr).toMatch(/error E_KCONFIG_\w+/);
    expect(await readFile(file, 'utf8')).toBe(VARIANT);
  });

  it('follows latest-stable when asked, and --dry-run writes nothing', async () => {
    server.publish(
      [
        { version: '6.7.5', moniker: 'stable', tarball: green['6.7.5'] },
        { version: '6.6.10', moniker: 'longterm', tarball: green['6.6.10'] },
      ],
      '6.7.5',
    );
    const root = await repo();
    const file = path.join(root, 'variants/tracked.yml');
    const r = await runKplay(['track', file, '--follow', 'latest-stable', '--dry-run'], { cwd: root, env });
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toMatch(/6\.6\.10 -> 6\.7\.5 \(latest-stable\)/);
    expect(r.stdout).toMatch(/--dry-run/);
    expect(await readFile(file, 'utf8')).toBe(VARIANT);
  });

  it('matrix resolves latest-stable from the list and refuses a mainline rc without a published checksum', async () => {
    server.publish(
      [
        { version: '6.8-rc3', moniker: 'mainline' },
        { version: '6.7.5', moniker: 'stable', tarball: green['6.7.5'] },
        { version: '6.6.10', moniker: 'longterm', tarball: green['6.6.10'] },
      ],
      '6.7.5',
    );
    const root = await repo();
    const out = path.join(root, 'out/matrix');
    const r = await runKplay(['matrix', 'variants/tracked.yml', '--base', 'latest-stable', '--base', 'longterm', '--out', out], {
      cwd: root,
      env,
    });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(await readFile(path.join(out, 'matrix.json'), 'utf8')) as {
      bases: Array<{ spec: string; version: string }>;
      cells: Array<{ status: string }>;
    };
    expect(report.bases.map((b) => `${b.spec}=${b.version}`)).toEqual(['latest-stable=6.7.5', 'longterm=6.6.10']);
    expect(report.cells.map((c) => c.status)).toEqual(['ok', 'ok']);

    const rc = await runKplay(['matrix', 'variants/tracked.yml', '--base', 'mainline'], { cwd: root, env });
    expect(rc.exitCode).toBe(2);
    expect(rc.stderr).toMatch(/no checksum for linux-6\.8-rc3/);
  });
});
