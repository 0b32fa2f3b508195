import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importCycles, importGraph, importsOf, sourceFiles, type ImportGraph } from '../../support/import-graph.js';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src');
const graph = importGraph(SRC);

/** The folder of a file of src/ (`bases/kmod/x.ts` → `bases`); a file at the top is its own (`version.ts`). */
const folderOf = (file: string): string => file.split('/')[0]!;

// The layer rule of docs/architecture.md as a table: every folder of src/, from the bottom up. A
// folder imports only folders listed before it. A new folder must be placed here.
const FOLDERS_BOTTOM_UP = [
  // 1. the finding type and catalogue, link-safe file helpers, the version
  'findings',
  'fs',
  'version.ts',
  // 2. pure types and value helpers, leaf utilities with no kplay stage below them
  'model',
  'ini',
  'net', // request caps, same-origin redirects, credential redaction, network findings
  'notify',
  'progress',
  'sandbox',
  'boundary', // the rendering boundary: every user value reaching a spec, shell line or file name
  'xmlrpc', // the XML-RPC client (Koji hubs: CBS submit, CentOS Stream tags)
  // 3. the engines
  'sources',
  'patches',
  'kconfig',
  'releases',
  // 4. loading and resolving, then what takes the resolved features
  'resolve',
  'config',
  'load',
  'render',
  // 5. the base kinds, then the composer that calls them
  'bases',
  'compose',
  // 6. what works on composed output
  'rpm',
  'signing',
  'kabi',
  'submit',
  'kmm',
  'matrix',
  'track',
  'lint',
  'try',
  'doctor',
  // 7. the command line: nothing else imports it
  'cli',
] as const;

// Imports that still point up the table (`from -> to`), each with why. They all lie in the one
// folder cycle below; issue 30's plugin step (an orchestrator layer above the kinds, the kinds
// owning their SRPM sources and manifest sections) removes them. The list may only shrink.
const KNOWN_UPWARD: Record<string, string> = {
  'resolve -> load': 'resolve-features loads the features a variant requires as it finds them (load-feature)',
  'load -> bases': 'load-variant asks the base-kind registry for the settings loader of a variant',
  'bases -> compose': 'the kinds use helpers that live in compose/ (manifest, resolve-kconfig, output-marker, write-output)',
  'bases -> rpm': 'the kinds name their SRPM sources (rpm/srpm-sources.ts) and kmod unpacks kernel-devel RPMs (rpm/unpack-rpm.ts)',
  'bases -> kabi': 'the kmod kind checks its module against the kABI while compiling it',
};

// Folder cycles (strongly connected folders) that exist today; a new one, or a new folder joining
// one, fails. Issue 30 asks for none.
const KNOWN_FOLDER_CYCLES: string[][] = [['bases', 'compose', 'config', 'kabi', 'load', 'render', 'resolve', 'rpm', 'signing']];

/** The folder graph of src/: folder → folders it imports (static, type-only and dynamic imports). */
function folderGraph(files: ImportGraph): ImportGraph {
  const out = new Map<string, Set<string>>();
  for (const [file, targets] of files) {
    const from = folderOf(file);
    const set = out.get(from) ?? new Set<string>();
    out.set(from, set);
    for (const t of targets) if (folderOf(t) !== from) set.add(folderOf(t));
  }
  return new Map([...out].map(([k, v]) => [k, [...v].sort()]));
}

/** `from -> to` folder imports that point up the table, with the file imports behind each. */
function upwardImports(files: ImportGraph, order: readonly string[]): Map<string, string[]> {
  const rank = new Map(order.map((f, i) => [f, i]));
  const out = new Map<string, string[]>();
  for (const [file, targets] of files)
    for (const t of targets) {
      const from = folderOf(file);
      const to = folderOf(t);
      if (from === to || (rank.get(to) ?? Infinity) < (rank.get(from) ?? -1)) continue;
      const key = `${from} -> ${to}`;
      out.set(key, [...(out.get(key) ?? []), `${file} -> ${t}`]);
    }
  return out;
}

describe('import graph of src/', () => {
  it('parses static, type-only and dynamic imports', () => {
    const text =
      "import a from './a.js';\nimport type { B } from '../b.js';\nexport { c } from './c.js';\nconst d = await import('./d.js');\n// import e from './e.js';\n";
    expect(importsOf('/x', 'dir/f.ts', text).sort()).toEqual(['b.ts', 'dir/a.ts', 'dir/c.ts', 'dir/d.ts']);
  });

  it('finds a cycle when there is one', () => {
    expect(
      importCycles(
        new Map([
          ['a.ts', ['b.ts']],
          ['b.ts', ['c.ts']],
          ['c.ts', ['a.ts']],
          ['d.ts', ['a.ts']],
        ]),
      ),
    ).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });

  it('has no import cycles between files (static, type-only or dynamic)', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(importCycles(graph)).toEqual([]);
  });

  it('reaches the Kconfig engine only through kconfig/index.ts', () => {
    const around = [...graph].flatMap(([file, targets]) =>
      file.startsWith('kconfig/')
        ? []
        : targets
            // the stored-answer path of kconfig resolve must not load the engine: it has two small entries of its own
            .filter(
              (t) => t.startsWith('kconfig/') && !['kconfig/index.ts', 'kconfig/resolve-memo.ts', 'kconfig/memoised-shell.ts'].includes(t),
            )
            .map((t) => `${file} -> ${t}`),
    );
    expect(around).toEqual([]);
  });
});

describe('the folder table (docs/architecture.md, "The layer rule")', () => {
  const folders = folderGraph(graph);

  it('places every folder of src/, and only those', () => {
    expect([...folders.keys()].sort()).toEqual([...FOLDERS_BOTTOM_UP].sort());
  });

  it('has imports pointing down the table, but for the known upward ones', () => {
    const up = upwardImports(graph, FOLDERS_BOTTOM_UP);
    const unknown = [...up].filter(([k]) => !(k in KNOWN_UPWARD)).map(([k, v]) => `${k}: ${v.join(', ')}`);
    expect(unknown).toEqual([]);
    // a fixed one leaves the list
    expect(Object.keys(KNOWN_UPWARD).filter((k) => !up.has(k))).toEqual([]);
  });

  it('lets nothing outside the CLI import the CLI', () => {
    const wrong = [...graph].flatMap(([file, targets]) =>
      folderOf(file) === 'cli' ? [] : targets.filter((t) => folderOf(t) === 'cli').map((t) => `${file} -> ${t}`),
    );
    expect(wrong).toEqual([]);
  });

  it('has no folder cycles but the known one', () => {
    expect(importCycles(folders)).toEqual(KNOWN_FOLDER_CYCLES);
  });

  it('would catch an upward import and a folder cycle', () => {
    const files: ImportGraph = new Map([
      ['model/a.ts', ['findings/b.ts']],
      ['findings/b.ts', ['model/c.ts']],
      ['model/c.ts', []],
    ]);
    expect([...upwardImports(files, ['findings', 'model']).keys()]).toEqual(['findings -> model']);
    expect(importCycles(folderGraph(files))).toEqual([['findings', 'model']]);
  });
});

describe('base kinds', () => {
  // a test of which base a variant builds on: only src/bases/ may decide by base kind
  const KIND_TEST =
    /isVanillaVariant|\bisKmod\b|\btype\s*[!=]==?\s*'kmod'|kind\s*[!=]==?\s*'(vanilla|fedora|centos-stream|kernel-devel)'|case\s+'(vanilla|fedora|centos-stream|kernel-devel)'/;

  it('are decided by src/bases/ alone: no kind test elsewhere in src/', () => {
    const found: string[] = [];
    for (const file of sourceFiles(SRC)) {
      if (file.startsWith('bases/')) continue;
      readFileSync(path.join(SRC, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (KIND_TEST.test(line)) found.push(`src/${file}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(found).toEqual([]);
  });

  it('would catch one', () => {
    expect(KIND_TEST.test("if (variant.base.kind === 'fedora') {")).toBe(true);
    expect(KIND_TEST.test("const isKmod = merged.type === 'kmod';")).toBe(true);
    expect(KIND_TEST.test("if (base.kind === 'url')")).toBe(false);
  });
});
