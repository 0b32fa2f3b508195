import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runKplay } from '../support/run-kplay.js';
import { tempDirSync } from '../support/temp-dir.js';

// `kplay kconfig resolve` keeps each answer per question (src/kconfig/resolve-memo.ts): asked
// again, it replays the stored answer without loading the tree. These runs prove a hit is served
// from the memo, and that every input it depends on makes a new question.

const dir = tempDirSync('kplay-resolve-memo-');

function makeTarball(): string {
  const top = path.join(dir, 'src', 'linux-6.1.1');
  mkdirSync(path.join(top, 'arch', 'x86'), { recursive: true });
  writeFileSync(path.join(top, 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 1\nEXTRAVERSION =\n');
  writeFileSync(path.join(top, 'Kconfig'), 'mainmenu "Linux"\nsource "arch/$(SRCARCH)/Kconfig"\n');
  writeFileSync(
    path.join(top, 'arch', 'x86', 'Kconfig'),
    [
      'config X86',
      '\tdef_bool y',
      'config A',
      '\tbool "a"',
      '\tdefault y',
      'config C',
      '\tbool "c"',
      'config B',
      '\tbool "b"',
      '\tdepends on C',
      '',
    ].join('\n'),
  );
  const file = path.join(dir, 'linux-6.1.1.tar.gz');
  execFileSync('tar', ['-czf', file, '-C', path.join(dir, 'src'), 'linux-6.1.1']);
  return file;
}

describe('kconfig resolve answers a repeated question from its memo', () => {
  const tarball = makeTarball();
  const cache = path.join(dir, 'cache');
  const base = path.join(dir, 'base.config');
  const fragment = path.join(dir, 'b.config');
  writeFileSync(base, '# CONFIG_A is not set\n');
  writeFileSync(fragment, 'CONFIG_B=y\n');
  const resolve = (out: string, extra: string[] = []) =>
    runKplay([
      'kconfig',
      'resolve',
      '--kernel-source',
      tarball,
      '--arch',
      'x86_64',
      '--config',
      base,
      '--fragment',
      fragment,
      '--force',
      '--out',
      out,
      '--cache-dir',
      cache,
      ...extra,
    ]);
  const memos = () => (existsSync(path.join(cache, 'kconfig-resolved')) ? readdirSync(path.join(cache, 'kconfig-resolved')) : []);

  it('replays the stored answer byte for byte, and asks again when an input changes', async () => {
    const first = await resolve(path.join(dir, 'first.config'));
    // B depends on C, which nothing sets: the request does not survive (exit 1, written with --force)
    expect(first.exitCode).toBe(1);
    expect(first.stderr).toContain('CONFIG_B');
    const firstConfig = readFileSync(path.join(dir, 'first.config'), 'latin1');
    expect(firstConfig).toContain('# CONFIG_A is not set\n');
    expect(memos()).toHaveLength(1);

    const second = await resolve(path.join(dir, 'second.config'));
    expect([second.exitCode, second.stdout, second.stderr]).toEqual([first.exitCode, first.stdout, first.stderr]);
    expect(readFileSync(path.join(dir, 'second.config'), 'latin1')).toBe(firstConfig);

    // a hit is served from the memo: a marked stored answer comes back as stored
    const memo = path.join(cache, 'kconfig-resolved', memos()[0]!);
    const stored = JSON.parse(readFileSync(memo, 'utf8')) as { configText: string };
    writeFileSync(memo, JSON.stringify({ ...stored, configText: `${stored.configText}# marked\n` }));
    await resolve(path.join(dir, 'marked.config'));
    expect(readFileSync(path.join(dir, 'marked.config'), 'latin1')).toBe(`${firstConfig}# marked\n`);

    // a changed fragment is another question: resolved again, and B now survives with C
    writeFileSync(fragment, 'CONFIG_C=y\nCONFIG_B=y\n');
    const changed = await resolve(path.join(dir, 'changed.config'));
    expect(changed.exitCode).toBe(0);
    const changedConfig = readFileSync(path.join(dir, 'changed.config'), 'latin1');
    expect(changedConfig).toContain('CONFIG_B=y\n');
    expect(changedConfig).not.toContain('# marked');
    expect(memos()).toHaveLength(2);

    // so is a changed base config
    writeFileSync(base, 'CONFIG_A=y\n');
    await resolve(path.join(dir, 'base-changed.config'));
    expect(readFileSync(path.join(dir, 'base-changed.config'), 'latin1')).toContain('CONFIG_A=y\n');
    expect(memos()).toHaveLength(3);

    // an unreadable memo is no answer: the question is resolved again (and stored again)
    writeFileSync(base, '# CONFIG_A is not set\n');
    writeFileSync(fragment, 'CONFIG_B=y\n');
    writeFileSync(memo, '{ not json');
    const again = await resolve(path.join(dir, 'again.config'));
    expect([again.exitCode, again.stderr]).toEqual([first.exitCode, first.stderr]);
    expect(readFileSync(path.join(dir, 'again.config'), 'latin1')).toBe(firstConfig);
    expect(JSON.parse(readFileSync(memo, 'utf8'))).toMatchObject({ configText: firstConfig });
  });

  it('keeps no memo for an extracted folder (its files can change under the same name)', async () => {
    const folderCache = path.join(dir, 'folder-cache');
    const r = await runKplay([
      'kconfig',
      'resolve',
      '--kernel-source',
      path.join(dir, 'src', 'linux-6.1.1'),
      '--arch',
      'x86_64',
      '--config',
      base,
      '--out',
      path.join(dir, 'folder.config'),
      '--cache-dir',
      folderCache,
    ]);
    expect(r.exitCode).toBe(0);
    expect(readFileSync(path.join(dir, 'folder.config'), 'latin1')).toContain('# CONFIG_A is not set\n');
    expect(existsSync(path.join(folderCache, 'kconfig-resolved'))).toBe(false);
  });
});
