import { describe, expect, it } from 'vitest';
import { itExhaustive } from '../support/exhaustive.js';
import { loadKconfigTree } from '../../src/kconfig/load-kconfig-tree.js';
import { resolveConfig } from '../../src/kconfig/resolve-config.js';
import { verifyResolved } from '../../src/kconfig/verify-config.js';
import { KERNEL_TIER_KPLAY_CACHE, LINUX_612_TARBALL, requireSystemFile } from '../support/kernel-tree.js';

/**
 * `toolchain: 'dummy-tools'`: the Kconfig engine answers compiler probes like a distribution's
 * process_configs.sh (`make CROSS_COMPILE=scripts/dummy-tools/ olddefconfig`), by running the
 * tree's own scripts/dummy-tools. On this x86_64 Debian host without an aarch64 toolchain, the
 * host toolchain cannot assemble ARMv8.4 instructions, so `AS_HAS_ARMV8_4` and with it `KVM` are
 * lost; with dummy-tools they survive, whatever the host. The kernel's own conf (built from the
 * tree, run with the same environment) is the oracle for the whole resolve.
 *
 * Default run: the dummy-tools resolve and its conf cross-check (one aarch64 tree). The
 * exhaustive run adds the control with the host toolchain (a second aarch64 tree and its
 * compiler probes: ~45 s on a loaded machine, more with cold caches).
 */
const CACHE = KERNEL_TIER_KPLAY_CACHE;

describe('dummy-tools toolchain (Linux 6.12, aarch64)', () => {
  it("CC_VERSION_TEXT and the version macros are dummy-tools', KVM and the toolchain-probed options survive, and the kernel's own conf agrees", async () => {
    requireSystemFile(LINUX_612_TARBALL);
    const tree = await loadKconfigTree({ source: LINUX_612_TARBALL, arch: 'aarch64', toolchain: 'dummy-tools', cacheDir: CACHE });
    expect(tree.env.CC_VERSION_TEXT).toBe('gcc (scripts/dummy-tools/gcc)');
    expect(tree.env.CC).toMatch(/\/scripts\/dummy-tools\/gcc$/);
    const base = [
      'CONFIG_VIRTUALIZATION=y',
      'CONFIG_KVM=y',
      'CONFIG_ARM64_PTR_AUTH=y',
      'CONFIG_ARM64_PTR_AUTH_KERNEL=y',
      'CONFIG_ARM64_MTE=y',
      'CONFIG_ARM64_TLB_RANGE=y',
      'CONFIG_GCC_PLUGINS=y',
      '',
    ].join('\n');
    const r = resolveConfig(tree, { base, requests: [] });
    const v = (s: string) => r.values.get(s);
    expect(v('CC_IS_GCC')).toBe('y');
    expect(v('GCC_VERSION')).toBe('200000'); // dummy gcc emulates GCC 20.0.0
    expect(v('AS_VERSION')).toBe('25000'); // "GNU assembler (scripts/dummy-tools) 2.50"
    expect(v('LD_VERSION')).toBe('25000');
    expect(v('AS_HAS_ARMV8_4')).toBe('y');
    expect(v('KVM')).toBe('y');
    expect(v('ARM64_PTR_AUTH_KERNEL')).toBe('y');
    expect(v('ARM64_MTE')).toBe('y');
    expect(v('ARM64_TLB_RANGE')).toBe('y');
    expect(v('GCC_PLUGINS')).toBe('y'); // dummy-plugin-dir/include/plugin-version.h is found
    expect(r.configText).toContain('CONFIG_CC_VERSION_TEXT="gcc (scripts/dummy-tools/gcc)"');
    const checked = await verifyResolved(tree, r, CACHE);
    expect(checked.findings).toEqual([]);
  }, 600_000);

  itExhaustive(
    'the host toolchain of this machine loses AS_HAS_ARMV8_4 (what the issue saw): the two modes really differ',
    async () => {
      requireSystemFile(LINUX_612_TARBALL);
      const host = await loadKconfigTree({ source: LINUX_612_TARBALL, arch: 'aarch64', cacheDir: CACHE });
      expect(host.env.CC_VERSION_TEXT).not.toBe('gcc (scripts/dummy-tools/gcc)');
      const r = resolveConfig(host, { base: 'CONFIG_VIRTUALIZATION=y\nCONFIG_KVM=y\n', requests: [] });
      // an x86_64 host gcc/as cannot assemble ARMv8.4: the probe fails (an aarch64 host would pass it)
      if (process.arch === 'x64') expect(r.values.get('AS_HAS_ARMV8_4')).not.toBe('y');
      expect(r.values.get('GCC_VERSION')).not.toBe('200000');
    },
    600_000,
  );
});
