import { describe, expect, it } from 'vitest';
import { lastDistributionApply } from '../../../src/bases/overlay/apply-anchor.js';
import { configWithProvenance } from '../../../src/bases/overlay/config-provenance.js';
import { distributionPatches } from '../../../src/bases/overlay/distribution-patches.js';
import { readSpecMacros } from '../../../src/bases/overlay/spec-macros.js';
import type { ConfigRequest } from '../../../src/model/types.js';

const long = Buffer.from(`${Array.from({ length: 12 }, (_, i) => `line ${i}`).join('\n')}\n`);

describe("the distribution's own patches", () => {
  const spec = [
    '%global patchversion 6.12',
    'ApplyOptionalPatch()',
    '{',
    '    ApplyPatch $patch ${1+"$@"}',
    '}',
    'ApplyOptionalPatch patch-%{patchversion}-redhat.patch',
    'ApplyOptionalPatch linux-kernel-test.patch',
    '# plus mod',
    'ApplyOptionalPatch plus.patch',
    '#ApplyOptionalPatch disabled.patch',
    '%if 0%{?centos}',
    'ApplyOptionalPatch centos.patch',
    '%endif',
    '',
    '# END OF PATCH APPLICATIONS',
    'ApplyOptionalPatch after-the-end.patch',
  ];

  it('reads the applications in order, macros expanded, skipping short files and function bodies', () => {
    const files = new Map([
      ['patch-6.12-redhat.patch', long],
      ['linux-kernel-test.patch', Buffer.alloc(0)],
      ['plus.patch', long],
      ['centos.patch', long],
      ['after-the-end.patch', long],
    ]);
    const r = distributionPatches(spec, readSpecMacros(spec), files, 'kernel.spec');
    expect(r.findings).toEqual([]);
    expect(r.patches.map((p) => [p.file, p.line])).toEqual([
      ['patch-6.12-redhat.patch', 6],
      ['plus.patch', 9],
      ['centos.patch', 12],
      ['after-the-end.patch', 16],
    ]);
  });

  it('a patch the package lacks is a finding at its line', () => {
    const r = distributionPatches(spec, readSpecMacros(spec), new Map([['linux-kernel-test.patch', Buffer.alloc(0)]]), 'kernel.spec');
    expect(r.findings.map((f) => `${f.code} ${f.where?.line}`)).toEqual([
      'E_OVERLAY_SOURCE_MISSING 6',
      'E_OVERLAY_SOURCE_MISSING 9',
      'E_OVERLAY_SOURCE_MISSING 12',
      'E_OVERLAY_SOURCE_MISSING 16',
    ]);
  });

  it("the variant's applications go after the last one before END OF PATCH APPLICATIONS, outside %if blocks", () => {
    expect(lastDistributionApply(spec, spec.indexOf('ApplyOptionalPatch linux-kernel-test.patch'))).toBe(spec.indexOf('%endif'));
    const fedora = [
      'ApplyOptionalPatch linux-kernel-test.patch',
      '',
      '%{log_msg "End of patch applications"}',
      '# END OF PATCH APPLICATIONS',
      'ApplyOptionalPatch x.patch',
    ];
    expect(lastDistributionApply(fedora, 0)).toBe(0);
  });
});

describe('config Sources with provenance', () => {
  const req = (symbol: string, v: string): ConfigRequest => ({
    symbol,
    value: v === 'y' || v === 'm' || v === 'n' ? { type: 'tristate', value: v } : { type: 'string', value: v },
    where: { file: 'features/a/feature.yml', line: 3, col: 1 },
    origin: { kind: 'feature', name: 'a' },
  });
  it('changes a present symbol in place, appends the rest in a marked block listing who asked, and is idempotent', () => {
    const original = '# head\nCONFIG_A=m\n# CONFIG_B is not set\nCONFIG_C=y\n';
    const once = configWithProvenance(original, 'pg', [req('A', 'y'), req('NEW', 'y'), req('C', 'n')], () => 'features/a/feature.yml:3');
    expect(once).toBe(
      [
        '# head',
        'CONFIG_A=y',
        '# CONFIG_B is not set',
        '# CONFIG_C is not set',
        '# kplay-overlay begin options of pg',
        '# kplay: CONFIG_A=y (feature a: features/a/feature.yml:3)',
        '# kplay: CONFIG_NEW=y (feature a: features/a/feature.yml:3)',
        '# kplay: CONFIG_C is not set (feature a: features/a/feature.yml:3)',
        'CONFIG_NEW=y',
        '# kplay-overlay end options of pg',
        '',
      ].join('\n'),
    );
    expect(configWithProvenance(once, 'pg', [req('A', 'y'), req('NEW', 'y'), req('C', 'n')], () => 'features/a/feature.yml:3')).toBe(once);
    expect(configWithProvenance(original, 'pg', [], () => '')).toBe(original);
  });
});
