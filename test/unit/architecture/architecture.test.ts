import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importCycles, importGraph, importsOf, sourceFiles } from '../../support/import-graph.js';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src');
const graph = importGraph(SRC);

// The layer rule of docs/architecture.md: a folder imports only the folders listed for it.
const MAY_IMPORT: Record<string, readonly string[]> = {
  findings: ['findings'],
  model: ['model', 'findings'],
  fs: ['fs'],
};

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

  it('has no import cycles (static, type-only or dynamic)', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(importCycles(graph)).toEqual([]);
  });

  it('keeps the lower layers free of imports from above', () => {
    const wrong: string[] = [];
    for (const [file, targets] of graph) {
      const from = file.split('/')[0]!;
      const allowed = MAY_IMPORT[from];
      for (const t of targets) {
        const to = t.split('/')[0]!;
        if (allowed && !allowed.includes(to)) wrong.push(`${file} -> ${t}`);
        if (to === 'cli' && from !== 'cli') wrong.push(`${file} -> ${t} (only the CLI imports the CLI)`);
      }
    }
    expect(wrong).toEqual([]);
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
