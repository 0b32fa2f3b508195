import { describe, expect, it } from 'vitest';
import { makeFixtureRepo, ROOT_OF_REPO, variantYaml, type FixtureFiles } from '../support/fixture-repo.js';
import { runKplay } from '../support/run-kplay.js';

const ok = (name: string, extra = ''): FixtureFiles => ({
  [`features/${name}/feature.yml`]: `summary: ${name}\n${extra}`,
  [`features/${name}/README.md`]: `# ${name}\n`,
});

const TINY_PATCH = 'diff --git a/x.c b/x.c\n--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+b\n';

interface Rule {
  rule: string;
  files: FixtureFiles;
  code: string;
  at: RegExp;
}

// one broken fixture per lint rule; every other file of the fixture is clean
const rules: Rule[] = [
  { rule: 'schema: unknown key', files: { ...ok('a', 'kernal: ">=6.1"\n') }, code: 'E_SCHEMA', at: /^features\/a\/feature\.yml:2:1:/m },
  {
    rule: 'fragment: spaces around =',
    files: { ...ok('a'), 'features/a/config': 'CONFIG_A = y\n' },
    code: 'E_FRAGMENT_SYNTAX',
    at: /^features\/a\/config:1:1:/m,
  },
  {
    rule: 'fragment: CONFIG_X=n',
    files: { ...ok('a'), 'features/a/config': 'CONFIG_A=n\n' },
    code: 'W_FRAGMENT_N',
    at: /^features\/a\/config:1:1:/m,
  },
  {
    rule: 'fragment: duplicate symbol',
    files: { ...ok('a'), 'features/a/config': 'CONFIG_A=y\nCONFIG_A=m\n' },
    code: 'W_FRAGMENT_DUPLICATE',
    at: /^features\/a\/config:2:1:/m,
  },
  {
    rule: 'fragment: unknown value type',
    files: { ...ok('a'), 'features/a/config': 'CONFIG_A=maybe\n' },
    code: 'E_CONFIG_VALUE',
    at: /^features\/a\/config:1:\d+:/m,
  },
  {
    rule: 'fragment: arch typo',
    files: { ...ok('a'), 'features/a/config.x86': 'CONFIG_A=y\n' },
    code: 'E_FRAGMENT_ARCH',
    at: /^features\/a\/config\.x86:/m,
  },
  {
    rule: 'patch not in series',
    files: {
      ...ok('a'),
      'features/a/series': 'one.patch\n',
      'features/a/patches/one.patch': TINY_PATCH,
      'features/a/patches/two.patch': TINY_PATCH,
    },
    code: 'W_PATCH_NOT_IN_SERIES',
    at: /^features\/a\/patches\/two\.patch:/m,
  },
  {
    rule: 'patch that is not a diff',
    files: { ...ok('a'), 'features/a/patches/one.patch': 'just some words\n' },
    code: 'E_PATCH_EMPTY',
    at: /^features\/a\/patches\/one\.patch:/m,
  },
  {
    rule: 'patch touching ../',
    files: { ...ok('a'), 'features/a/patches/one.patch': TINY_PATCH.replace(/x\.c/g, '../x.c') },
    code: 'E_PATCH_UNSAFE_PATH',
    at: /^features\/a\/patches\/one\.patch:\d+(:\d+)?:/m,
  },
  {
    rule: 'series names a missing patch',
    files: { ...ok('a'), 'features/a/series': 'gone.patch\n' },
    code: 'E_PATCH_MISSING',
    at: /^features\/a\/series:1:1:/m,
  },
  {
    rule: 'README missing',
    files: { 'features/a/feature.yml': 'summary: a\n' },
    code: 'W_FEATURE_README',
    at: /^features\/a\/feature\.yml:/m,
  },
  {
    rule: 'version range does not parse',
    files: { ...ok('a', 'kernel: ">=6.x"\n') },
    code: 'E_VERSION_SYNTAX',
    at: /^features\/a\/feature\.yml:2:9:/m,
  },
  {
    rule: 'requires names no feature',
    files: { ...ok('a', 'requires: [ghost]\n') },
    code: 'E_REQUIRES_MISSING',
    at: /^features\/a\/feature\.yml:2:12:/m,
  },
  {
    rule: 'conflicts names no feature',
    files: { ...ok('a', 'conflicts: [ghost]\n') },
    code: 'W_CONFLICTS_UNKNOWN',
    at: /^features\/a\/feature\.yml:2:13:/m,
  },
  {
    rule: 'variant does not compose',
    files: { ...ok('a', 'kernel: "<5.0"\n'), 'variants/v.yml': variantYaml({ features: ['a'] }) },
    code: 'E_VERSION_RANGE',
    at: /^features\/a\/feature\.yml:2:9:/m,
  },
];

describe('kplay check: one broken fixture per rule', () => {
  it('passes a clean repository with exit 0', async () => {
    const root = await makeFixtureRepo({
      ...ok('a'),
      ...ok('b', 'requires: [a]\n'),
      'features/a/config': 'CONFIG_A=y\n',
      'variants/v.yml': variantYaml({ features: ['b'] }),
    });
    const r = await runKplay(['check'], { cwd: root });
    expect(r.stderr).toContain('checked 2 feature(s) and 1 variant(s): 0 errors, 0 warnings');
    expect(r.exitCode).toBe(0);
  });

  for (const rule of rules) {
    it(rule.rule, async () => {
      const root = await makeFixtureRepo(rule.files);
      const r = await runKplay(['check'], { cwd: root });
      const lines = r.stderr.split('\n').filter((l) => /: (error|warning) [A-Z_]+:/.test(l));
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toContain(rule.code);
      expect(r.stderr).toMatch(rule.at);
      expect(r.exitCode).toBe(rule.code.startsWith('W_') ? 0 : rule.code === 'E_VERSION_RANGE' ? 1 : 2);
    });
  }

  it('--json reports the same findings', async () => {
    const root = await makeFixtureRepo(rules[1]!.files);
    const r = await runKplay(['check', '--json'], { cwd: root });
    const report = JSON.parse(r.stdout) as { findings: Array<{ code: string }>; exitCode: number };
    expect(report.findings.map((f) => f.code)).toEqual(['E_FRAGMENT_SYNTAX']);
    expect(report.exitCode).toBe(2);
  });

  it('checks only the paths given', async () => {
    const root = await makeFixtureRepo({ ...ok('good'), 'features/bad/feature.yml': 'summary: [\n' });
    expect((await runKplay(['check', 'features/good'], { cwd: root })).exitCode).toBe(0);
    expect((await runKplay(['check', 'features/bad'], { cwd: root })).exitCode).toBe(2);
  });
});

describe('kplay check on the shipped repository', () => {
  it('finds no errors or warnings (remote dist-git bases are noted, not cloned)', async () => {
    const { ROOT_OF_REPO } = await import('../support/fixture-repo.js');
    const r = await runKplay(['check'], { cwd: ROOT_OF_REPO });
    expect(r.stderr).toMatch(/checked \d+ feature\(s\) and \d+ variant\(s\): 0 errors, 0 warnings/);
    expect(r.exitCode).toBe(0);
  });
});

describe('kplay check on a path that is not there', () => {
  it('is a usage error naming it, not a pass that checked nothing', async () => {
    const r = await runKplay(['check', 'variants/nope.yml'], { cwd: ROOT_OF_REPO });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/variants\/nope\.yml does not exist/);
  });
});
