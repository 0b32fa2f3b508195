import { describe, expect, it } from 'vitest';
import { predictConfigMismatches } from '../../../src/bases/overlay/resolved-config.js';

describe('predictConfigMismatches', () => {
  it('names each value the resolution changed or dropped, and nothing when it kept them', () => {
    const request = {
      arch: 'x86_64' as const,
      file: 'kernel-x86_64-fedora.config',
      mergedText: 'CONFIG_A=m\n# CONFIG_B is not set\nCONFIG_C=y\nCONFIG_D=y\n',
    };
    const found = predictConfigMismatches(request, 'CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C=y\n');
    expect(found.map((f) => f.code)).toEqual(['W_OVERLAY_CONFIG_MISMATCH']);
    expect(found[0]!.message).toContain('2 mismatch(es)');
    expect(found[0]!.message).toContain('CONFIG_A: m -> y');
    expect(found[0]!.message).toContain('CONFIG_D: y -> gone');
    expect(predictConfigMismatches(request, request.mergedText)).toEqual([]);
  });
});
