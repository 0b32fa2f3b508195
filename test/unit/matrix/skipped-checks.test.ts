import { describe, expect, it } from 'vitest';
import { skippedChecks } from '../../../src/matrix/classify-cell.js';

// the strings are the ones src/bases/kmod/compose-kmod.ts writes into checks.arches
describe('skipped checks of a kmod compose', () => {
  it('a kernel-devel of an arch the variant does not build is a skipped check (grey in the matrix, no bump in track)', () => {
    expect(
      skippedChecks({
        build: 'built 1 module(s) against /usr/src/kernels/x (hello.ko)',
        arches: 'skipped: the kernel-devel is for aarch64, which is not an arch of the variant (x86_64)',
      }),
    ).toEqual(['arches (the kernel-devel is for aarch64, which is not an arch of the variant (x86_64))']);
  });
  it('one arch of several checked: named (N_KMOD_ARCH_NOT_CHECKED), not a skipped check', () => {
    expect(skippedChecks({ arches: 'checked on x86_64; not checked on aarch64 (no kernel-devel for it)' })).toEqual([]);
  });
});
