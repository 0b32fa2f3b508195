import { describe, expect, it } from 'vitest';
import { MacroPreprocessor } from '../../../src/kconfig/macro-preprocessor.js';
import { normalizeShellOutput } from '../../../src/kconfig/memoised-shell.js';
import { fakeTree } from './fake-tree.js';

describe('macro preprocessor', () => {
  it('expands variables, user functions with arguments and environment fallbacks', () => {
    const runs: string[] = [];
    const pp = new MacroPreprocessor({ CC: 'gcc' }, { run: (c) => (runs.push(c), c.includes('-mfoo') ? 'y' : 'n') });
    pp.addVariable('if-success', '$(shell,{ $(1); } && echo "$(2)" || echo "$(3)")', 'recursive');
    pp.addVariable('success', '$(if-success,$(1),y,n)', 'recursive');
    pp.addVariable('cc-option', '$(success,$(CC) $(1))', 'recursive');
    expect(pp.expandString('$(cc-option,-mfoo)')).toBe('y');
    expect(runs).toEqual(['{ gcc -mfoo; } && echo "y" || echo "n"']);
    pp.addVariable('x', 'a', 'simple');
    pp.addVariable('x', 'b', 'append');
    expect(pp.expandString('[$(x)] [$(UNDEFINED)] $$ $ x')).toBe('[a b] [] $$ $ x');
  });

  it('reports $(error-if) with the file and line, and collects warnings', () => {
    expect(() => fakeTree({ Kconfig: 'x := 1\n\n$(error-if,y,broken $(x))\n' })).toThrow('Kconfig:3: broken 1');
    const tree = fakeTree({ Kconfig: '$(warning-if,y,careful)\n$(info,hello $(filename):$(lineno))\n' });
    expect(tree.macroMessages).toEqual([
      { kind: 'warning', text: 'careful', file: 'Kconfig', line: 1 },
      { kind: 'info', text: 'hello Kconfig:2', file: 'Kconfig', line: 2 },
    ]);
  });

  it('uses macro results as symbols and expands strings', () => {
    const tree = fakeTree({ Kconfig: 'config A\n\tdef_bool $(shell,probe)\nconfig B\n\tstring "b"\n\tdefault "$(ARCH)-x"\n' }, () => 'y');
    expect(tree.commands).toEqual(['probe']);
    expect(tree.symbols.find('A')!.props.find((p) => p.type === 'default')!.expr).toMatchObject({ kind: 'symbol', sym: { name: 'y' } });
    expect(tree.symbols.find('B')!.props.find((p) => p.type === 'default')!.expr).toMatchObject({ sym: { name: 'x86_64-x' } });
  });

  it('post-processes shell output like the reference tool', () => {
    expect(normalizeShellOutput(Buffer.from('a\nb\n\n'))).toBe('a b');
    expect(normalizeShellOutput(Buffer.alloc(5000, 0x61)).length).toBe(4095);
  });

  it('stops a variable that doubles itself at its line, with a KconfigError (untrusted patches reach this)', () => {
    // recursive flavor: 2^40 references, hours of work without a bound
    const lazy = [
      'B0 = x',
      ...Array.from({ length: 40 }, (_, i) => `B${i + 1} = $(B${i})$(B${i})`),
      'config X',
      '\tstring',
      '\tdefault "$(B40)"',
      '',
    ];
    const started = Date.now();
    expect(() => fakeTree({ Kconfig: lazy.join('\n') })).toThrow(/Kconfig:44: more than 1000000 macro references expanded/);
    expect(Date.now() - started).toBeLessThan(10_000);
    // simple flavor: 30 expansions, but a 32 GiB value (V8: RangeError "Invalid string length", kplay exit 3)
    const eager = ['A0 := ' + 'x'.repeat(32), ...Array.from({ length: 30 }, (_, i) => `A${i + 1} := $(A${i})$(A${i})`), ''];
    expect(() => fakeTree({ Kconfig: eager.join('\n') })).toThrow(/Kconfig:21: macro expansion longer than 16777216 characters/);
  });
});
