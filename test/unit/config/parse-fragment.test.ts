import { describe, expect, it } from 'vitest';
import { formatConfigLine, parseConfigValue } from '../../../src/config/config-value.js';
import { parseFragment } from '../../../src/config/parse-fragment.js';

const origin = { kind: 'feature' as const, name: 'f' };

describe('config fragments', () => {
  it('reads the kernel syntax with line numbers', () => {
    const text = ['# comment', 'CONFIG_A=y', '# CONFIG_B is not set', '', 'CONFIG_C="hello \\"x\\""', 'CONFIG_D=0x1f', 'CONFIG_E=-3'].join(
      '\n',
    );
    const { requests, findings } = parseFragment(text, 'frag', origin);
    expect(findings).toEqual([]);
    expect(requests.map((r) => [r.symbol, r.value.type, r.value.value, r.where.line])).toEqual([
      ['A', 'tristate', 'y', 2],
      ['B', 'tristate', 'n', 3],
      ['C', 'string', 'hello "x"', 5],
      ['D', 'hex', '0x1f', 6],
      ['E', 'int', '-3', 7],
    ]);
  });

  it('reports unreadable lines at their line', () => {
    const { findings } = parseFragment('CONFIG_A=y\nCONFIG_B = y\nCONFIG_C=maybe\n', 'frag', origin);
    expect(findings.map((f) => [f.code, f.where?.line])).toEqual([
      ['E_FRAGMENT_SYNTAX', 2],
      ['E_CONFIG_VALUE', 3],
    ]);
    expect(findings[0]!.hint).toMatch(/no spaces around =/);
  });

  it('warns about a symbol set twice and keeps the later value', () => {
    const { requests, findings } = parseFragment('CONFIG_A=y\nCONFIG_A=m\n', 'frag', origin);
    expect(findings.map((f) => f.code)).toEqual(['W_FRAGMENT_DUPLICATE']);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.value.value).toBe('m');
  });

  it('writes n as "is not set" and round-trips strings', () => {
    expect(formatConfigLine('X', { type: 'tristate', value: 'n' })).toBe('# CONFIG_X is not set');
    const line = formatConfigLine('S', { type: 'string', value: 'a "q" \\ b' });
    expect(parseConfigValue(line.slice('CONFIG_S='.length)).value).toEqual({ type: 'string', value: 'a "q" \\ b' });
  });
});

describe('fragment style', () => {
  it('warns about CONFIG_X=n and still reads it as n', () => {
    const { requests, findings } = parseFragment('CONFIG_A=n\n', 'frag', origin);
    expect(findings.map((f) => [f.code, f.where?.line])).toEqual([['W_FRAGMENT_N', 1]]);
    expect(requests[0]!.value).toEqual({ type: 'tristate', value: 'n' });
  });
});
