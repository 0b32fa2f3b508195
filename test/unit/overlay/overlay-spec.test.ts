import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findConfigSources } from '../../../src/bases/overlay/config-sources.js';
import { overlaySpec, type SpecOverlayPlan } from '../../../src/bases/overlay/overlay-spec.js';
import { setConfigValues } from '../../../src/bases/overlay/set-config-values.js';
import { guardShortPatch } from '../../../src/bases/overlay/short-patch.js';
import { lookasideUrl, parseSourcesFile } from '../../../src/bases/overlay/sources-file.js';
import { splitConfigRequests } from '../../../src/bases/overlay/split-config-requests.js';
import { ROOT_OF_REPO } from '../../support/fixture-repo.js';

const FIXTURES = path.join(ROOT_OF_REPO, 'test/fixtures/dist-git');
const spec = (dir: string) => readFileSync(path.join(FIXTURES, dir, 'kernel.spec'), 'utf8');

const plan: SpecOverlayPlan = {
  variantName: 'pg',
  buildid: '.pg',
  patches: [
    { file: '0001-a-one.patch', feature: 'a' },
    { file: '0002-b-two.patch', feature: 'b' },
  ],
  without: ['debug', 'debuginfo'],
  changelog: { date: 'Sun Nov 22 2026', author: 'A <a@example.org>', lines: ['- hello'] },
};

describe('overlaySpec', () => {
  it('sets the buildid, declares patches above every number and applies them after the test patch, in order', () => {
    const r = overlaySpec(spec('fedora-6.17'), plan, 'kernel.spec');
    expect(r.findings).toEqual([]);
    const lines = r.text.split('\n');
    expect(lines).toContain('%define buildid .pg');
    expect(lines).toContain('# kplay-overlay begin buildid, in place of: # define buildid .local');
    const p1 = lines.indexOf('Patch1000000: 0001-a-one.patch');
    const p2 = lines.indexOf('Patch1000001: 0002-b-two.patch');
    expect(p1).toBeGreaterThan(lines.indexOf('Patch999999: linux-kernel-test.patch'));
    expect(p2).toBeGreaterThan(p1);
    expect(p2).toBeLessThan(lines.indexOf('# END OF PATCH DEFINITIONS'));
    const a1 = lines.indexOf('ApplyOptionalPatch 0001-a-one.patch');
    const a2 = lines.indexOf('ApplyOptionalPatch 0002-b-two.patch');
    expect(a1).toBeGreaterThan(lines.indexOf('ApplyOptionalPatch linux-kernel-test.patch'));
    expect(a2).toBeGreaterThan(a1);
    expect(a2).toBeLessThan(lines.indexOf('# END OF PATCH APPLICATIONS'));
    expect(lines.slice(0, 5)).toEqual(expect.arrayContaining(['%global _without_debug 1', '%global _without_debuginfo 1']));
    expect(lines[lines.indexOf('%changelog') + 1]).toBe('* Sun Nov 22 2026 A <a@example.org> - %{version}-%{release}');
  });

  it('is idempotent: overlaying the overlaid spec gives the same text', () => {
    for (const dir of ['fedora-6.17', 'fedora-6.0', 'centos-stream-9']) {
      const once = overlaySpec(spec(dir), { ...plan, rename: 'kernel-pg' }, 'kernel.spec');
      const twice = overlaySpec(once.text, { ...plan, rename: 'kernel-pg' }, 'kernel.spec');
      expect(twice.findings).toEqual([]);
      expect(twice.text).toBe(once.text);
    }
  });

  it('a changed plan replaces the earlier overlay instead of adding to it', () => {
    const once = overlaySpec(spec('fedora-6.17'), plan, 'kernel.spec');
    const other = overlaySpec(once.text, { ...plan, patches: [{ file: '0001-c.patch', feature: 'c' }], without: [] }, 'kernel.spec');
    expect(other.text).not.toContain('0001-a-one.patch');
    expect(other.text).toContain('Patch1000000: 0001-c.patch');
    expect(other.text).not.toContain('%global _without_debug');
    expect(other.text.match(/kplay overlay pg/g)).toHaveLength(1);
  });

  it('names each missing anchor', () => {
    const broken = spec('fedora-6.17')
      .replace('# define buildid .local\n', '')
      .replace(/^ApplyOptionalPatch linux-kernel-test.patch$/m, '');
    const r = overlaySpec(broken, plan, 'kernel.spec');
    expect(r.findings.map((f) => f.code)).toEqual(['E_OVERLAY_ANCHOR_MISSING', 'E_OVERLAY_ANCHOR_MISSING']);
    expect(r.findings[0]!.message).toContain('# define buildid .local');
    expect(r.findings[1]!.message).toContain('ApplyOptionalPatch linux-kernel-test.patch');
    expect(r.text).toBe(broken);
  });

  it('renames the package: Name:, literal config Sources follow %{name}, renamed files listed', () => {
    const r = overlaySpec(spec('fedora-6.0'), { ...plan, rename: 'kernel-pg' }, 'kernel.spec');
    expect(r.text).toMatch(/^Name: kernel-pg$/m);
    expect(r.text).toMatch(/^Source64: %\{name\}-x86_64-fedora\.config$/m);
    expect(r.renamedSources.get('kernel-x86_64-debug-fedora.config')).toBe('kernel-pg-x86_64-debug-fedora.config');
    expect(r.renamedSources.has('kernel-local')).toBe(false);
  });
});

describe('config Sources are found by file name, not number', () => {
  it('finds every flavour of each arch in both fixture releases', () => {
    for (const [dir, x86] of [
      ['fedora-6.17', [60, 61]],
      ['fedora-6.0', [64, 65]],
    ] as const) {
      const found = findConfigSources(spec(dir).split('\n'), 'kernel', 'fedora');
      expect(found.filter((c) => c.arch === 'x86_64').map((c) => [c.sourceNumber, c.flavour])).toEqual([
        [x86[0], ''],
        [x86[1], 'debug'],
      ]);
      expect(found.every((c) => c.file.endsWith('-fedora.config'))).toBe(true);
    }
    expect(findConfigSources(spec('centos-stream-9').split('\n'), 'kernel', 'rhel').map((c) => c.file)).toContain(
      'kernel-aarch64-debug-rhel.config',
    );
  });
});

describe('config values', () => {
  it('replaces a symbol in place, writes n as "is not set", appends the rest, and is idempotent', () => {
    const text = '# x86_64\nCONFIG_A=m\n# CONFIG_B is not set\nCONFIG_C=y\n';
    const values = new Map([
      ['A', { type: 'tristate', value: 'y' } as const],
      ['C', { type: 'tristate', value: 'n' } as const],
      ['D', { type: 'string', value: 'x"y' } as const],
    ]);
    const once = setConfigValues(text, values);
    expect(once).toBe('# x86_64\nCONFIG_A=y\n# CONFIG_B is not set\n# CONFIG_C is not set\nCONFIG_D="x\\"y"\n');
    expect(setConfigValues(once, values)).toBe(once);
  });

  it('puts a symbol in kernel-local only when every arch asks the same value', () => {
    const req = (symbol: string, value: 'y' | 'm') => ({
      request: {
        symbol,
        value: { type: 'tristate' as const, value },
        where: { file: 'f', line: 1, col: 1 },
        origin: { kind: 'feature' as const, name: 'f' },
      },
      overridden: [],
    });
    const split = splitConfigRequests([
      {
        arch: 'x86_64',
        symbols: new Map([
          ['A', req('A', 'y')],
          ['B', req('B', 'm')],
          ['C', req('C', 'y')],
        ]),
      },
      {
        arch: 'aarch64',
        symbols: new Map([
          ['A', req('A', 'y')],
          ['B', req('B', 'y')],
        ]),
      },
    ]);
    expect(split.everyArch.map((r) => r.symbol)).toEqual(['A']);
    expect(split.perArch.get('x86_64')!.map((r) => `${r.symbol}=${r.value.value}`)).toEqual(['B=m', 'C=y']);
    expect(split.perArch.get('aarch64')!.map((r) => `${r.symbol}=${r.value.value}`)).toEqual(['B=y']);
  });
});

describe('short patches and ApplyOptionalPatch', () => {
  const short = Buffer.from('--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n');
  it('pads a patch of 9 lines or fewer to 10 lines, with a warning', () => {
    const r = guardShortPatch({ file: 'p.patch', feature: 'f', text: short, where: undefined }, 'pad');
    expect(r.text.toString().split('\n').length - 1).toBe(10);
    expect(r.text.toString().endsWith(short.toString())).toBe(true);
    expect(r.findings.map((f) => f.code)).toEqual(['W_OVERLAY_PATCH_PADDED']);
  });
  it('refuses it when asked to', () => {
    const r = guardShortPatch({ file: 'p.patch', feature: 'f', text: short, where: undefined }, 'refuse');
    expect(r.findings.map((f) => [f.code, f.severity])).toEqual([['E_OVERLAY_PATCH_SHORT', 'error']]);
  });
  it('leaves a long enough patch alone', () => {
    const long = Buffer.concat([Buffer.from('commit message\n'.repeat(5)), short]);
    expect(guardShortPatch({ file: 'p', feature: 'f', text: long, where: undefined }, 'refuse')).toEqual({ text: long, findings: [] });
  });
});

describe('the dist-git sources file', () => {
  it('reads SHA512 lines and builds lookaside URLs; bad lines are findings', () => {
    const text = readFileSync(path.join(FIXTURES, 'fedora-6.17/sources'), 'utf8') + 'SHA512 (x.tar.xz) = abc\n';
    const r = parseSourcesFile(text, 'sources');
    expect(r.entries).toHaveLength(1);
    expect(r.entries[0]!.file).toBe('linux-6.17.7.tar.xz');
    expect(r.findings.map((f) => [f.code, f.where?.line])).toEqual([['E_OVERLAY_SOURCES_LINE', 2]]);
    expect(lookasideUrl('https://src.fedoraproject.org/repo/pkgs/rpms', 'kernel', r.entries[0]!)).toBe(
      `https://src.fedoraproject.org/repo/pkgs/rpms/kernel/linux-6.17.7.tar.xz/sha512/${r.entries[0]!.digest}/linux-6.17.7.tar.xz`,
    );
  });
});

describe('dist-git fidelity', () => {
  it("reads the `<hex>  <file>` sources form (AlmaLinux/RHEL imports) as well as `SHA512 (f) = h`, the algorithm told by the digest's length", () => {
    const sha512 = 'ab'.repeat(64);
    const sha256 = 'cd'.repeat(32);
    const r = parseSourcesFile(
      `${sha512}  linux-6.12.0-55.el10.tar.xz\n${sha256}  kernel-abi-stablelists-6.12.0.tar.xz\nSHA512 (x.tar.xz) = ${sha512}\n`,
      'sources',
    );
    expect(r.findings).toEqual([]);
    expect(r.entries.map((e) => [e.file, e.algorithm, e.line])).toEqual([
      ['linux-6.12.0-55.el10.tar.xz', 'sha512', 1],
      ['kernel-abi-stablelists-6.12.0.tar.xz', 'sha256', 2],
      ['x.tar.xz', 'sha512', 3],
    ]);
    // a digest of no known length is still a located error
    expect(parseSourcesFile(`${'ab'.repeat(10)}  f.tar.xz\n`, 'sources').findings.map((f) => f.code)).toEqual(['E_OVERLAY_SOURCES_LINE']);
  });

  it("extends the distribution's buildid instead of replacing it: Hyperscale's `%define buildid 1` gives Release 0.hs1.pg, and overlaying again gives the same spec", () => {
    const real = readFileSync(path.join(FIXTURES, 'real/c10s-hyperscale/kernel.spec'), 'utf8');
    const once = overlaySpec(real, plan, 'kernel.spec');
    expect(once.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const lines = once.text.split('\n');
    expect(lines).toContain('%define buildid 1.pg');
    expect(lines).not.toContain('%define buildid 1');
    expect(lines).toContain('# kplay-overlay begin buildid, in place of: %define buildid 1');
    expect(lines).toContain('%define specrelease 0.hs%{?buildid}%{?dist}');
    expect(overlaySpec(once.text, plan, 'kernel.spec').text).toBe(once.text);
    // removing the overlay restores the distribution's line
    expect(overlaySpec(once.text, { ...plan, buildid: '.other' }, 'kernel.spec').text).toContain('%define buildid 1.other');
  });
});
