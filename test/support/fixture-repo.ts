import { mkdir, writeFile, symlink } from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from './temp-dir.js';

/** Files of a fixture repository: path → content, or { link: target } for a symlink. */
export type FixtureFiles = Record<string, string | Buffer | { link: string }>;

/**
 * Write a throwaway repository (features/, variants/ ...) into a fresh temp folder, removed after
 * the test file. It has a features/ folder unless `files` makes `features` something else: kplay
 * takes the nearest folder above a variant that holds one as the repository root, and the run's
 * TMPDIR lies inside this repository (test/support/global-setup.ts), so without it kplay would
 * read this repository's features and write to its out/.
 */
export async function makeFixtureRepo(files: FixtureFiles): Promise<string> {
  const root = await tempDir('kplay-fixture-');
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, rel);
    await mkdir(path.dirname(abs), { recursive: true });
    if (typeof content === 'object' && !Buffer.isBuffer(content)) await symlink(content.link, abs);
    else await writeFile(abs, content);
  }
  if (!('features' in files)) await mkdir(path.join(root, 'features'), { recursive: true });
  return root;
}

/** A minimal valid variant; override or add keys with `extra` (YAML text appended). */
export function variantYaml(opts: { name?: string; features?: string[]; extra?: string; version?: string } = {}): string {
  return [
    `name: ${opts.name ?? 'test'}`,
    'summary: test kernel',
    'base:',
    '  kind: vanilla',
    `  version: "${opts.version ?? '6.1.192'}"`,
    'arches: [x86_64]',
    `features: [${(opts.features ?? []).join(', ')}]`,
    opts.extra ?? '',
  ].join('\n');
}

export { KPLAY_BIN, ROOT_OF_REPO } from './paths.js';
