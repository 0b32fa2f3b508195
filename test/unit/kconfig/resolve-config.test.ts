import { describe, expect, it } from 'vitest';
import { explainSymbol, formatExplanation } from '../../../src/kconfig/explain-symbol.js';
import { resolveConfig } from '../../../src/kconfig/resolve-config.js';
import { fakeTree, request } from './fake-tree.js';

const KCONFIG = `
config MODULES
	bool "modules"
	modules
	default y
config NET
	bool "net"
	default y
config INET
	bool "inet"
	depends on NET
	default y
config WIREGUARD
	tristate "wireguard"
	depends on NET && INET
	select CRYPTO
config CRYPTO
	tristate "crypto"
config BIG
	bool "big"
	select CRYPTO
config INTERNAL
	bool
choice
	prompt "compression"
config GZIP
	bool "gzip"
config XZ
	bool "xz"
endchoice
config LEN
	int "len"
	range 1 10
	default 4
`;

describe('resolveConfig findings', () => {
  const tree = fakeTree({ Kconfig: KCONFIG });

  it('gives one E_KCONFIG_UNMET for WIREGUARD naming the feature line that disabled NET', () => {
    const r = resolveConfig(tree, {
      base: 'CONFIG_NET=y\nCONFIG_INET=y\n',
      requests: [request('WIREGUARD', 'm', 'wireguard', 7), request('NET', 'n', 'tiny', 12)],
    });
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.code).toBe('E_KCONFIG_UNMET');
    expect(f.where).toEqual({ file: 'features/wireguard/config', line: 7, col: 1 });
    expect(f.feature).toBe('wireguard');
    expect(f.message).toContain('depends on NET && INET');
    expect(f.related).toContainEqual({
      message: 'CONFIG_NET=n set by feature tiny',
      where: { file: 'features/tiny/config', line: 12, col: 1 },
    });
    expect(r.values.get('WIREGUARD')).toBeUndefined();
  });

  it('warns when m is promoted to y by a select, unless the request accepts it', () => {
    const base = 'CONFIG_BIG=y\n';
    const warned = resolveConfig(tree, { base, baseFile: 'base.config', requests: [request('CRYPTO', 'm')] });
    expect(warned.findings.map((f) => f.code)).toEqual(['W_KCONFIG_PROMOTED']);
    expect(warned.findings[0]!.message).toContain('selected by BIG=y');
    expect(warned.findings[0]!.related).toContainEqual({
      message: 'CONFIG_BIG=y set by base config',
      where: { file: 'base.config', line: 1, col: 0 },
    });
    const accepted = resolveConfig(tree, { base, requests: [request('CRYPTO', 'm', 'feat', 1, { acceptPromotion: true })] });
    expect(accepted.findings).toEqual([]);
  });

  it('reports unknown symbols with close names, choice conflicts and impossible values', () => {
    const r = resolveConfig(tree, {
      base: '',
      requests: [
        request('WIREGAURD', 'y', 'typo', 1),
        request('GZIP', 'y', 'a', 2),
        request('XZ', 'y', 'b', 3),
        request('INTERNAL', 'y', 'c', 4),
        request('CRYPTO', 'n', 'd', 5),
        request('BIG', 'y', 'e', 6),
        request('LEN', { type: 'int', value: '50' }, 'f', 7),
        request('NET', 'm', 'g', 8),
      ],
    });
    const byCode = Object.fromEntries(r.findings.map((f) => [f.where!.line, f]));
    expect(byCode[1]).toMatchObject({ code: 'E_KCONFIG_UNKNOWN', hint: 'did you mean CONFIG_WIREGUARD?' });
    expect(byCode[2]).toMatchObject({ code: 'E_KCONFIG_CHOICE' });
    expect(byCode[2]!.related![0]!.where.line).toBe(3);
    expect(byCode[3]).toBeUndefined();
    expect(byCode[4]).toMatchObject({ code: 'E_KCONFIG_UNMET' });
    expect(byCode[4]!.message).toContain('has no prompt');
    expect(byCode[5]).toMatchObject({ code: 'E_KCONFIG_UNMET' });
    expect(byCode[5]!.message).toContain('selected by BIG=y');
    expect(byCode[7]).toMatchObject({ code: 'E_KCONFIG_UNMET' });
    expect(byCode[7]!.message).toContain('out of range 1..10');
    expect(byCode[8]).toMatchObject({ code: 'E_KCONFIG_TYPE' });
    expect(r.findings).toHaveLength(6);
  });

  it('does not report base values that were lost', () => {
    const r = resolveConfig(tree, { base: 'CONFIG_WIREGUARD=m\n# CONFIG_NET is not set\nCONFIG_NOPE=y\n', requests: [] });
    expect(r.findings).toEqual([]);
  });

  it('explains a value with its chain of selects and setters', () => {
    const requests = [request('BIG', 'y', 'big', 3)];
    const r = resolveConfig(tree, { base: '', requests });
    const x = explainSymbol(tree, r, 'CONFIG_CRYPTO', requests);
    expect(x.value).toBe('y');
    expect(x.reason).toBe('y because it is selected by BIG=y');
    expect(x.selectedBy.find((s) => s.symbol === 'BIG')!.setBy).toMatchObject({ by: 'feature big' });
    // a later resolve does not change what an earlier result explains
    resolveConfig(tree, { base: '', requests: [] });
    expect(explainSymbol(tree, r, 'CRYPTO').value).toBe('y');
    expect(formatExplanation(explainSymbol(tree, r, 'CRYPTOO'))).toContain('did you mean CONFIG_CRYPTO?');
  });
});
