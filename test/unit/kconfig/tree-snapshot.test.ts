import { mkdtempSync, rmSync, utimesSync, writeFileSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { afterAll, describe, expect, it } from 'vitest';
import { KconfigEvaluator } from '../../../src/kconfig/evaluator.js';
import type { KconfigTree } from '../../../src/kconfig/kconfig-tree.js';
import { loadKconfigTreeSync } from '../../../src/kconfig/load-kconfig-tree.js';
import { assignmentsFromConfigText, olddefconfig } from '../../../src/kconfig/olddefconfig.js';
import { decodeTree, encodeTree, type TreeSnapshot } from '../../../src/kconfig/tree-snapshot.js';
import { KEEP_TREES, type StoredTree } from '../../../src/kconfig/parsed-tree-cache.js';
import { fakeTree } from './fake-tree.js';

const KCONFIG = `
mainmenu "Snap $(ARCH)"

config MODULES
	bool "Enable modules"
	modules
	default y

menu "Net"
	visible if !HIDE_NET

config NET
	bool "Networking"
	default y
	help
	  Some help.

config INET
	bool "TCP/IP"
	depends on NET
	imply CRC

if NET
config WG
	tristate "WireGuard"
	depends on m
	select CRC if INET
config WG_DEBUG
	bool "debug"
	depends on WG
endif

endmenu

config HIDE_NET
	bool

config CRC
	tristate "CRC"

choice
	prompt "Freq"
	default HZ_250
config HZ_100
	bool "100"
config HZ_250
	bool "250"
endchoice

choice NAMED
	tristate "named choice"
	optional
config A1
	tristate "a1"
config A2
	bool "a2"
endchoice

config NR
	hex "Number"
	range 0x2 0x40 if NET
	default 0x8

config NAME
	string "Name"
	default "$(ARCH)-x"

config CMP
	def_bool NR >= 0x10 || NAME = "foo"

comment "c"
	depends on !NET
`;

const INPUTS = [
  '',
  'CONFIG_WG=m\nCONFIG_A1=m\nCONFIG_NR=0x100\n# CONFIG_NET is not set\n',
  'CONFIG_HZ_100=y\nCONFIG_A2=y\nCONFIG_NAME="foo"\nCONFIG_NR=0x20\n',
];

function rebuilt(tree: KconfigTree, snap: TreeSnapshot): KconfigTree {
  const parts = decodeTree(deserialize(serialize(snap)) as TreeSnapshot);
  return { ...tree, ...parts, evaluator: new KconfigEvaluator(parts.symbols, parts.modules) };
}

describe('tree snapshot', () => {
  const tree = fakeTree({ Kconfig: KCONFIG });

  it('encodes a decoded tree to the same data (structure, order and sharing kept)', () => {
    const snap = encodeTree(tree);
    const again = encodeTree(rebuilt(tree, snap));
    expect(again).toEqual(snap);
    expect(snap.symKind.length).toBeGreaterThan(10);
  });

  it('resolves like the parsed tree', () => {
    const copy = rebuilt(tree, encodeTree(tree));
    for (const input of INPUTS) {
      const a = olddefconfig(tree, assignmentsFromConfigText(input)).configText;
      const b = olddefconfig(copy, assignmentsFromConfigText(input)).configText;
      expect(b).toBe(a);
    }
    expect(copy.symbols.all().map((s) => `${s.name}:${s.serial}`)).toEqual(tree.symbols.all().map((s) => `${s.name}:${s.serial}`));
    expect(copy.symbols.find('NAMED')).toBeUndefined();
    expect(copy.symbols.find('CRC')?.revDep).not.toBeNull();
  });

  it("keeps the stored order with the 6.11+ hash size: the loader's setting it again sorts nothing", () => {
    const wide = fakeTree({ Kconfig: KCONFIG });
    wide.symbols.hashSize = 16384;
    const expected = wide.symbols.all().map((s) => s.serial);
    const parts = decodeTree(deserialize(serialize(encodeTree(wide))) as TreeSnapshot);
    const order = parts.symbols.all();
    expect(order.map((s) => s.serial)).toEqual(expected);
    parts.symbols.hashSize = 16384; // what load-kconfig-tree.ts does with the dialect's size
    expect(parts.symbols.all()).toBe(order);
  });
});

describe('parsed tree cache', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kplay-snapshot-'));
  const root = path.join(dir, 'tree');
  const cacheDir = path.join(dir, 'cache');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(root, 'sub'), { recursive: true });
  writeFileSync(path.join(root, 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 0\n');
  writeFileSync(path.join(root, 'Kconfig'), 'config A\n\tbool "a"\n\tdefault y\nsource "sub/Kconfig"\nosource "sub/Kconfig.opt"\n');
  writeFileSync(path.join(root, 'sub', 'Kconfig'), 'config B\n\tbool "b"\n');
  const load = () => loadKconfigTreeSync({ label: root, root, srcarch: 'x86', makeArch: 'x86_64', cacheDir, tools: { CC: 'true' } });
  const names = (t: KconfigTree) => [...t.symbols.names()].sort();

  it('stores the tree, reuses it, and notices changed and new files', () => {
    const first = load();
    expect(readdirSync(path.join(cacheDir, 'kconfig-parsed'))).toHaveLength(1);
    const second = load();
    expect(second.symbols).not.toBe(first.symbols);
    expect(names(second)).toEqual(['A', 'B']);
    expect(olddefconfig(second, []).configText).toBe(olddefconfig(first, []).configText);

    writeFileSync(path.join(root, 'sub', 'Kconfig'), 'config C\n\tbool "c"\n');
    expect(names(load())).toEqual(['A', 'C']);

    writeFileSync(path.join(root, 'sub', 'Kconfig.opt'), 'config D\n\tbool "d"\n');
    expect(names(load())).toEqual(['A', 'C', 'D']);

    // same content, new mtime: still valid (digest), same answer
    utimesSync(path.join(root, 'Kconfig'), new Date(), new Date(Date.now() + 5000));
    expect(names(load())).toEqual(['A', 'C', 'D']);
  });

  it('notices an edit that keeps the size and the mtime of a file changed just before the parse', () => {
    const sub = path.join(root, 'sub', 'Kconfig');
    const tick = Math.floor(Date.now() / 1000); // a whole second: utimes keeps it exactly
    writeFileSync(sub, 'config P\n\tbool "p"\n');
    utimesSync(sub, tick, tick);
    expect(names(load())).toContain('P');
    writeFileSync(sub, 'config Q\n\tbool "q"\n'); // same size
    utimesSync(sub, tick, tick); // and, as within one timestamp tick, the same mtime
    expect(names(load())).toContain('Q');
    writeFileSync(sub, 'config C\n\tbool "c"\n');
  });

  it('a record checked by digest (changed just before the parse) is refreshed once the file has settled', () => {
    const own = mkdtempSync(path.join(os.tmpdir(), 'kplay-settle-'));
    try {
      const tree = path.join(own, 'tree');
      const cache = path.join(own, 'cache');
      mkdirSync(tree);
      writeFileSync(path.join(tree, 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 0\n');
      writeFileSync(path.join(tree, 'Kconfig'), 'config S\n\tbool "s"\n');
      const loadOwn = () =>
        loadKconfigTreeSync({ label: tree, root: tree, srcarch: 'x86', makeArch: 'x86_64', cacheDir: cache, tools: { CC: 'true' } });
      const record = () => {
        const parsed = path.join(cache, 'kconfig-parsed');
        const [bin] = readdirSync(parsed).filter((n) => n.endsWith('.bin'));
        return (deserialize(readFileSync(path.join(parsed, bin!))) as StoredTree).reads.find((r) => r.path === 'Kconfig')!;
      };
      loadOwn(); // parsed right after the write: racily clean, so checked by digest
      expect(record().mtimeMs).toBe(-1);
      const settled = new Date(Date.now() - 60_000);
      utimesSync(path.join(tree, 'Kconfig'), settled, settled);
      expect(names(loadOwn())).toEqual(['S']);
      // without the refresh every later load would read and hash the file again
      const st = statSync(path.join(tree, 'Kconfig'));
      expect(record()).toMatchObject({ mtimeMs: st.mtimeMs, size: st.size });
      expect(names(loadOwn())).toEqual(['S']);
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });

  it('keeps at most KEEP_TREES parsed trees: the least recently used go, the one just read stays', () => {
    const parsed = path.join(cacheDir, 'kconfig-parsed');
    const [own] = readdirSync(parsed);
    // older entries of other trees (and engine builds), used a day ago and earlier
    for (let i = 0; i < KEEP_TREES + 5; i++) {
      const f = path.join(parsed, `old-${String(i).padStart(2, '0')}.bin`);
      writeFileSync(f, 'x');
      const t = new Date(Date.now() - (i + 1) * 86_400_000);
      utimesSync(f, t, t);
    }
    utimesSync(path.join(parsed, own!), new Date(0), new Date(0)); // oldest of all, until read
    expect(names(load())).toEqual(['A', 'C', 'D']); // a hit: marks it used
    // another tree parsed: written, then the cache trimmed
    const other = path.join(dir, 'other');
    mkdirSync(other);
    writeFileSync(path.join(other, 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 0\n');
    writeFileSync(path.join(other, 'Kconfig'), 'config Z\n\tbool "z"\n');
    loadKconfigTreeSync({ label: other, root: other, srcarch: 'x86', makeArch: 'x86_64', cacheDir, tools: { CC: 'true' } });
    const left = readdirSync(parsed).filter((n) => n.endsWith('.bin'));
    expect(left).toHaveLength(KEEP_TREES);
    expect(left).toContain(own);
    expect(left.filter((n) => !n.startsWith('old-') && n !== own)).toHaveLength(1);
    // the most recently used old entries stay, the oldest went
    expect(left).toContain('old-00.bin');
    expect(left).not.toContain(`old-${String(KEEP_TREES + 4).padStart(2, '0')}.bin`);
  });
});
