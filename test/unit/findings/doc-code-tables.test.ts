import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT_CODE_OF_CLASS, FINDING_CODES } from '../../../src/findings/catalogue.js';
import { ROOT_OF_REPO } from '../../support/paths.js';

/** `| CODE | severity | exit | meaning |` rows of a user doc's own code table. */
function rows(doc: string): Map<string, { severity?: string; exit: string }> {
  const out = new Map<string, { severity?: string; exit: string }>();
  for (const line of readFileSync(path.join(ROOT_OF_REPO, 'docs', doc), 'utf8').split('\n')) {
    const m = /^\|\s*([EWN]_[A-Z0-9_]+)\s*\|(?:\s*(error|warning|note)\s*\|)?\s*(\d)\s*\|/.exec(line);
    if (m) out.set(m[1]!, { ...(m[2] ? { severity: m[2] } : {}), exit: m[3]! });
  }
  return out;
}

describe.each(['overlay.md', 'kmod.md'])("docs/%s's code table follows the catalogue", (doc) => {
  const table = rows(doc);
  it("gives each code the catalogue's severity and exit status", () => {
    expect(table.size).toBeGreaterThan(5);
    for (const [code, row] of table) {
      const info = FINDING_CODES[code as keyof typeof FINDING_CODES];
      expect(info, `${code} is not in the catalogue`).toBeDefined();
      if (row.severity) expect(row.severity, code).toBe(info.severity);
      expect(Number(row.exit), code).toBe(EXIT_CODE_OF_CLASS[info.exit]);
    }
  });
});

describe('docs/kmod.md names every kmod code', () => {
  const table = rows('kmod.md');
  it('lists every kmod and kABI code', () => {
    const kmodCodes = Object.keys(FINDING_CODES).filter((c) => /^[EWN]_K(MOD|ABI)_/.test(c));
    expect(kmodCodes.length).toBeGreaterThan(5);
    expect(kmodCodes.filter((c) => !table.has(c))).toEqual([]);
  });
});
