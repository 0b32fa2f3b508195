import { describe, expect, it } from 'vitest';
import { detectDialect } from '../../../src/kconfig/dialect.js';
import { explainSymbol } from '../../../src/kconfig/explain-symbol.js';
import { KconfigError } from '../../../src/kconfig/kconfig-error.js';
import { assignmentsFromConfigText, olddefconfig } from '../../../src/kconfig/olddefconfig.js';
import { resolveConfig } from '../../../src/kconfig/resolve-config.js';
import { body, fakeTree, request } from './fake-tree.js';

const KCONFIG = `
config MODULES
	bool "modules"
	modules
	default y

choice
	prompt "Compression"
	default C_B

config C_A
	bool "A"

config C_B
	bool "B"

config C_C
	bool "C"

endchoice

config COUNT
	int "count"
`;

const v61 = () => fakeTree({ Kconfig: KCONFIG }, () => '', '6.1.0');
const v612 = () => fakeTree({ Kconfig: KCONFIG }, () => '', '6.12.0');

function picked(tree: ReturnType<typeof v61>, input: string): string {
  const text = body(olddefconfig(tree, assignmentsFromConfigText(input)).configText);
  return ['A', 'B', 'C'].filter((m) => text.includes(`CONFIG_C_${m}=y`)).join(',');
}

describe('Kconfig dialects', () => {
  it("detects the choice model, hash size and keywords from the tree's scripts/kconfig", () => {
    const old = detectDialect(
      (p) =>
        ({
          'scripts/kconfig/symbol.c':
            'struct property *sym_get_choice_prop(struct symbol *sym)\nstatic struct symbol *sym_calc_choice(struct symbol *sym)\n',
          'scripts/kconfig/expr.h': '#define SYMBOL_HASHSIZE\t\t9973\n',
          'scripts/kconfig/confdata.c': 'int conf_unsaved = 0;\nif (strncmp(p, "is not set", 10))',
          'scripts/kconfig/lexer.l': '"bool"\t\treturn T_BOOL;\n"optional"\treturn T_OPTIONAL;\n',
        })[p],
      '6.1.0',
    );
    expect([old.choices, old.hashSize, old.confReadResets, old.strictNotSet, old.keywords.has('optional')]).toEqual([
      'symbol',
      9973,
      true,
      false,
      true,
    ]);
    const neu = detectDialect(
      (p) =>
        ({
          'scripts/kconfig/symbol.c':
            'struct symbol *sym_calc_choice(struct menu *choice)\n{ list_for_each_entry(sym, &choice->choice_members, choice_link) }\nnewval.val = "0";\n',
          'scripts/kconfig/internal.h': '#define SYMBOL_HASHSIZE\t\t(1U << 14)\n',
          'scripts/kconfig/confdata.c': 'if (strcmp(p, "is not set"))',
          'scripts/kconfig/lexer.l': '"bool"\t\treturn T_BOOL;\n"transitional"\treturn T_TRANSITIONAL;\n',
        })[p],
      '6.18.0',
    );
    expect([neu.choices, neu.hashSize, neu.emptyNumberIsZero, neu.confReadResets, neu.strictNotSet]).toEqual([
      'menu',
      16384,
      true,
      false,
      true,
    ]);
    expect([...neu.unsupportedKeywords]).toEqual(['transitional']);
    // neither choice model: refuse, naming the file
    expect(() =>
      detectDialect((p) => (p === 'scripts/kconfig/symbol.c' ? 'int x;\nvoid sym_calc_choice(int);\n' : undefined), '7.0'),
    ).toThrow(/symbol\.c:2: .*choice values/);
  });

  it("a keyword of the tree's Kconfig the engine does not implement is E_KCONFIG_DIALECT at file:line", () => {
    const files = {
      Kconfig: 'config OLD\n\tbool "old"\n\ttransitional\n',
      'scripts/kconfig/symbol.c': 'struct symbol *sym_calc_choice(struct menu *choice) { choice_members; }',
      'scripts/kconfig/lexer.l': '"bool"\t\treturn T_BOOL;\n"config"\t\treturn T_CONFIG;\n"transitional"\treturn T_TRANSITIONAL;\n',
    };
    let err: unknown;
    try {
      fakeTree(files, () => '', '6.18.0');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KconfigError);
    expect((err as KconfigError).code).toBe('E_KCONFIG_DIALECT');
    expect((err as KconfigError).where).toMatchObject({ file: 'Kconfig', line: 3 });
    expect((err as KconfigError).message).toMatch(/'transitional'/);
  });

  it('6.12 choices: members carry the value, in priority order (last read first)', () => {
    const t = v612();
    expect(t.dialect.choices).toBe('menu');
    expect(picked(t, '')).toBe('B');
    // the default is set to n: the first visible member without a value
    expect(picked(t, '# CONFIG_C_B is not set\n')).toBe('A');
    // the default set to n and the first one too: the next one without a value
    expect(picked(t, '# CONFIG_C_A is not set\n# CONFIG_C_B is not set\n')).toBe('C');
    // every member n: the one read earliest stays y
    expect(picked(t, '# CONFIG_C_C is not set\n# CONFIG_C_A is not set\n# CONFIG_C_B is not set\n')).toBe('C');
    // two members y: the one read last wins
    expect(picked(t, 'CONFIG_C_C=y\nCONFIG_C_A=y\n')).toBe('A');
    expect(picked(t, 'CONFIG_C_A=y\n# CONFIG_C_A is not set\n')).toBe('B');
  });

  it('6.1 choices on the same tree: "is not set" on the default does not move the choice', () => {
    const t = v61();
    expect(t.dialect.choices).toBe('symbol');
    expect(picked(t, '# CONFIG_C_B is not set\n')).toBe('B');
    expect(picked(t, 'CONFIG_C_C=y\nCONFIG_C_A=y\n')).toBe('A');
  });

  it('6.12 writes an int without value as 0, 6.1 as empty', () => {
    expect(body(olddefconfig(v612(), []).configText)).toContain('CONFIG_COUNT=0\n');
    expect(body(olddefconfig(v61(), []).configText)).toContain('CONFIG_COUNT=\n');
  });

  it('6.12: a request turning the selected member off is met, and explain names the 6.12 rule', () => {
    const t = v612();
    const r = resolveConfig(t, { base: 'CONFIG_C_B=y\n', requests: [request('C_B', 'n')] });
    expect(r.findings).toEqual([]);
    expect(r.values.get('C_A')).toBe('y');
    expect(explainSymbol(t, r, 'C_A').reason).toMatch(
      /the choice's default C_B is set to n, so the first visible member without a value, C_A, is taken/,
    );
    const all = resolveConfig(t, {
      base: '',
      requests: [request('C_A', 'n', 'f', 1), request('C_B', 'n', 'f', 2), request('C_C', 'n', 'f', 3)],
    });
    expect(all.values.get('C_A')).toBe('y');
    expect(all.findings.map((f) => f.message)).toEqual([
      expect.stringMatching(/CONFIG_C_A=n cannot be met: .*every visible member is set to n/),
    ]);
  });

  it('6.12 rejects what 6.11 removed: tristate, named and optional choices', () => {
    const bad = (k: string) => () => fakeTree({ Kconfig: k }, () => '', '6.12.0');
    expect(bad('choice\n\ttristate "x"\nconfig A\n\ttristate "A"\nendchoice\n')).toThrow(/tristate choices were removed/);
    expect(bad('choice NAMED\n\tbool "x"\nconfig A\n\tbool "A"\nendchoice\n')).toThrow(/named choices were removed/);
    expect(bad('choice\n\tbool "x"\n\toptional\nconfig A\n\tbool "A"\nendchoice\n')).toThrow(KconfigError);
    expect(bad('choice\n\tbool "x"\nconfig A\n\tbool\nendchoice\n')).toThrow(/choice member must have a prompt/);
  });
});

describe('"is not set" lines', () => {
  it('6.12 reads only the exact text, 6.1 anything after it', async () => {
    const { parseConfigFile } = await import('../../../src/kconfig/config-file.js');
    const text = '# CONFIG_A is not set # why\n# CONFIG_B is not set\r\n';
    expect(parseConfigFile(text).assignments.map((a) => a.name)).toEqual(['A', 'B']);
    expect(parseConfigFile(text, { strictNotSet: true }).assignments.map((a) => a.name)).toEqual(['B']);
    const r = resolveConfig(v612(), { base: 'CONFIG_C_A=y\n# CONFIG_C_A is not set (kept)\n', requests: [] });
    expect(r.values.get('C_A')).toBe('y');
  });
});
