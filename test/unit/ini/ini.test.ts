import { describe, expect, it } from 'vitest';
import { emptyIniDocument, iniBoolean, parseIni, parseIniInto, sectionValues } from '../../../src/ini/ini.js';

// Expected values are what Python 3's configparser.ConfigParser() gives for the same text.
const values = (text: string, section: string) =>
  Object.fromEntries([...(sectionValues(parseIni(text, 'f'), section) ?? [])].map(([k, v]) => [k, v.value]));

describe('INI reader with configparser semantics', () => {
  it('splits at the first = or :, lower-cases keys, strips blanks, keeps inline ; and #', () => {
    expect(values('[s]\nKey = a=b:c\nOther: x = y\nc = v ; not a comment\n', 's')).toEqual({
      key: 'a=b:c',
      other: 'x = y',
      c: 'v ; not a comment',
    });
  });

  it('joins deeper-indented lines, keeping blank lines inside a value and dropping trailing ones', () => {
    expect(values('[s]\nk = one\n  two\n\n  three\n\nn = 1\n', 's')).toEqual({ k: 'one\ntwo\n\nthree', n: '1' });
  });

  it('skips whole-line comments, indented or not', () => {
    expect(values('# c\n[s]\n; c\n   # c\nk = v\n', 's')).toEqual({ k: 'v' });
  });

  it('inherits DEFAULT and interpolates %(key)s and %%', () => {
    expect(values('[DEFAULT]\nbase = https://h\n[s]\nurl = %(base)s/x\npct = 100%%\n', 's')).toEqual({
      base: 'https://h',
      url: 'https://h/x',
      pct: '100%',
    });
    expect(() => values('[s]\nk = 100%\n', 's')).toThrow(/must be followed by/);
  });

  it('is strict like configparser: key before a header, a line without delimiter, repeats in one file', () => {
    expect(() => parseIni('k = v\n')).toThrow(/before the first \[section\]/);
    expect(() => parseIni('[s]\njust words\n')).toThrow(/not "key = value"/);
    expect(() => parseIni('[s]\n[s]\n')).toThrow(/appears twice/);
    expect(() => parseIni('[s]\nk=1\nK=2\n')).toThrow(/set twice/);
  });

  it('merges files, the later one winning; section names stay case-sensitive', () => {
    const doc = emptyIniDocument();
    parseIniInto(doc, '[s]\na = 1\nb = 1\n', 'one');
    parseIniInto(doc, '[s]\nb = 2\n[S]\nc = 3\n', 'two');
    expect(Object.fromEntries([...sectionValues(doc, 's')!].map(([k, v]) => [k, v.value]))).toEqual({ a: '1', b: '2' });
    expect(sectionValues(doc, 'S')?.get('c')?.value).toBe('3');
  });

  it('reads booleans as getboolean does', () => {
    const e = (value: string) => ({ value, where: { file: 'f', line: 1, col: 1 } });
    expect(['1', 'yes', 'True', 'on'].map((v) => iniBoolean(e(v), false))).toEqual([true, true, true, true]);
    expect(['0', 'NO', 'false', 'off'].map((v) => iniBoolean(e(v), true))).toEqual([false, false, false, false]);
    expect(iniBoolean(undefined, true)).toBe(true);
    expect(() => iniBoolean(e('maybe'), true)).toThrow();
  });
});
