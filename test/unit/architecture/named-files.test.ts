import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The newcomer guides name files (`src/bases/index.ts`, `schemas/variant.schema.json`, ...): a move
// or a rename that leaves a guide pointing at nothing fails here.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const GUIDES = ['CONTRIBUTING.md', 'docs/architecture.md'];

/** The repository paths a Markdown text names in `code spans` and (links); placeholders (`<kind>`, `…`, `*`) left out. */
function namedPaths(text: string): string[] {
  const out = new Set<string>();
  const candidates = [...text.matchAll(/`([^`\n]+)`/g), ...text.matchAll(/\]\(([^)\s#]+)/g)].map((m) => m[1]!);
  for (const c of candidates)
    for (const word of c.split(/[\s,]+/)) {
      const p = word.replace(/[:;.)]+$/, '').replace(/^\(/, '');
      if (!/^(src|test|docs|schemas|scripts|features|variants|specfile-templates|bench)\//.test(p)) continue;
      if (/[<>…*{}]|\.\.\./.test(p)) continue; // a placeholder
      out.add(p);
    }
  return [...out].sort();
}

describe('files the guides name', () => {
  it('finds paths in code spans and links, and skips placeholders', () => {
    expect(namedPaths('see `src/bases/index.ts` and [x](docs/kmod.md), not `src/bases/<kind>/`, `scripts/*.mjs`')).toEqual([
      'docs/kmod.md',
      'src/bases/index.ts',
    ]);
  });

  for (const guide of GUIDES)
    it(`exist: ${guide}`, () => {
      const named = namedPaths(readFileSync(path.join(ROOT, guide), 'utf8'));
      expect(named.length).toBeGreaterThan(5);
      expect(named.filter((p) => !existsSync(path.join(ROOT, p)))).toEqual([]);
    });
});
