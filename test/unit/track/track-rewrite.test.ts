import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { featureChanges, formatFeatureChange } from '../../../src/track/feature-changes.js';
import { rewriteVariantBase } from '../../../src/track/rewrite-variant-base.js';

/** The base of a variant file, as the tests below read it back. */
const parse = (text: string) => parseYaml(text) as { base: { version: string; source: { url: string; sha256: string } } };

const NEXT = {
  version: '6.1.193',
  url: 'https://cdn.kernel.org/pub/linux/kernel/v6.x/linux-6.1.193.tar.xz',
  sha256: '0123456789'.repeat(6) + 'abcd',
};

describe('rewriteVariantBase', () => {
  it('changes only the base lines of the shipped playground variant', async () => {
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(new URL('../../../variants/playground.yml', import.meta.url), 'utf8');
    const out = rewriteVariantBase(text, 'playground.yml', NEXT);
    const before = text.split('\n');
    const after = out.split('\n');
    expect(after.filter((l) => !before.includes(l))).toEqual([
      "  version: '6.1.193'",
      `    url: ${NEXT.url}`,
      `    sha256: ${NEXT.sha256}`,
    ]);
    expect(before.filter((l) => !after.includes(l))).toEqual([
      "  version: '6.1.192'",
      '    url: https://cdn.kernel.org/pub/linux/kernel/v6.x/linux-6.1.192.tar.xz',
    ]);
    const data = parse(out);
    expect(data.base.source.sha256).toBe(NEXT.sha256);
    expect(data.base.version).toBe('6.1.193');
  });

  it('adds a source map when the variant has none, and keeps quoting styles', () => {
    const text = "base:\n  kind: vanilla\n  version: '6.1.192'   # pinned\n  config: {x86_64: defconfig}\narches: [x86_64]\n";
    const out = rewriteVariantBase(text, 'v.yml', NEXT);
    expect(out).toContain("  version: '6.1.193'   # pinned\n  source:\n");
    expect(out).toContain('  config: {x86_64: defconfig}\narches: [x86_64]\n');
    expect(parse(out).base.source).toEqual({ url: NEXT.url, sha256: NEXT.sha256 });
  });

  it('quotes a checksum YAML would read as a number', () => {
    const numeric = { ...NEXT, sha256: `${'1'.repeat(60)}e100` };
    const out = rewriteVariantBase('base:\n  kind: vanilla\n  version: "6.1.192"\n', 'v.yml', numeric);
    expect(out).toContain(`sha256: "${numeric.sha256}"`);
    expect(parse(out).base.source.sha256).toBe(numeric.sha256);
  });

  it('replaces an existing checksum and a topdir that named the old release', () => {
    const text =
      'base:\n  kind: vanilla\n  version: 6.1.192\n  source:\n    url: x\n    sha256: ' + 'f'.repeat(64) + '\n    topdir: linux-6.1.192\n';
    const out = parse(rewriteVariantBase(text, 'v.yml', NEXT));
    expect(out.base).toEqual({
      kind: 'vanilla',
      version: '6.1.193',
      source: { url: NEXT.url, sha256: NEXT.sha256, topdir: 'linux-6.1.193' },
    });
  });
});

describe('featureChanges', () => {
  it('lists only the features whose outcome changed', () => {
    const before = { wg: { status: 'ok' as const, codes: [] }, ovl: { status: 'ok' as const, codes: [] } };
    const after = { wg: { status: 'ok' as const, codes: [] }, ovl: { status: 'broken' as const, codes: ['E_PATCH_APPLY'] } };
    const changes = featureChanges(before, after);
    expect(changes.map(formatFeatureChange)).toEqual(['ovl: ok -> broken (+E_PATCH_APPLY)']);
  });
});
