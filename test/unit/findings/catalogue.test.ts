import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FINDING_CODES, FINDING_GROUPS, isFindingCode } from '../../../src/findings/catalogue.js';
import {
  CODE_TABLES_BEGIN,
  CODE_TABLES_END,
  renderCodeTables,
  withCodeTables,
  withoutTablePadding,
} from '../../../src/findings/code-tables.js';
import { exitCodeForFindings } from '../../../src/findings/exit-code.js';
import { finding } from '../../../src/findings/finding.js';
import { sourceFiles } from '../../support/import-graph.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const read = (rel: string) => readFileSync(path.join(REPO, rel), 'utf8');

describe('the finding catalogue', () => {
  it('lists every code src/ reports, and only those', () => {
    const used = new Set<string>();
    for (const file of sourceFiles(path.join(REPO, 'src'))) {
      if (file === 'findings/catalogue.ts') continue;
      for (const m of read(`src/${file}`).matchAll(/['"`]([EWN]_[A-Z0-9_]*[A-Z0-9])['"`]/g)) used.add(m[1]!);
    }
    expect([...used].filter((c) => !isFindingCode(c)).sort()).toEqual([]);
    expect(
      Object.keys(FINDING_CODES)
        .filter((c) => !used.has(c))
        .sort(),
    ).toEqual([]);
  });

  it('gives each code a severity matching its prefix, an exit class and one line of meaning', () => {
    for (const [code, info] of Object.entries(FINDING_CODES)) {
      const severity = { E: 'error', W: 'warning', N: 'note' }[code[0]!];
      expect(info.severity, code).toBe(severity);
      expect(info.exit === 'none', code).toBe(info.severity !== 'error');
      expect(info.description, code).toMatch(/^[^\n]{10,200}$/);
      expect(Object.keys(FINDING_GROUPS), code).toContain(info.group);
    }
  });

  it('decides the exit status: conflicts 1, unusable input 2, warnings 0', () => {
    expect(exitCodeForFindings([finding('W_PATCH_FUZZ', 'x')])).toBe(0);
    expect(exitCodeForFindings([finding('E_VALUE_CONFLICT', 'x'), finding('E_KCONFIG_UNMET', 'y')])).toBe(1);
    expect(exitCodeForFindings([finding('E_VALUE_CONFLICT', 'x'), finding('E_SCHEMA', 'y')])).toBe(2);
    expect(finding('N_REMOTE_BASE', 'x', { hint: 'h' })).toEqual({ code: 'N_REMOTE_BASE', severity: 'note', message: 'x', hint: 'h' });
  });

  it('is what docs/findings.md shows (run `npm run docs:codes` after changing it)', () => {
    const doc = read('docs/findings.md');
    expect(doc).toContain(CODE_TABLES_BEGIN);
    expect(doc).toContain(CODE_TABLES_END);
    expect(withoutTablePadding(withCodeTables(doc)!)).toBe(withoutTablePadding(doc));
    for (const code of Object.keys(FINDING_CODES)) expect(renderCodeTables()).toContain(`| \`${code}\` |`);
  });

  it('is not copied by hand into README.md, which links docs/findings.md instead', () => {
    const readme = read('README.md');
    expect(readme).not.toMatch(/^\| `[EWN]_[A-Z0-9_]+` \|/m);
    expect(readme).toContain('docs/findings.md');
  });
});
