import { describe, expect, it } from 'vitest';
import {
  RenderRefusal,
  specDependencyName,
  specDependencyVersion,
  specFilePath,
  specScriptBody,
  specScriptInterpreter,
  specVerbatimChangelog,
  specVerbatimTag,
  specVerbatimText,
  verbatimPercent,
} from '../../../src/boundary/index.js';
import { parseRichDependency } from '../../../src/boundary/spec-rich-dependency.js';

/** The verbatim forms for values copied from an RPM header (checked against rpm by test/security/sign-rebuild-spec.test.ts). */
function refusal(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof RenderRefusal) return err.message;
    throw err;
  }
}

describe('verbatim spec forms', () => {
  it("doubles %, and keeps a backslash from escaping the doubled % for rpm's line reader", () => {
    expect(verbatimPercent('100% %(id) %{lua:x}')).toBe('100%% %%(id) %%{lua:x}');
    expect(verbatimPercent('echo \\%{')).toBe('echo \\%{nil}%%{');
    expect(verbatimPercent('\\\\%x')).toBe('\\\\%{nil}%%x');
  });

  it("ends a line's trailing backslash with %{nil}, so rpm's reader joins no lines (it rescans the joined buffer for every line)", () => {
    expect(verbatimPercent('a \\\nb \\')).toBe('a \\%{nil}\nb \\%{nil}');
    expect(verbatimPercent('a \\\\\n\\\r')).toBe('a \\\\%{nil}\n\\\r');
  });

  it('carries tags and texts exactly or refuses what rpm would read as syntax or change', () => {
    expect(specVerbatimTag('%{lua:os.exit()} 100%', 'SUMMARY')).toBe('%%{lua:os.exit()} 100%%');
    expect(refusal(() => specVerbatimTag('a\n%post', 'SUMMARY'))).toMatch(/^SUMMARY .* control character U\+000A/);
    expect(refusal(() => specVerbatimTag(' padded', 'SUMMARY'))).toMatch(/trim/);
    expect(refusal(() => specVerbatimTag('a b', 'URL', { singleToken: true }))).toMatch(/single token/);
    expect(specVerbatimText('text %(id)\n word %%post \\\nnext', 'DESCRIPTION')).toBe('text %%(id)\n word %%%%post \\%{nil}\nnext');
    for (const line of ['%post', ' %if 1', '%%files', '# comment'])
      expect(
        refusal(() => specVerbatimText(`ok\n${line}`, 'DESCRIPTION')),
        line,
      ).toMatch(/^DESCRIPTION line 2 /);
    expect(refusal(() => specVerbatimText('trailing \nx', 'DESCRIPTION'))).toMatch(/line 1 .* blank/);
    expect(refusal(() => specVerbatimChangelog('- a\n* Mon Jan 01 2024 x', 'changelog entry 1'))).toMatch(/line 2 .*'\*'/);
    expect(specVerbatimChangelog('- a  \n- 100%', 'changelog entry 1')).toBe('- a  \n- 100%%');
  });

  it('keeps every byte of a scriptlet but refuses a line starting with %', () => {
    expect(specScriptBody('echo "%(id)"\n# %{lua:x}\nprintf a \\\n  b', 'the %post scriptlet')).toBe(
      'echo "%%(id)"\n# %%{lua:x}\nprintf a \\%{nil}\n  b',
    );
    expect(refusal(() => specScriptBody('echo\n  %files', 'the %post scriptlet'))).toMatch(/line 2 .*starts with '%'/);
    expect(refusal(() => specScriptBody('echo \n', 'the %post scriptlet'))).toMatch(/ends with a blank/);
    expect(specScriptInterpreter('<lua>', 'x')).toBe('<lua>');
    expect(refusal(() => specScriptInterpreter('/bin/sh %(id)', 'the %post scriptlet'))).toMatch(/interpreter/);
  });

  it('dependencies: one token each, rich ones in normal form', () => {
    expect(specDependencyName('perl(Foo::Bar)', 'Requires', { rich: 'requires' })).toBe('perl(Foo::Bar)');
    expect(specDependencyName('weird(%x)', 'Provides', {})).toBe('weird(%%x)');
    for (const bad of ['a b', 'a,b', '-x', 'a\nRequires: b'])
      expect(
        refusal(() => specDependencyName(bad, 'Requires', { rich: 'requires' })),
        bad,
      ).toMatch(/^Requires /);
    expect(specDependencyVersion('1:2.0-3.fc40', 'v')).toBe('1:2.0-3.fc40');
    for (const bad of ['1 2', '1-2-3', 'a:1', '1..2', '1;id'])
      expect(
        refusal(() => specDependencyVersion(bad, 'v')),
        bad,
      ).toBeDefined();
    expect(parseRichDependency('(a or (b >= 1.0 with c))', 'requires')).toMatchObject({ normal: '(a or (b >= 1.0 with c))' });
    expect(parseRichDependency('(a  or b)', 'requires')).toMatchObject({ problem: expect.stringMatching(/normal form/) as unknown });
    expect(parseRichDependency('(a) (b)', 'requires')).toMatchObject({ problem: expect.stringMatching(/more than one/) as unknown });
    expect(parseRichDependency('(a or b and c)', 'requires')).toMatchObject({ problem: expect.stringMatching(/chain/) as unknown });
    expect(parseRichDependency('(a unless b)', 'requires')).toMatchObject({ problem: expect.stringMatching(/context/) as unknown });
    expect(refusal(() => specDependencyName('(a or b)', 'Provides', {}))).toMatch(/cannot hold/);
  });

  it('file paths: quoted when they hold blanks; %, quotes, escapes, globs and odd segments refused', () => {
    expect(specFilePath("/usr/share/a b/it's $(id);")).toBe('"/usr/share/a b/it\'s $(id);"');
    for (const bad of ['/x/tool%caps(cap_sys_admin=ep)', '/a"b', '/a\\b', '/a*', '/a/../b', '/a//b', '/a/', 'rel', '/a\nb'])
      expect(
        refusal(() => specFilePath(bad)),
        bad,
      ).toMatch(/^file '/);
  });
});
