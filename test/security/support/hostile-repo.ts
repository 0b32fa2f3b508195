import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, readdir, readFile, readlink, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeFixtureRepo, type FixtureFiles } from '../../support/fixture-repo.js';

export { makeFixtureRepo, variantYaml } from '../../support/fixture-repo.js';
export { runKplay } from '../../support/run-kplay.js';

const made: string[] = [];

/** A fixture repository removed after the test file (call cleanupRepos in afterAll). */
export async function hostileRepo(files: FixtureFiles): Promise<string> {
  const root = await makeFixtureRepo(files);
  made.push(root);
  return root;
}

export async function cleanupRepos(): Promise<void> {
  for (const r of made.splice(0)) await rm(r, { recursive: true, force: true });
}

/**
 * A canary: a file path that hostile input tries to create (`%(touch …)`, `$(touch …)`); the
 * test asserts it never exists.
 */
export function canaryPath(tag: string): string {
  return path.join(os.tmpdir(), `kplay-canary-${tag}-${process.pid}-${Math.random().toString(36).slice(2)}`);
}

export function canaryFired(p: string): boolean {
  return existsSync(p);
}

/** Every entry under `dir` with its type and content digest: equal snapshots = nothing written, deleted or left behind. */
export async function snapshotTree(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  async function walk(d: string, rel: string) {
    for (const name of (await readdir(d)).sort()) {
      const abs = path.join(d, name);
      const r = rel ? `${rel}/${name}` : name;
      const s = await lstat(abs);
      if (s.isSymbolicLink()) out.set(r, `link:${await readlink(abs)}`);
      else if (s.isDirectory()) {
        out.set(r, 'dir');
        await walk(abs, r);
      } else if (s.isFile()) out.set(r, `file:${createHash('sha256').update(await readFile(abs)).digest('hex')}`);
      else out.set(r, 'other');
    }
  }
  await walk(dir, '');
  return out;
}

/** A minimal valid vanilla variant as YAML lines, with the lines of `extra` appended. */
export function vanillaVariant(extra: string[] = [], opts: { features?: string[]; name?: string } = {}): string {
  return [
    `name: ${opts.name ?? 'v'}`,
    'summary: safe summary',
    'base:',
    '  kind: vanilla',
    '  version: "6.1.192"',
    'arches: [x86_64]',
    `features: [${(opts.features ?? []).join(', ')}]`,
    ...extra,
  ].join('\n') + '\n';
}

export const SHA = 'a'.repeat(64);
