/**
 * `kplay kmm`: file and variant names reaching the Containerfile, build-images.sh, systemd units
 * and Ignition fields are tokens or refused (issue 24). A variant file named
 * `variants/x\nRUN touch <canary>\n#.yml` used to put a real RUN line into the Containerfile.
 * ~3 s (three CLI runs).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderContainerfile } from '../../src/kmm/containerfile.js';
import { canaryFired, canaryPath, cleanupRepos, hostileRepo, runKplay, snapshotTree } from './support/hostile-repo.js';

afterAll(cleanupRepos);

const kmodVariant = (name: string) => `name: ${name}
type: kmod
summary: a module
kmod:
  kernel-version: "5.14.0-570.el9"
  source:
    url: https://sources.stream.centos.org/sources/rpms/kernel/linux-5.14.0-570.el9.tar.xz
    topdir: linux-5.14.0-570.el9
  modules:
    wireguard: [drivers/net/wireguard]
arches: [x86_64]
features: [wireguard]
`;

const FEATURE = { 'features/wireguard/feature.yml': 'summary: WireGuard\nkernel: ">=5.6"\nconfig:\n  CONFIG_WIREGUARD: m\n' };

function kmm(root: string, variant: string) {
  return runKplay(['kmm', variant, '--image', 'quay.io/example/wg', '--kernel', '5.14.0-570.el9', '--role', 'worker'], { cwd: root });
}

describe('kplay kmm names (E_KMM_NAME, exit 2, nothing written)', () => {
  it('a variant file name holding a newline and RUN: refused, no Containerfile, no canary', async () => {
    const canary = canaryPath('kmm');
    const file = `variants/x\nRUN touch ${canary}\n#.yml`;
    const root = await hostileRepo({ ...FEATURE, 'variants/ok.yml': kmodVariant('kmod-wireguard') });
    // the slashes of the canary's path make folders: variants/x\nRUN touch /…/kplay-canary-…\n#.yml
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), kmodVariant('kmod-wireguard'));
    const before = await snapshotTree(root);
    const r = await kmm(root, file);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /error E_KMM_NAME: the variant file name "variants\/x\\nRUN touch .*" cannot be written into the Containerfile/,
    );
    expect(r.stderr).not.toMatch(/internal error/);
    expect(await snapshotTree(root)).toEqual(before);
    expect(canaryFired(canary)).toBe(false);
  });

  it("the name kmod- (module '') is refused", async () => {
    const root = await hostileRepo({ ...FEATURE, 'variants/k.yml': kmodVariant('kmod-') });
    const before = await snapshotTree(root);
    const r = await kmm(root, 'variants/k.yml');
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/error E_KMM_NAME: the kmod name '' \(from the variant name 'kmod-'\) is not a module name/);
    expect(await snapshotTree(root)).toEqual(before);
  });

  it('the Containerfile boundary throws on a value that is not one token', () => {
    const ok = {
      kmodName: 'wg',
      builderImage: 'quay.io/c/c:9',
      finalImage: 'quay.io/c/c:9-minimal',
      variantFile: 'variants/k.yml',
      kplayVersion: '0.1.0',
    };
    expect(renderContainerfile(ok)).toMatch(/^COPY kmod-wg-\*\.src\.rpm \/build\/$/m);
    for (const bad of ['a\nRUN x', 'a b', 'a"b', '$(x)', 'a\\b', 'a`b'])
      for (const key of Object.keys(ok)) expect(() => renderContainerfile({ ...ok, [key]: bad }), `${key}=${bad}`).toThrow(/not a token/);
  });
});
