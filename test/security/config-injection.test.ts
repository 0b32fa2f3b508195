import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { composeVariant } from '../../src/compose/compose-variant.js';
import { formatConfigLine } from '../../src/config/config-value.js';
import { cleanupRepos, hostileRepo, snapshotTree, vanillaVariant } from './support/hostile-repo.js';

afterAll(cleanupRepos);

async function compose(files: Record<string, string | Buffer>) {
  const root = await hostileRepo(files);
  const before = await snapshotTree(root);
  const r = await composeVariant(path.join(root, 'variants/v.yml'), { root });
  return { r, codes: r.findings.filter((f) => f.severity === 'error').map((f) => f.code), unchanged: JSON.stringify([...before]) === JSON.stringify([...(await snapshotTree(root))]) };
}

describe('a Kconfig string value cannot add a second config line (E_CONFIG_VALUE)', () => {
  const values: Array<[string, string]> = [
    ['newline', '"y\\nCONFIG_EVIL=y"'],
    ['carriage return', '"y\\rCONFIG_EVIL=y"'],
    ['NUL', '"y\\0CONFIG_EVIL=y"'],
    ['escape', '"y\\eX"'],
    ['line separator', '"y\\u2028CONFIG_EVIL=y"'],
    ['paragraph separator', '"y\\u2029CONFIG_EVIL=y"'],
    ['block literal', '|\n    y\n    CONFIG_EVIL=y'],
  ];
  it.each(values)('in the variant: a %s is refused at the value, nothing written', async (_name, yaml) => {
    const { r, codes, unchanged } = await compose({ 'variants/v.yml': vanillaVariant([`config:`, `  CONFIG_CMDLINE: ${yaml}`]) });
    expect(codes).toEqual(['E_CONFIG_VALUE']);
    expect(r.findings[0]!.where).toMatchObject({ line: 9, col: 19 });
    expect(r.exitCode).toBe(2);
    expect(unchanged).toBe(true);
  });

  it('in a feature.yml and in a config fragment (CR, NUL, U+2028 inside the quotes)', async () => {
    const a = await compose({ 'variants/v.yml': vanillaVariant([], { features: ['f'] }), 'features/f/feature.yml': 'summary: f\nconfig:\n  CONFIG_CMDLINE: "a\\nCONFIG_EVIL=y"\n' });
    expect(a.codes).toEqual(['E_CONFIG_VALUE']);
    for (const bad of ['\r', '\0', '\u2028', '\x1b']) {
      const b = await compose({ 'variants/v.yml': vanillaVariant([], { features: ['f'] }), 'features/f/feature.yml': 'summary: f\n', 'features/f/config': `CONFIG_A=y\nCONFIG_CMDLINE="a${bad}CONFIG_EVIL=y"\n` });
      expect(b.codes.length, JSON.stringify(bad)).toBe(1);
      expect(['E_CONFIG_VALUE', 'E_FRAGMENT_SYNTAX']).toContain(b.codes[0]);
      expect(b.r.findings.find((f) => f.severity === 'error')!.where).toMatchObject({ line: 2 });
      expect(a.unchanged && b.unchanged).toBe(true);
    }
  });

  it('the writer itself refuses a control character that got past the loaders', () => {
    expect(() => formatConfigLine('CMDLINE', { type: 'string', value: 'a\nCONFIG_EVIL=y' })).toThrow(/E_CONFIG_VALUE|control character/);
    expect(formatConfigLine('CMDLINE', { type: 'string', value: 'quiet "x" \\ y' })).toBe('CONFIG_CMDLINE="quiet \\"x\\" \\\\ y"');
  });
});
