import { describe, expect, it } from 'vitest';
import { predictConfigMismatches, processConfigsMismatches } from '../../../src/bases/overlay/resolved-config.js';

describe('process_configs -c (checkoptions) in process', () => {
  it('compares only the lines olddefconfig writes: a changed value and a changed "is not set" are mismatches, a dropped symbol is not', () => {
    const source = '# x86_64\nCONFIG_A=m\n# CONFIG_B is not set\nCONFIG_C=y\nCONFIG_D=y\nCONFIG_E="x"\n';
    const resolved = 'CONFIG_A=y\nCONFIG_B=y\nCONFIG_C=y\nCONFIG_E="x"\nCONFIG_F=y\n';
    expect(processConfigsMismatches(source, resolved)).toEqual([
      { symbol: 'CONFIG_A', had: 'm', now: 'y' },
      { symbol: 'CONFIG_B', had: 'is not set', now: 'y' },
    ]);
    // kplay's provenance comments are not config lines
    expect(processConfigsMismatches('# kplay: CONFIG_A=m (feature a: f.yml:1)\n', 'CONFIG_A=y\n')).toEqual([]);
  });

  it("lists only what differs because of the variant, every one of them: the distribution's own mismatches are left out", () => {
    const request = {
      arch: 'x86_64' as const,
      file: 'kernel-x86_64-fedora.config',
      mergedText: 'CONFIG_A=m\n# CONFIG_B is not set\nCONFIG_C=y\nCONFIG_D=y\n',
    };
    const baseline = { sourceText: 'CONFIG_A=m\nCONFIG_D=y\n', resolvedText: 'CONFIG_A=y\nCONFIG_D=y\n' };
    const found = predictConfigMismatches(request, 'CONFIG_A=y\nCONFIG_B=y\nCONFIG_C=m\nCONFIG_D=y\n', baseline);
    expect(found.map((f) => f.code)).toEqual(['W_OVERLAY_CONFIG_MISMATCH']);
    expect(found[0]!.message).toContain('2 mismatch(es)');
    expect(found[0]!.message).toContain('CONFIG_B: n -> y');
    expect(found[0]!.message).toContain('CONFIG_C: y -> m');
    expect(found[0]!.message).not.toContain('CONFIG_A');
    expect(predictConfigMismatches(request, request.mergedText)).toEqual([]);
  });
});
