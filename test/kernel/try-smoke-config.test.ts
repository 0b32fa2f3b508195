import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyResolved } from '../../src/kconfig/verify-config.js';
import type { ConfigRequest } from '../../src/model/types.js';
import { BOOT_NEEDS, resolveSmokeConfig } from '../../src/try/smoke-config.js';
import { extractedKernelTree, LINUX_612_TARBALL } from '../support/kernel-tree.js';
import { KERNELS, kernelTree, requireKernel, TIER_CACHE } from './kconfig-oracle.js';

const K612 = KERNELS[1];

function request(symbol: string, value: 'y' | 'm' | 'n', line: number): ConfigRequest {
  return {
    symbol,
    value: { type: 'tristate', value },
    where: { file: 'features/x/feature.yml', line, col: 3 },
    origin: { kind: 'feature', name: 'x' },
  };
}

describe('kplay try: the smoke config on Linux 6.12', () => {
  it("is tinyconfig + kvm_guest.config + the boot needs + the features' values, and the kernel's own conf agrees", async () => {
    requireKernel(K612);
    const tree = await kernelTree(K612, 'x86_64');
    const full = await extractedKernelTree(LINUX_612_TARBALL);
    const read = (rel: string) => readFileSync(path.join(full, rel), 'latin1');
    const smoke = resolveSmokeConfig(tree, 'x86_64', [request('OVERLAY_FS', 'm', 10), request('WIREGUARD', 'm', 11)], read);
    expect(smoke.findings).toEqual([]);
    expect(smoke.from).toEqual([
      'kernel/configs/tiny-base.config',
      'kernel/configs/tiny.config',
      'arch/x86/configs/tiny.config',
      'kernel/configs/kvm_guest.config',
    ]);
    const v = smoke.resolved.values;
    for (const sym of Object.keys(BOOT_NEEDS)) expect([sym, v.get(sym)]).toEqual([sym, 'y']);
    expect(v.get('OVERLAY_FS')).toBe('m');
    expect(v.get('WIREGUARD')).toBe('m');
    expect(v.get('KVM_GUEST')).toBe('y'); // kvm_guest.config
    expect(v.get('VIRTIO_BLK')).toBe('y');
    // tiny: what defconfig has and the smoke kernel does not need stays off
    for (const off of ['EXT4_FS', 'USB_SUPPORT', 'SOUND', 'DRM_I915', 'IPV6']) expect([off, v.get(off) ?? 'n']).toEqual([off, 'n']);
    expect(smoke.resolved.configText.match(/=y$/gm)!.length).toBeLessThan(800);
    // the oracle: the tree's own conf --olddefconfig leaves the engine's config as it is
    const ref = await verifyResolved(tree, smoke.resolved, TIER_CACHE);
    expect(ref.findings).toEqual([]);
  });

  it('a requested value the smoke config cannot keep is the usual finding, at the line that asked for it', async () => {
    const tree = await kernelTree(K612, 'x86_64');
    const full = await extractedKernelTree(LINUX_612_TARBALL);
    const read = (rel: string) => readFileSync(path.join(full, rel), 'latin1');
    // ext4's security labels need ext4, which tinyconfig leaves off and nobody asked for
    const smoke = resolveSmokeConfig(tree, 'x86_64', [request('EXT4_FS_SECURITY', 'y', 7)], read);
    expect(smoke.findings).toHaveLength(1);
    expect(smoke.findings[0]).toMatchObject({ severity: 'error', where: { file: 'features/x/feature.yml', line: 7 }, arch: 'x86_64' });
    expect(smoke.findings[0]!.message).toMatch(/EXT4_FS_SECURITY/);
  });
});
