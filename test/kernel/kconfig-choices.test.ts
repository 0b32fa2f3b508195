import { describe, expect, it } from 'vitest';
import { explainSymbol, formatExplanation } from '../../src/kconfig/explain-symbol.js';
import { requestsFromFragment } from '../../src/kconfig/fragment-requests.js';
import { assignmentsFromConfigText, olddefconfig } from '../../src/kconfig/olddefconfig.js';
import { resolveConfig } from '../../src/kconfig/resolve-config.js';
import { debianConfig, firstDifferences, KERNELS, kernelTree, oracle, requireKernel } from './kconfig-oracle.js';

/**
 * The choice cases of issue 13 on Debian's Linux 6.12 (the 6.11 choice rework): what the kernel's
 * own conf does with members set to "is not set", checked against it and explained the 6.12 way.
 */
const K612 = KERNELS[1];
const origin = { kind: 'feature' as const, name: 'frag' };

async function resolveCase(arch: 'x86_64' | 'aarch64', fragment: string) {
  requireKernel(K612);
  const tree = await kernelTree(K612, arch);
  const base = debianConfig(K612);
  const resolved = resolveConfig(tree, { base, baseFile: 'config.amd64', requests: requestsFromFragment(fragment, 'frag.config', origin) });
  const reference = await oracle(tree, { mode: 'olddefconfig', input: base + fragment });
  return { tree, resolved, reference };
}

describe('Linux 6.12 choices (conf --olddefconfig semantics)', () => {
  it('a fragment turning CC_OPTIMIZE_FOR_PERFORMANCE off selects CC_OPTIMIZE_FOR_SIZE, with no false finding', async () => {
    const { tree, resolved, reference } = await resolveCase('x86_64', '# CONFIG_CC_OPTIMIZE_FOR_PERFORMANCE is not set\n');
    expect(tree.dialect.choices).toBe('menu');
    expect(resolved.values.get('CC_OPTIMIZE_FOR_SIZE')).toBe('y');
    expect(resolved.values.get('CC_OPTIMIZE_FOR_PERFORMANCE')).toBe('n');
    expect(resolved.findings).toEqual([]);
    expect(firstDifferences(reference, resolved.configText)).toBeUndefined();
    // the same line appended to the config itself
    const appended = olddefconfig(
      tree,
      assignmentsFromConfigText(`${debianConfig(K612)}# CONFIG_CC_OPTIMIZE_FOR_PERFORMANCE is not set\n`),
    ).configText;
    expect(appended).toContain('CONFIG_CC_OPTIMIZE_FOR_SIZE=y');
    const x = explainSymbol(tree, resolved, 'CONFIG_CC_OPTIMIZE_FOR_SIZE');
    // Debian's config says "# CONFIG_CC_OPTIMIZE_FOR_SIZE is not set" too: both members are n, and
    // 6.12 keeps the one read earliest
    expect(x.reason).toMatch(
      /every visible member is set to n; a choice needs one, so CC_OPTIMIZE_FOR_SIZE, the one set to n earliest \(set by base config at config.amd64:\d+\), stays y/,
    );
    expect(formatExplanation(x)).toMatch(
      /member of choice "Compiler optimization level" \(selected: CC_OPTIMIZE_FOR_SIZE; every visible member/,
    );
  });

  it('every kernel compression member "is not set" except LZO, which has no line: LZO is selected', async () => {
    const members = ['GZIP', 'BZIP2', 'LZMA', 'XZ', 'LZ4', 'ZSTD'];
    const fragment = members.map((m) => `# CONFIG_KERNEL_${m} is not set\n`).join('');
    const { tree, resolved, reference } = await resolveCase('x86_64', fragment);
    expect(resolved.values.get('KERNEL_LZO')).toBe('y');
    expect(resolved.values.get('KERNEL_GZIP')).toBe('n');
    expect(resolved.findings).toEqual([]);
    expect(firstDifferences(reference, resolved.configText)).toBeUndefined();
    expect(explainSymbol(tree, resolved, 'KERNEL_GZIP').reason).toMatch(/selects KERNEL_LZO/);
  });

  it('every member "is not set": the member set to n earliest stays y, and the request that lost says why', async () => {
    const fragment = ['GZIP', 'BZIP2', 'LZMA', 'XZ', 'LZO', 'LZ4', 'ZSTD'].map((m) => `# CONFIG_KERNEL_${m} is not set\n`).join('');
    const { resolved, reference } = await resolveCase('x86_64', fragment);
    expect(firstDifferences(reference, resolved.configText)).toBeUndefined();
    const kept = [...resolved.values].filter(
      ([k, v]) => k.startsWith('KERNEL_') && /^(GZIP|BZIP2|LZMA|XZ|LZO|LZ4|ZSTD)$/.test(k.slice(7)) && v === 'y',
    );
    expect(kept).toHaveLength(1);
    const f = resolved.findings.find((x) => x.message.includes(`CONFIG_${kept[0]![0]}=n`));
    expect(f?.code).toBe('E_KCONFIG_UNMET');
    expect(f?.message).toMatch(/every visible member is set to n/);
  });

  it('arm64: a page size member "is not set" moves the page size and what depends on it', async () => {
    const { resolved, reference } = await resolveCase(
      'aarch64',
      '# CONFIG_ARM64_4K_PAGES is not set\n# CONFIG_ARM64_VA_BITS_48 is not set\n',
    );
    expect(firstDifferences(reference, resolved.configText)).toBeUndefined();
    expect(resolved.values.get('ARM64_4K_PAGES')).toBe('n');
    expect(resolved.values.get('ARM64_16K_PAGES')).toBe('y');
    expect(reference).toContain(`CONFIG_PGTABLE_LEVELS=${resolved.values.get('PGTABLE_LEVELS')}`);
  });
});
