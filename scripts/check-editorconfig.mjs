#!/usr/bin/env node
// Checks the repository's files against .editorconfig: LF line ends, UTF-8, a final newline, no
// trailing whitespace, spaces (or tabs) for indentation. Files Prettier formats are left to
// `prettier --check`, which applies the same .editorconfig and also knows where a string or a
// template literal may hold a tab or a trailing space. Prints one line per file and problem.
//
//   node scripts/check-editorconfig.mjs [file...]     (default: every file git knows of)
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'editorconfig';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Extensions Prettier formats in this repository (see .prettierrc, .prettierignore). */
const PRETTIER = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json', '.md', '.yml', '.yaml', '.css', '.html']);

function files() {
  const args = process.argv.slice(2);
  if (args.length) return args;
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root });
  return out.toString('utf8').split('\0').filter(Boolean);
}

/** @param {string} rel */
async function check(rel) {
  const abs = path.resolve(root, rel);
  let st;
  try {
    st = statSync(abs);
  } catch {
    return []; // deleted in the work tree
  }
  if (!st.isFile() || PRETTIER.has(path.extname(rel))) return [];
  const props = await parse(abs);
  const buf = readFileSync(abs);
  if (buf.includes(0)) return []; // binary
  const problems = [];
  const text = buf.toString('utf8');
  if (props.charset === 'utf-8' && Buffer.compare(Buffer.from(text, 'utf8'), buf) !== 0) problems.push('is not valid UTF-8');
  if (props.end_of_line === 'lf' && text.includes('\r')) problems.push('has CR line ends (end_of_line = lf)');
  if (props.insert_final_newline === true && text.length > 0 && !text.endsWith('\n')) problems.push('does not end with a newline');
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const where = `line ${i + 1}`;
    if (props.trim_trailing_whitespace === true && /[ \t]+$/.test(line)) problems.push(`${where}: trailing whitespace`);
    const indent = /^[ \t]*/.exec(line)?.[0] ?? '';
    if (props.indent_style === 'space' && indent.includes('\t')) problems.push(`${where}: tab in indentation (indent_style = space)`);
    if (props.indent_style === 'tab' && /^ +\S/.test(line) && !/^ \*/.test(line))
      problems.push(`${where}: spaces in indentation (indent_style = tab)`);
  });
  return problems.map((p) => `${rel}: ${p}`);
}

const all = (await Promise.all(files().map(check))).flat();
for (const p of all) console.error(p);
if (all.length) {
  console.error(`editorconfig: ${all.length} problem(s); see .editorconfig`);
  process.exit(1);
}
