import { describe, expect, it } from 'vitest';
import type { ComposeResult } from '../../../src/compose/compose-variant.js';
import { classifyCell } from '../../../src/matrix/classify-cell.js';

const resolvedWith = (leftOut: Array<{ feature: string; patch?: string; reason: string }>) =>
  ({
    order: [{ feature: { name: 'ovl', patches: [] }, reason: { kind: 'variant' }, arches: ['x86_64'] }],
    leftOut,
  }) as unknown as ComposeResult['resolved'];

describe('classifyCell: what a cell left out is visible', () => {
  it('lists the left-out patch on its feature row, and nothing on the others', () => {
    const result = {
      findings: [],
      exitCode: 0,
      written: false,
      checks: { patches: 'applied 1 patch' },
      merged: [],
      resolved: resolvedWith([
        { feature: 'ovl', patch: 'features/ovl/patches/0002-x.patch', reason: 'for kernel >=6.6, the base is 6.1.192' },
      ]),
    } as unknown as ComposeResult;
    const cell = classifyCell('v', '6.1', result, 5, ['ovl', 'wg']);
    expect(cell.status).toBe('ok');
    expect(cell.features.ovl!.leftOut).toEqual(['patch features/ovl/patches/0002-x.patch: for kernel >=6.6, the base is 6.1.192']);
    expect(cell.features.wg!.leftOut).toBeUndefined();
  });

  it('names a feature left out as a whole (no arch of the variant)', () => {
    const result = {
      findings: [],
      exitCode: 0,
      written: false,
      checks: {},
      resolved: resolvedWith([{ feature: 'ovl', reason: 'supports s390x; the variant builds x86_64' }]),
    } as unknown as ComposeResult;
    expect(classifyCell('v', 'b', result, 1).features.ovl!.leftOut).toEqual([
      'the whole feature: supports s390x; the variant builds x86_64',
    ]);
  });
});
