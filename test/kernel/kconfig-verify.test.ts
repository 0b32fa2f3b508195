import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadKconfigTree } from '../../src/kconfig/load-kconfig-tree.js';
import { resolveConfig } from '../../src/kconfig/resolve-config.js';
import { verifyResolved } from '../../src/kconfig/verify-config.js';
import { runKplay } from '../support/run-kplay.js';
import { KERNELS, kernelTree, requireKernel, TIER_CACHE } from './kconfig-oracle.js';

/**
 * `--verify`: the kernel's own conf, built from the tree's scripts/kconfig, cross-checks a resolve.
 * A tiny Kconfig with Linux 6.12's real scripts/kconfig keeps the conf runs fast; one CLI run on the
 * real 6.12 tarball checks the whole path.
 */
const K612 = KERNELS[1];
const work = mkdtempSync(path.join(os.tmpdir(), 'kplay-kconfig-verify-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('kconfig resolve --verify', () => {
  it("reports a difference from the kernel's conf as E_KCONFIG_VERIFY naming the symbols", async () => {
    requireKernel(K612);
    const real = await kernelTree(K612, 'x86_64');
    const tree = path.join(work, 'tiny');
    mkdirSync(path.join(tree, 'scripts'), { recursive: true });
    cpSync(path.join(real.root, 'scripts', 'kconfig'), path.join(tree, 'scripts', 'kconfig'), { recursive: true });
    cpSync(path.join(real.root, 'scripts', 'include'), path.join(tree, 'scripts', 'include'), { recursive: true });
    writeFileSync(path.join(tree, 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\nEXTRAVERSION =\n');
    writeFileSync(
      path.join(tree, 'Kconfig'),
      'mainmenu "tiny"\nchoice\n\tprompt "c"\n\tdefault B\nconfig A\n\tbool "a"\nconfig B\n\tbool "b"\nendchoice\nconfig N\n\tint "n"\n',
    );
    const t = await loadKconfigTree({ source: tree, arch: 'x86_64', cacheDir: path.join(work, 'cache') });
    expect(t.dialect.choices).toBe('menu');
    const resolved = resolveConfig(t, { base: '# CONFIG_B is not set\n', requests: [] });
    const ok = await verifyResolved(t, resolved, TIER_CACHE);
    expect(ok.findings).toEqual([]);
    expect(ok.referenceText).toContain('CONFIG_A=y');
    expect(ok.referenceText).toContain('CONFIG_N=0');
    // a wrong answer (what the 6.1 rules would give) is caught and named
    const wrong = {
      ...resolved,
      configText: resolved.configText.replace('CONFIG_A=y', '# CONFIG_A is not set').replace('# CONFIG_B is not set', 'CONFIG_B=y'),
    };
    const bad = await verifyResolved(t, wrong, TIER_CACHE);
    expect(bad.findings).toHaveLength(1);
    expect(bad.findings[0]).toMatchObject({ code: 'E_KCONFIG_VERIFY', severity: 'error' });
    expect(bad.findings[0]!.message).toMatch(/first differing symbols: A \(conf: CONFIG_A=y; kplay: # CONFIG_A is not set\), B /);
  });

  it('the CLI: identical, exit 0, the config written', async () => {
    // the tiny tree of the test above (its conf is cached by the sources' digest)
    const tree = path.join(work, 'tiny');
    const base = path.join(work, 'base.config');
    writeFileSync(base, 'CONFIG_A=y\n');
    const frag = path.join(work, 'frag.config');
    writeFileSync(frag, '# CONFIG_A is not set\n');
    const out = path.join(work, 'out.config');
    const r = await runKplay([
      'kconfig',
      'resolve',
      '--kernel-source',
      tree,
      '--arch',
      'x86_64',
      '--config',
      base,
      '--fragment',
      frag,
      '--out',
      out,
      '--cache-dir',
      TIER_CACHE,
      '--verify',
    ]);
    expect(r.stderr).toMatch(/--verify: identical to the kernel's own conf --olddefconfig \(Linux 6\.12\.0, x86\)/);
    expect(r.exitCode).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('CONFIG_B=y');
  });
});
