import { describe, expect, it } from 'vitest';
import { compareKernelVersions, parseKernelVersion, parseVersionRange, rangeSatisfied } from '../../../src/model/kernel-version.js';

const v = (s: string) => {
  const parsed = parseKernelVersion(s);
  if (!parsed) throw new Error(`unparsed ${s}`);
  return parsed;
};
const inRange = (version: string, range: string) => rangeSatisfied(v(version), parseVersionRange(range).range!);

describe('kernel versions', () => {
  it('parses the forms distributions use', () => {
    expect(v('6.1').numbers).toEqual([6, 1, 0]);
    expect(v('6.1.12').numbers).toEqual([6, 1, 12]);
    expect(v('6.12-rc3').rc).toBe(3);
    expect(v('5.14.0-503.el9').build).toEqual([503]);
    expect(v('5.14.0-503.40.1.el9_5').build).toEqual([503, 40, 1]);
    expect(parseKernelVersion('six')).toBeUndefined();
    expect(parseKernelVersion('6')).toBeUndefined();
  });

  it('orders numerically, with -rc before its release', () => {
    const sorted = ['6.12', '6.1.12', '6.12-rc3', '6.1', '6.1.2', '6.12-rc10', '5.14.0-503.el9', '5.14.0-70.el9']
      .map(v)
      .sort(compareKernelVersions);
    expect(sorted.map((x) => x.text)).toEqual([
      '5.14.0-70.el9',
      '5.14.0-503.el9',
      '6.1',
      '6.1.2',
      '6.1.12',
      '6.12-rc3',
      '6.12-rc10',
      '6.12',
    ]);
  });

  it('checks ranges like a maintainer reads them', () => {
    expect(inRange('6.1.192', '>=5.6')).toBe(true);
    expect(inRange('5.4.1', '>=5.6')).toBe(false);
    expect(inRange('6.9.3', '>=5.6 <6.9')).toBe(false);
    expect(inRange('6.8.12', '>=5.6 <6.9')).toBe(true);
    expect(inRange('6.9.3', '<=6.9')).toBe(true);
    expect(inRange('6.9.3', '>6.9')).toBe(false);
    expect(inRange('6.10', '>6.9')).toBe(true);
    expect(inRange('6.1.55', '=6.1')).toBe(true);
    expect(inRange('6.12-rc3', '>=6.12')).toBe(false);
    expect(inRange('5.14.0-503.el9', '>=5.14')).toBe(true);
  });

  it('rejects malformed ranges with the part that is wrong', () => {
    expect(parseVersionRange('>=5.6 <six').error).toContain("'<six'");
    expect(parseVersionRange('~>5').error).toBeDefined();
  });
});
