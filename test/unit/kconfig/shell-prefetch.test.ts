import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { KconfigError } from '../../../src/kconfig/kconfig-error.js';
import { loadKconfigTree, loadKconfigTreeSync } from '../../../src/kconfig/load-kconfig-tree.js';
import { MemoisedShell } from '../../../src/kconfig/memoised-shell.js';
import { olddefconfig } from '../../../src/kconfig/olddefconfig.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kplay-prefetch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/**
 * A tree whose every command logs its name: results feed other commands (flag), a variable name
 * (fn), a sourced path (src) and an error-if guard; the rest are leaves used in symbol properties.
 */
function tree(name: string, guard: 'y' | 'n'): string {
  const root = path.join(dir, name);
  mkdirSync(path.join(root, 'sub'), { recursive: true });
  writeFileSync(path.join(root, 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\n');
  const log = (what: string) => `echo "${what}" >> "$KPLAY_PREFETCH_LOG"`;
  writeFileSync(
    path.join(root, 'Kconfig'),
    [
      'mainmenu "prefetch"',
      `probe = $(shell,${log('$(1)')}; echo $(2))`,
      'flag := $(probe,flag,-m64)',
      `$(error-if,$(probe,guard,${guard}),the guard fired)`,
      'config A',
      '\tdef_bool $(probe,a,y)',
      'config B',
      '\tdef_bool $(probe,b $(flag),y)',
      'config C',
      '\tbool "c"',
      '\tdefault $(probe,c,n)',
      `source "$(shell,${log('src')}; echo sub)/Kconfig"`,
      `fn := $(shell,${log('fn')}; echo probe)`,
      'config D',
      '\tdef_bool $($(fn),d,y)',
      '',
    ].join('\n'),
  );
  writeFileSync(path.join(root, 'sub', 'Kconfig'), 'config E\n\tdef_bool $(probe,e,y)\n');
  return root;
}

async function load(root: string, prefetch: boolean, logName: string): Promise<{ config?: string; error?: unknown; log: string[] }> {
  const logFile = path.join(dir, logName);
  writeFileSync(logFile, '');
  process.env.KPLAY_PREFETCH_LOG = logFile;
  const cacheDir = path.join(dir, `${logName}-cache`);
  try {
    const t = prefetch
      ? await loadKconfigTree({ source: root, srcarch: 'x86', makeArch: 'x86_64', cacheDir, tools: { CC: 'true' } })
      : loadKconfigTreeSync({ label: root, root, srcarch: 'x86', makeArch: 'x86_64', cacheDir, tools: { CC: 'true' } });
    return { config: olddefconfig(t, []).configText, log: readFileSync(logFile, 'utf8').split('\n').filter(Boolean) };
  } catch (error) {
    return { error, log: readFileSync(logFile, 'utf8').split('\n').filter(Boolean) };
  } finally {
    delete process.env.KPLAY_PREFETCH_LOG;
  }
}

describe('shell prefetch (a first pass starts the tree’s commands side by side)', () => {
  it('gives the same tree as running them one by one, and starts only commands the real parse runs', async () => {
    const root = tree('ok', 'n');
    const prefetch = vi.spyOn(MemoisedShell.prototype, 'prefetch');
    const fast = await load(root, true, 'fast');
    const started = prefetch.mock.calls.map((c) => c[0]);
    prefetch.mockClear();
    const slow = await load(root, false, 'slow');
    expect(prefetch).not.toHaveBeenCalled();

    expect(fast.error).toBeUndefined();
    expect(fast.config).toBe(slow.config);
    expect(fast.config).toContain('CONFIG_B=y');
    expect(fast.config).toContain('CONFIG_D=y');
    expect(fast.config).toContain('CONFIG_E=y');
    // every command either way, each once per way (the memo answers repeats), nothing else
    expect([...new Set(fast.log)].sort()).toEqual([...new Set(slow.log)].sort());
    expect(new Set(slow.log)).toEqual(new Set(['flag', 'guard', 'a', 'b -m64', 'c', 'src', 'fn', 'd', 'e']));
    // the leaves went to the background; `b` only with the real flag (never with a placeholder)
    expect(started.some((c) => c.includes('echo "b -m64"'))).toBe(true);
    expect(started.every((c) => !/KPLAYPREFETCH/.test(c))).toBe(true);
    for (const leaf of ['a', 'c', 'd', 'e']) expect(started.some((c) => c.includes(`echo "${leaf}"`))).toBe(true);
  });

  it('stops where the real parse stops: a guard that fires runs no command after it', async () => {
    const fast = await load(tree('guarded', 'y'), true, 'guarded-log');
    expect(fast.error).toBeInstanceOf(KconfigError);
    expect((fast.error as Error).message).toContain('the guard fired');
    expect(new Set(fast.log)).toEqual(new Set(['flag', 'guard']));
  });

  it('a command that cannot be started (a NUL byte) is a located error either way, never a hang', async () => {
    const root = path.join(dir, 'nul');
    mkdirSync(root, { recursive: true });
    writeFileSync(path.join(root, 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\n');
    writeFileSync(path.join(root, 'Kconfig'), 'config A\n\tdef_bool $(shell,echo a\u0000b)\n', 'latin1');
    for (const prefetch of [true, false]) {
      const r = await load(root, prefetch, `nul-${prefetch}`);
      expect(r.error).toBeInstanceOf(KconfigError);
      expect((r.error as KconfigError).message).toMatch(/^Kconfig:2: .*cannot run the command/);
    }
  });
});
