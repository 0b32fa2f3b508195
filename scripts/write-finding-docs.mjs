// Regenerate the finding-code tables of docs/findings.md from src/findings/catalogue.ts (via dist/).
// Run with `npm run docs:codes`; test/unit/findings/catalogue.test.ts fails when they drift.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { withCodeTables } from '../dist/findings/code-tables.js';

const file = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'findings.md');
const text = await readFile(file, 'utf8');
const generated = withCodeTables(text);
if (generated === undefined) {
  process.stderr.write(`${file}: the finding-codes markers are missing\n`);
  process.exit(2);
}
// formatted like every Markdown file of the repository (npm run format:check); the drift test ignores the padding
const updated = await prettier.format(generated, { ...(await prettier.resolveConfig(file)), filepath: file });
if (updated !== text) await writeFile(file, updated);
process.stdout.write(`${path.relative(process.cwd(), file)}: ${updated === text ? 'up to date' : 'updated'}\n`);
