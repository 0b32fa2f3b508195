import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFeature } from '../../../src/load/load-feature.js';
import { ROOT_OF_REPO } from '../../support/paths.js';
import { tempDir } from '../../support/temp-dir.js';

async function featureWith(yml: string): Promise<string> {
  const root = await tempDir('kplay-feature-test-');
  await mkdir(path.join(root, 'features', 'x'), { recursive: true });
  await writeFile(path.join(root, 'features', 'x', 'feature.yml'), yml);
  return root;
}

describe('the test: block of feature.yml', () => {
  it('loads each line with its location, the timeout (default 60) and the modules', async () => {
    const root = await featureWith(
      'summary: x\ntest:\n  timeout: 5\n  modules: [overlay]\n  run:\n    - "true"\n    - |\n      a=1\n      test $a = 1\n',
    );
    const { feature, findings } = await loadFeature(root, 'x');
    expect(findings).toEqual([]);
    expect(feature?.test?.timeout).toBe(5);
    expect(feature?.test?.modules).toEqual(['overlay']);
    expect(feature?.test?.run.map((r) => [r.line, r.where.line])).toEqual([
      ['true', 6],
      ['a=1\ntest $a = 1\n', 7],
    ]);
    const plain = await loadFeature(await featureWith('summary: x\ntest:\n  run: [ls]\n'), 'x');
    expect(plain.feature?.test?.timeout).toBe(60);
    expect(plain.feature?.test?.modules).toBeUndefined();
  });

  it.each([
    ['an empty run list', 'summary: x\ntest:\n  run: []\n'],
    ['a control character in a line', 'summary: x\ntest:\n  run: ["echo \\u001b[2J"]\n'],
    ['an unknown key', 'summary: x\ntest:\n  run: [ls]\n  on-host: [rm -rf /]\n'],
    ['a module name with a shell word', 'summary: x\ntest:\n  run: [ls]\n  modules: ["a;b"]\n'],
    ['a timeout above 600 s', 'summary: x\ntest:\n  run: [ls]\n  timeout: 601\n'],
  ])('refuses %s with E_SCHEMA at the line', async (_, yml) => {
    const { feature, findings } = await loadFeature(await featureWith(yml), 'x');
    expect(feature).toBeUndefined();
    expect(findings.map((f) => f.code)).toContain('E_SCHEMA');
    expect(findings[0]!.where?.line).toBeGreaterThan(1);
  });

  it('every shipped feature with modules has a smoke test', async () => {
    for (const name of [
      'overlayfs',
      'wireguard',
      'deprecated-drivers/megaraid_sas',
      'deprecated-drivers/mptsas',
      'deprecated-drivers/qla4xxx',
    ]) {
      const { feature, findings } = await loadFeature(ROOT_OF_REPO, name);
      expect(findings).toEqual([]);
      expect([name, feature?.test?.run.length ?? 0]).not.toEqual([name, 0]);
    }
  });
});
