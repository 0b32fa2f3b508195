import { execa } from 'execa';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkConfigString,
  RenderRefusal,
  sourceFileName,
  sourceTagValue,
  specChangelogText,
  specShellWord,
  specTag,
  specText,
  specToken,
} from '../../src/boundary/index.js';
import { canaryFired, canaryPath } from './support/hostile-repo.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kplay-sec-boundary-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const canary = canaryPath('boundary');
const HOSTILE_LINES = [
  '%post',
  ' %post',
  '%%post',
  '%POST',
  '\t%endif',
  '%if 1',
  '%include /etc/passwd',
  '%global x 1',
  `%(touch ${canary})`,
  `%{lua: io.open("${canary}","w")}`,
  '%[1]',
  '%{expand:%%post}',
  'tail \\',
  '100% done',
  `a %(touch ${canary}) b`,
  `text %{lua: io.open("${canary}","w")}`,
  'x %%{name} %',
  '* Mon Jan 01 2024 fake',
  '\\%(x)',
];

function refusal(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof RenderRefusal) return err.code;
    throw err;
  }
}

/** A spec whose %description, Summary and changelog hold the rendered values. */
function specWith(description: string, summary: string, changelog: string): string {
  return [
    'Name: t',
    'Version: 1',
    'Release: 1',
    `Summary: ${summary}`,
    'License: MIT',
    '',
    '%description',
    description,
    '',
    '%package core',
    'Summary: c',
    '%description core',
    'c',
    '%prep',
    'true',
    '%files',
    '%files core',
    '%changelog',
    '* Mon Jan 01 2024 a <a@b.c> - 1-1',
    changelog,
    '',
  ].join('\n');
}

describe('the rendering boundary, checked against the real rpmspec', () => {
  it('free text: a line rpm would read as syntax is refused; everything else stays text in %description', async () => {
    const accepted = HOSTILE_LINES.filter((l) => refusal(() => specText(l)) === undefined);
    const refused = HOSTILE_LINES.filter((l) => refusal(() => specText(l)) === 'E_SPEC_TEXT');
    expect(refused.sort()).toEqual(
      [
        '%post',
        ' %post',
        '%%post',
        '%POST',
        '\t%endif',
        '%if 1',
        '%include /etc/passwd',
        '%global x 1',
        `%(touch ${canary})`,
        `%{lua: io.open("${canary}","w")}`,
        '%[1]',
        '%{expand:%%post}',
        'tail \\',
        '\\%(x)',
      ].sort(),
    );
    // one-line values refuse only a backslash before '%' (next test); every other hostile line stays text
    const oneLine = HOSTILE_LINES.filter((l) => !l.includes('\\%'));
    const spec = path.join(dir, 'text.spec');
    await writeFile(spec, specWith(specText(accepted.join('\n')), specTag(oneLine.join('\n')), specChangelogText(oneLine.join('\n'))));
    const scripts = await execa('rpmspec', ['-q', '--qf', '%{name}|%{POSTIN}|%{PREIN}\n', spec], { reject: false });
    expect(scripts.exitCode, String(scripts.stderr)).toBe(0);
    expect(String(scripts.stdout).trim().split('\n')).toEqual(['t|(none)|(none)', 't-core|(none)|(none)']);
    const q = await execa('rpmspec', ['-q', '--srpm', '--qf', '%{summary}\n@@\n%{description}\n@@\n[%{changelogtext}\n]', spec]);
    const [summary, description, changelog] = String(q.stdout).split('\n@@\n');
    expect(summary).toBe(
      oneLine
        .join(' ')
        .replace(/\t/g, ' ')
        .replace(/[\s\\]+$/, ''),
    );
    expect(description).toBe(accepted.join('\n'));
    for (const l of oneLine)
      expect(changelog).toContain(
        `- ${l
          .trim()
          .replace(/[\s\\]+$/, '')
          .replace(/^- /, '')}`,
      );
    expect(canaryFired(canary)).toBe(false);
  });

  it("a backslash before '%' is refused everywhere: rpm's line reader would join the next spec line (found by the property test)", async () => {
    // what doubling alone would give: rpm cannot read the spec any more (and a later line is swallowed)
    const raw = path.join(dir, 'backslash.spec');
    await writeFile(raw, specWith('\\%%[$(id)', 'summary', '- entry'));
    const broken = await execa('rpmspec', ['-P', raw], { reject: false });
    expect(broken.exitCode).not.toBe(0);
    expect(String(broken.stderr)).toMatch(/unclosed macro or bad line continuation/);
    for (const text of ['\\%[$(id)', 'a \\%{lua: x}', 'x\\%(id)'])
      for (const render of [specText, specTag, specChangelogText, (v: string) => specShellWord(v)])
        expect(
          refusal(() => render(text)),
          text,
        ).toBe('E_SPEC_TEXT');
    expect(specText('a \\ %x')).toBe('a \\ %%x');
    // rpm refuses '..' in Release ("Illegal sequence"): a bare token never holds it
    expect(refusal(() => specToken('1..', 'release'))).toBe('E_SPEC_VALUE');
  });

  it('bare tokens, shell words, file names and config strings', () => {
    expect(specToken('6.1.192', 'v')).toBe('6.1.192');
    for (const bad of ['6.1;id', '$(id)', '%(id)', 'a b', '', '-rf', '.hidden', 'a\nb'])
      expect(
        refusal(() => specToken(bad, 'v')),
        bad,
      ).toBe('E_SPEC_VALUE');
    expect(specShellWord("it's %x")).toBe("'it'\\''s %%x'");
    expect(refusal(() => specShellWord('a\nb'))).toBe('E_SPEC_VALUE');
    expect(sourceFileName('https://h/linux-6.1.tar.xz', undefined)).toBe('linux-6.1.tar.xz');
    expect(sourceFileName('https://h/a.config#/b.config', undefined)).toBe('b.config');
    for (const url of [
      'https://h/x.config#%(id)',
      'https://h/a?b=1',
      'https://h/a%2F..%2Fb',
      'https://h/..',
      'https://h/',
      'https://h/$(id)',
    ])
      expect(
        refusal(() => sourceFileName(url, undefined)),
        url,
      ).toBe('E_SOURCE_NAME');
    expect(refusal(() => sourceFileName('https://h/a b.tar', undefined))).toBe('E_SOURCE_URL');
    expect(refusal(() => sourceFileName('https://h/x', '../x'))).toBe('E_SOURCE_NAME');
    expect(sourceTagValue('https://h/x.config#%(id)', 'x.config')).toBe('x.config');
    expect(sourceTagValue('https://h/a/x.config', 'x.config')).toBe('https://h/a/x.config');
    expect(sourceTagValue('https://h/a/download', 'x.config')).toBe('https://h/a/download#/x.config');
    for (const c of ['\n', '\r', '\0', '\x1f', '\x7f', '\u0085', '\u2028', '\u2029'])
      expect(refusal(() => checkConfigString('X', `a${c}b`))).toBe('E_CONFIG_VALUE');
    expect(checkConfigString('X', 'quiet splash é')).toBe('quiet splash é');
  });
});
