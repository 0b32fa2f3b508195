import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeFixtureRepo, variantYaml, type FixtureFiles } from '../support/fixture-repo.js';
import { runKplay } from '../support/run-kplay.js';

const feature = (extra = '') => `summary: a feature\n${extra}`;
const goodPatch = ['diff --git a/hello.c b/hello.c', '--- a/hello.c', '+++ b/hello.c', '@@ -1,3 +1,3 @@', ' a', '-b', '+c', ' d', ''].join(
  '\n',
);

interface Case {
  name: string;
  files: FixtureFiles;
  code: string;
  exit: 1 | 2;
  /** file:line the finding must point at (relative to the fixture root). */
  at: RegExp;
}

const cases: Case[] = [
  {
    name: 'YAML syntax error',
    files: { 'variants/v.yml': 'name: v\nsummary: [unclosed\n' },
    code: 'E_YAML_SYNTAX',
    exit: 2,
    at: /^variants\/v\.yml:\d+:\d+: error/m,
  },
  {
    name: 'unknown key',
    files: { 'variants/v.yml': variantYaml({ extra: 'featurs: [x]' }) },
    code: 'E_SCHEMA',
    exit: 2,
    at: /^variants\/v\.yml:8:1: error E_SCHEMA: unknown key 'featurs'/m,
  },
  {
    name: 'wrong type',
    files: { 'variants/v.yml': variantYaml({ extra: 'release: one' }) },
    code: 'E_SCHEMA',
    exit: 2,
    at: /^variants\/v\.yml:8:10: error E_SCHEMA: 'release' must be integer/m,
  },
  {
    name: 'missing feature',
    files: { 'variants/v.yml': variantYaml({ features: ['nosuch'] }), 'features/.keep': '' },
    code: 'E_FEATURE_MISSING',
    exit: 2,
    at: /^variants\/v\.yml:7:\d+: error E_FEATURE_MISSING: feature 'nosuch' not found/m,
  },
  {
    name: 'requires cycle',
    files: {
      'variants/v.yml': variantYaml({ features: ['a'] }),
      'features/a/feature.yml': feature('requires: [b]'),
      'features/b/feature.yml': feature('requires: [a]'),
    },
    code: 'E_REQUIRES_CYCLE',
    exit: 2,
    at: /^features\/b\/feature\.yml:2:\d+: error E_REQUIRES_CYCLE: requires cycle: a -> b -> a/m,
  },
  {
    name: 'extends cycle',
    files: { 'variants/v.yml': `${variantYaml()}\nextends: w.yml`, 'variants/w.yml': 'extends: v.yml\nsummary: w' },
    code: 'E_EXTENDS_CYCLE',
    exit: 2,
    at: /^variants\/w\.yml:1:10: error E_EXTENDS_CYCLE: extends cycle: variants\/v\.yml -> variants\/w\.yml -> variants\/v\.yml/m,
  },
  {
    name: 'feature name with ..',
    files: { 'variants/v.yml': variantYaml({ features: ['../../etc'] }) },
    code: 'E_SCHEMA',
    exit: 2,
    at: /^variants\/v\.yml:7:\d+: error E_SCHEMA: 'features\.0' has an invalid value/m,
  },
  {
    name: 'symlink leaving the feature folder',
    files: {
      'variants/v.yml': variantYaml({ features: ['a'] }),
      'features/a/feature.yml': feature(),
      'outside.config': 'CONFIG_X=y\n',
      'features/a/config': { link: '../../outside.config' },
    },
    code: 'E_PATH_ESCAPE',
    exit: 2,
    at: /^features\/a\/config: error E_PATH_ESCAPE: config fragment features\/a\/config is a link that leads outside its feature folder/m,
  },
  {
    name: 'patch touching ../x',
    files: {
      'variants/v.yml': variantYaml({ features: ['a'] }),
      'features/a/feature.yml': feature(),
      'features/a/patches/0001.patch': goodPatch.replace(/hello\.c/g, '../x'),
    },
    code: 'E_PATCH_UNSAFE_PATH',
    exit: 2,
    at: /^features\/a\/patches\/0001\.patch:\d+(:\d+)?: error E_PATCH_UNSAFE_PATH/m,
  },
  {
    name: 'patch touching /etc/x',
    files: {
      'variants/v.yml': variantYaml({ features: ['a'] }),
      'features/a/feature.yml': feature(),
      'features/a/patches/0001.patch': goodPatch.replace(/a\/hello\.c/g, '/etc/x').replace(/b\/hello\.c/g, '/etc/x'),
    },
    code: 'E_PATCH_UNSAFE_PATH',
    exit: 2,
    at: /^features\/a\/patches\/0001\.patch:\d+(:\d+)?: error E_PATCH_UNSAFE_PATH/m,
  },
  {
    name: 'binary patch',
    files: {
      'variants/v.yml': variantYaml({ features: ['a'] }),
      'features/a/feature.yml': feature(),
      'features/a/patches/0001.patch':
        'diff --git a/logo.png b/logo.png\nindex 1111111..2222222 100644\nGIT binary patch\nliteral 5\nMcmZ?wbYNfr00001\n\n',
    },
    code: 'E_PATCH_BINARY',
    exit: 2,
    at: /^features\/a\/patches\/0001\.patch:\d+(:\d+)?: error E_PATCH_BINARY/m,
  },
  {
    name: 'conflicting values',
    files: {
      'variants/v.yml': variantYaml({ features: ['a', 'b'] }),
      'features/a/feature.yml': feature(),
      'features/a/config': 'CONFIG_NET=y\n',
      'features/b/feature.yml': feature(),
      'features/b/config': '# CONFIG_NET is not set\n',
    },
    code: 'E_VALUE_CONFLICT',
    exit: 1,
    at: /^features\/b\/config:1:1: error E_VALUE_CONFLICT: CONFIG_NET: feature b wants n, but feature a wants y[^\n]*\n {2}features\/a\/config:1:1: note/m,
  },
  {
    name: 'conflicting features',
    files: {
      'variants/v.yml': variantYaml({ features: ['a', 'b'] }),
      'features/a/feature.yml': feature('conflicts: [b]'),
      'features/b/feature.yml': feature(),
    },
    code: 'E_FEATURE_CONFLICT',
    exit: 1,
    at: /^features\/a\/feature\.yml:2:\d+: error E_FEATURE_CONFLICT: a conflicts with b[^\n]*\n {2}variants\/v\.yml:7:\d+: note/m,
  },
  {
    name: 'version range not met',
    files: { 'variants/v.yml': variantYaml({ features: ['a'] }), 'features/a/feature.yml': feature('kernel: ">=6.6"') },
    code: 'E_VERSION_RANGE',
    exit: 1,
    at: /^features\/a\/feature\.yml:2:9: error E_VERSION_RANGE: a supports kernel >=6.6, but the base is 6.1.192[^\n]*\n {2}variants\/v\.yml:5:\d+: note/m,
  },
  {
    name: 'empty variant',
    files: { 'variants/v.yml': '# nothing here\n' },
    code: 'E_VARIANT_EMPTY',
    exit: 2,
    at: /^variants\/v\.yml:1:1: error E_VARIANT_EMPTY/m,
  },
];

describe('compose rejects bad input with one clear finding and writes nothing', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const root = await makeFixtureRepo(c.files);
      const r = await runKplay(['compose', 'variants/v.yml'], { cwd: root });
      expect(r.stderr).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/); // no stack trace
      expect(r.stderr).toMatch(c.at);
      const errors = r.stderr.split('\n').filter((l) => / error [A-Z_]+:/.test(l));
      expect(errors, r.stderr).toHaveLength(1);
      expect(errors[0]).toContain(c.code);
      expect(r.exitCode).toBe(c.exit);
      expect(existsSync(path.join(root, 'out'))).toBe(false);
    });
  }

  it('gives --json findings with locations', async () => {
    const root = await makeFixtureRepo(cases.find((c) => c.name === 'conflicting values')!.files);
    const r = await runKplay(['compose', 'variants/v.yml', '--json'], { cwd: root });
    const report = JSON.parse(r.stdout) as {
      exitCode: number;
      written: boolean;
      findings: Array<{ code: string; where: { file: string; line: number } }>;
    };
    expect(report.exitCode).toBe(1);
    expect(report.written).toBe(false);
    expect(report.findings[0]).toMatchObject({ code: 'E_VALUE_CONFLICT', where: { file: 'features/b/config', line: 1 } });
  });
});

describe('a bad --kernel-source is one clear error, not a crash', () => {
  it('names the file and says what kplay reads', async () => {
    const root = await makeFixtureRepo({
      'variants/v.yml': variantYaml(),
      'features/.keep': '',
      'not-a-tarball.txt': 'hello',
      'broken.tar.xz': 'not xz data',
    });
    const a = await runKplay(['compose', 'variants/v.yml', '--kernel-source', 'not-a-tarball.txt'], { cwd: root });
    expect(a.stderr).toMatch(/^kplay: error: \S*not-a-tarball\.txt: not a tarball kplay can read \(\.tar, \.tar\.xz/m);
    expect(a.exitCode).toBe(2);
    const b = await runKplay(['compose', 'variants/v.yml', '--kernel-source', 'broken.tar.xz'], { cwd: root });
    expect(b.stderr).toMatch(/^kplay: error: \S*broken\.tar\.xz: cannot read tarball/m);
    expect(b.exitCode).toBe(2);
    const c = await runKplay(['compose', 'variants/v.yml', '--kernel-source', 'missing'], { cwd: root });
    expect(c.stderr).toMatch(/^kplay: error: .*missing.*does not exist/m);
    expect(c.exitCode).toBe(2);
    const d = await runKplay(['compose', 'variants/v.yml', '--verify-kconfig'], { cwd: root });
    expect(d.stderr).toMatch(/^kplay: error: --verify-kconfig needs --kernel-source/m);
    expect(d.exitCode).toBe(2);
    for (const r of [a, b, c, d]) {
      expect(r.stderr).not.toContain('internal error');
      expect(existsSync(path.join(root, 'out'))).toBe(false);
    }
  });
});
