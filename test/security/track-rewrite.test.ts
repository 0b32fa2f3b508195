import { chmod, lstat, mkdir, readdir, readFile, readlink, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/findings/finding.js';
import { loadVariant } from '../../src/load/load-variant.js';
import { replaceVariantBase } from '../../src/track/rewrite-variant-base.js';
import { cleanupRepos, hostileRepo } from './support/hostile-repo.js';

afterAll(cleanupRepos);

const NEXT = { version: '6.1.193', url: 'https://cdn.kernel.org/pub/linux/kernel/v6.x/linux-6.1.193.tar.xz', sha256: 'b'.repeat(64) };
const VARIANT = ['# comment kept', 'name: v', 'summary: s', 'base:', '  kind: vanilla', '  version: "6.1.192"', 'arches: [x86_64]', ''];

describe('track writes only valid variants', () => {
  it('through a symlink to its target, keeping the link, the mode and CRLF line endings; the result loads cleanly', async () => {
    const root = await hostileRepo({ 'real/v.yml': VARIANT.join('\r\n') });
    await mkdir(path.join(root, 'variants'));
    await symlink('../real/v.yml', path.join(root, 'variants/v.yml'));
    await chmod(path.join(root, 'real/v.yml'), 0o640);
    await replaceVariantBase(path.join(root, 'variants/v.yml'), NEXT);
    expect((await lstat(path.join(root, 'variants/v.yml'))).isSymbolicLink()).toBe(true);
    expect(await readlink(path.join(root, 'variants/v.yml'))).toBe('../real/v.yml');
    expect((await stat(path.join(root, 'real/v.yml'))).mode & 0o777).toBe(0o640);
    const text = await readFile(path.join(root, 'real/v.yml'), 'utf8');
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(text).toContain('  source:\r\n    url: ');
    const loaded = await loadVariant(path.join(root, 'real/v.yml'));
    expect(loaded.findings).toEqual([]);
    expect(loaded.variant?.base).toMatchObject({ version: '6.1.193', source: { url: NEXT.url, sha256: NEXT.sha256 } });
    expect((await readdir(path.join(root, 'real'))).sort()).toEqual(['v.yml']);
  });

  it('a flow-map base (where source: would land at the top level) is refused and the file is untouched', async () => {
    const text = 'name: v\nsummary: s\nbase: { kind: vanilla, version: "6.1.192" }\narches: [x86_64]\n';
    const root = await hostileRepo({ 'variants/v.yml': text });
    await expect(replaceVariantBase(path.join(root, 'variants/v.yml'), NEXT)).rejects.toBeInstanceOf(UsageError);
    expect(await readFile(path.join(root, 'variants/v.yml'), 'utf8')).toBe(text);
    expect(await readdir(path.join(root, 'variants'))).toEqual(['v.yml']);
  });

  it('a rewrite that would not pass the schema is refused and the file is untouched', async () => {
    const text = 'name: v\nsummary: s\nbase:\n  kind: vanilla\n  version: "6.1.192"\n  source: { url: "https://x/y.tar.xz" }\narches: [x86_64]\n';
    const root = await hostileRepo({ 'variants/v.yml': text });
    await expect(replaceVariantBase(path.join(root, 'variants/v.yml'), { ...NEXT, sha256: 'not hex' })).rejects.toBeInstanceOf(UsageError);
    expect(await readFile(path.join(root, 'variants/v.yml'), 'utf8')).toBe(text);
    expect(await readdir(path.join(root, 'variants'))).toEqual(['v.yml']);
  });
});
