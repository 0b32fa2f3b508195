import { execa } from 'execa';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKconfigTree, loadKconfigTreeSync } from '../../src/kconfig/load-kconfig-tree.js';
import type { KconfigTree } from '../../src/kconfig/kconfig-tree.js';
import { assignmentsFromConfigText, olddefconfig } from '../../src/kconfig/olddefconfig.js';
import { kernelMakeArch, kernelSrcArch, type RpmArch } from '../../src/model/arch.js';
import { extractedKernelTree, haveLinux61 } from '../support/kernel-tree.js';

/**
 * Differential test: kplay's resolve must equal the kernel's own `make olddefconfig` byte for byte
 * (after the heading) on Debian's config and on randconfigs (fixed KCONFIG_SEEDs) each combined
 * with a random fragment, for x86_64 and aarch64.
 */
const DEBIAN_CONFIG = '/usr/src/linux-config-6.1/config.amd64_none_amd64.xz';
const SEEDS_PER_ARCH = Number(process.env.KPLAY_KCONFIG_DIFF_SEEDS ?? 52);
const ARCHES: RpmArch[] = ['x86_64', 'aarch64'];

interface Case {
  name: string;
  arch: RpmArch;
  input: string;
}

/** Small deterministic PRNG (LCG) so fragments are the same on every run. */
function prng(seed: number): (n: number) => number {
  let s = (seed * 7919 + 1) >>> 0;
  return (n) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % n;
  };
}

function randomFragment(tree: KconfigTree, seed: number): string {
  const rand = prng(seed);
  const symbols = [...tree.symbols.names()].map((n) => tree.symbols.find(n)!).filter((s) => s.type !== 'unknown');
  let out = '';
  for (let i = 0; i < 30; i++) {
    const s = symbols[rand(symbols.length)]!;
    let v: string;
    switch (s.type) {
      case 'bool':
        v = ['y', 'n'][rand(2)]!;
        break;
      case 'tristate':
        v = ['y', 'm', 'n'][rand(3)]!;
        break;
      case 'int':
        v = String(rand(5000));
        break;
      case 'hex':
        v = `0x${rand(65536).toString(16)}`;
        break;
      default:
        v = `"r${rand(100)}"`;
    }
    out += v === 'n' ? `# CONFIG_${s.name} is not set\n` : `CONFIG_${s.name}=${v}\n`;
  }
  return out;
}

function firstDifference(expected: string, actual: string): string | undefined {
  const a = expected.split('\n').slice(4);
  const b = actual.split('\n').slice(4);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i + 5}: make olddefconfig: ${JSON.stringify(a[i])}, kplay: ${JSON.stringify(b[i])}`;
  }
  return undefined;
}

describe.skipIf(!haveLinux61())('kconfig differential vs make olddefconfig (Linux 6.1)', () => {
  let work: string;
  let tree: string;
  beforeAll(async () => {
    tree = await extractedKernelTree();
    work = await mkdtemp(path.join(os.tmpdir(), 'kplay-kconfig-diff-'));
  });
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('matches byte for byte on the Debian config and randconfigs plus random fragments', async () => {
    const debian = existsSync(DEBIAN_CONFIG) ? (await execa('xz', ['-dc', DEBIAN_CONFIG])).stdout + '\n' : undefined;
    const cacheDir = path.join(work, 'cache');
    let matched = 0;
    let total = 0;
    const mismatches: string[] = [];
    for (const arch of ARCHES) {
      const makeArch = kernelMakeArch(arch);
      const out = path.join(work, `build-${arch}`);
      await mkdir(out, { recursive: true });
      const make = async (target: string, env: Record<string, string> = {}): Promise<void> => {
        await execa('make', ['-s', '-C', tree, `O=${out}`, `ARCH=${makeArch}`, target], { env, stdin: 'ignore' });
      };
      const kplayTree = await loadKconfigTree({ source: tree, arch, cacheDir });
      // the same tree restored from the parsed-tree cache the load above wrote (what warm runs use)
      expect(readdirSync(path.join(cacheDir, 'kconfig-parsed')).length).toBeGreaterThan(0);
      const restoredTree = loadKconfigTreeSync({ label: tree, root: tree, arch, srcarch: kernelSrcArch(arch), makeArch, cacheDir });
      const cases: Case[] = [];
      if (debian) cases.push({ name: `${arch} debian-amd64`, arch, input: debian });
      for (let seed = 1; seed <= SEEDS_PER_ARCH; seed++) {
        await make('randconfig', { KCONFIG_SEED: String(seed) });
        const base = await readFile(path.join(out, '.config'), 'latin1');
        cases.push({ name: `${arch} KCONFIG_SEED=${seed}`, arch, input: base + randomFragment(kplayTree, seed) });
        // resolve this case right away: the next randconfig overwrites .config
        await checkCase(cases.pop()!);
      }
      for (const c of cases) await checkCase(c);

      async function checkCase(c: Case): Promise<void> {
        await writeFile(path.join(out, '.config'), c.input, 'latin1');
        await make('olddefconfig');
        const expected = await readFile(path.join(out, '.config'), 'latin1');
        const actual = olddefconfig(kplayTree, assignmentsFromConfigText(c.input)).configText;
        const restored = olddefconfig(restoredTree, assignmentsFromConfigText(c.input)).configText;
        total++;
        const diff = firstDifference(expected, actual) ?? (restored === actual ? undefined : `cached tree: ${firstDifference(actual, restored) ?? 'heading differs'}`);
        if (diff) {
          mismatches.push(`${c.name}: ${diff}`);
          await writeFile(path.join(os.tmpdir(), `kplay-kconfig-mismatch-${c.name.replace(/\W+/g, '_')}.config`), c.input);
        } else matched++;
      }
    }
    process.stdout.write(`kconfig differential: ${matched}/${total} matched\n`);
    for (const m of mismatches) process.stdout.write(`  mismatch ${m}\n`);
    expect(total).toBeGreaterThanOrEqual(2 * SEEDS_PER_ARCH);
    expect(mismatches).toEqual([]);
  });
});
