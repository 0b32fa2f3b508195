import { describe, expect, it } from 'vitest';
import { exprToString } from '../../../src/kconfig/expr-to-string.js';
import { fakeTree } from './fake-tree.js';

describe('Kconfig parser', () => {
  it('parses every entry kind, sources files, and propagates dependencies', () => {
    const tree = fakeTree({
      Kconfig: 'menu "M"\n\tdepends on A\n\tvisible if B\nsource "sub/Kconfig"\nendmenu\nconfig A\n\tdef_bool y\nconfig B\n\tbool\n',
      'sub/Kconfig':
        'if A\nmenuconfig C\n\ttristate "C" if B || A\n\tselect D if A\n\timply E\n\trange 1 2\nendif\nconfig D\n\ttristate\nconfig E\n\ttristate "E"\n',
    });
    expect(tree.files).toEqual(['Kconfig', 'sub/Kconfig']);
    const c = tree.symbols.find('C')!;
    expect(c.type).toBe('tristate');
    expect(c.definitions()[0]!.where).toEqual({ file: 'sub/Kconfig', line: 2, col: 0 });
    expect(exprToString(c.dirDep)).toBe('A && A');
    expect(exprToString(c.props.find((p) => p.text === 'C')!.visibleExpr)).toBe('A && A && (B || A) && B');
    expect(exprToString(tree.symbols.find('D')!.revDep)).toBe('C && A && A && A');
    expect(exprToString(tree.symbols.find('E')!.implied)).toBe('C && A && A');
  });

  it('reports errors with file and line', () => {
    expect(() => fakeTree({ Kconfig: 'config A\n\tbool "a"\n\nfoo bar\n' })).toThrow('Kconfig:4: unknown statement "foo"');
    expect(() => fakeTree({ Kconfig: 'menu "x"\nconfig A\n\tbool\n' })).toThrow(/Kconfig:\d+: expected 'endmenu'/);
    expect(() => fakeTree({ Kconfig: 'source "missing/Kconfig"\n' })).toThrow('Kconfig:1: can\'t open file "missing/Kconfig"');
  });

  it('reads help text by indentation and continues after it', () => {
    const tree = fakeTree({ Kconfig: 'config A\n\tbool "a"\n\thelp\n\t  line one\n\n\t    indented\nconfig B\n\tbool "b"\n' });
    expect(tree.symbols.find('A')!.definitions()[0]!.help).toBe('line one\n\n  indented');
    expect(tree.symbols.find('B')!.type).toBe('bool');
  });
});
