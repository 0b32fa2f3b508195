import { describe, expect, it } from 'vitest';
import { rpmChangelogText, rpmShellWord, rpmTag, rpmText, safeFileName } from '../../../src/render/rpm-escape.js';
import { rpmChangelogDate } from '../../../src/boundary/rpm-date.js';

describe('RPM escaping', () => {
  it('doubles every % so no macro or %(shell) survives', () => {
    expect(rpmTag('%(touch /tmp/pwned)')).toBe('%%(touch /tmp/pwned)');
    expect(rpmText('50% %{name} %%')).toBe('50%% %%{name} %%%%');
  });
  it('keeps tags on one line', () => {
    expect(rpmTag('a\nRequires: evil')).toBe('a Requires: evil');
  });
  it('makes changelog lines items and neutralises a leading *', () => {
    expect(rpmChangelogText('first\n* Mon Jan 01 2024 x - 1\n- third')).toBe('- first\n- * Mon Jan 01 2024 x - 1\n- third');
  });
  it('quotes shell words', () => {
    expect(rpmShellWord("it's %x")).toBe("'it'\\''s %%x'");
  });
  it('makes safe file names', () => {
    expect(safeFileName('../a b%c.patch')).toBe('a_b_c.patch');
  });
  it('formats changelog dates', () => {
    expect(rpmChangelogDate('2026-11-22')).toBe('Sun Nov 22 2026');
    expect(rpmChangelogDate('2024-02-05')).toBe('Mon Feb 05 2024');
  });
});
