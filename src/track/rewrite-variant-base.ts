import { isMap, isScalar, parse, parseDocument, Scalar, type Document } from 'yaml';
import { rmSync } from 'node:fs';
import { chmod, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../findings/finding.js';
import { cleanupOnSignal } from '../fs/cleanup-on-signal.js';
import { validateAgainstSchema } from '../model/schemas.js';
import { parseYamlSource } from '../model/yaml-source.js';

export interface NewBase {
  version: string;
  url: string;
  sha256: string;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** A scalar as YAML text in the style of the node it replaces (quotes kept; plain only when it reads back the same). */
function renderScalar(value: string, style: Scalar['type'] | undefined): string {
  if (style === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  if (style === 'QUOTE_DOUBLE') return JSON.stringify(value);
  let plainOk: boolean;
  try {
    plainOk = parse(value) === value && !/[#:]\s|\s$/.test(value);
  } catch {
    plainOk = false;
  }
  return plainOk ? value : JSON.stringify(value);
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function afterLine(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

function scalarAt(doc: Document, keyPath: string[]): Scalar | undefined {
  const node = doc.getIn(keyPath, true);
  return isScalar(node) && node.range ? node : undefined;
}

/** Where a block-map key starts (its column is the indentation of its siblings). */
function keyStart(doc: Document, mapPath: string[], key: string): number | undefined {
  const map = doc.getIn(mapPath, true);
  if (!isMap(map) || map.flow) return undefined;
  const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
  return isScalar(pair?.key) ? pair.key.range?.[0] : undefined;
}

/**
 * Rewrite a variant's `base.version` and `base.source` (url, sha256, and a topdir that named the
 * old release). The yaml document API finds the nodes and their source ranges; only those ranges
 * of the text are replaced (or a line added), so comments, quoting, flow lists and spacing
 * elsewhere stay byte for byte. Returns the new text.
 */
export function rewriteVariantBase(text: string, file: string, next: NewBase): string {
  const doc = parseDocument(text, { keepSourceTokens: true });
  if (doc.errors.length) throw new UsageError(`${file}: cannot rewrite: ${doc.errors[0]!.message}`);
  // lines kplay adds end like the file's own lines
  const eol = /\r\n/.test(text) ? '\r\n' : '\n';
  const version = scalarAt(doc, ['base', 'version']);
  if (!version) throw new UsageError(`${file}: has no base.version to rewrite`);
  const oldVersion = String(version.value);
  const edits: Edit[] = [];
  const replace = (node: Scalar, value: string) =>
    edits.push({ start: node.range![0], end: node.range![1], text: renderScalar(value, node.type) });
  replace(version, next.version);

  const source = doc.getIn(['base', 'source'], true);
  if (isMap(source) && !source.flow) {
    const url = scalarAt(doc, ['base', 'source', 'url']);
    const sha = scalarAt(doc, ['base', 'source', 'sha256']);
    const topdir = scalarAt(doc, ['base', 'source', 'topdir']);
    const first = source.items[0];
    const anchorKey = keyStart(doc, ['base', 'source'], isScalar(first?.key) ? String(first.key.value) : '');
    const indent = anchorKey !== undefined ? ' '.repeat(anchorKey - lineStart(text, anchorKey)) : '    ';
    const lastValue = source.items.at(-1)?.value as { range?: [number, number, number] } | undefined;
    const appendAt = lastValue?.range ? afterLine(text, lastValue.range[1]) : afterLine(text, source.range![0]);
    const added: string[] = [];
    if (url) replace(url, next.url);
    else added.push(`${indent}url: ${renderScalar(next.url, undefined)}${eol}`);
    if (sha) replace(sha, next.sha256);
    else added.push(`${indent}sha256: ${renderScalar(next.sha256, undefined)}${eol}`);
    if (topdir && topdir.value === `linux-${oldVersion}`) replace(topdir, `linux-${next.version}`);
    if (added.length) edits.push({ start: appendAt, end: appendAt, text: added.join('') });
  } else if (source === undefined || source === null) {
    const at = keyStart(doc, ['base'], 'version');
    // base: { kind: vanilla, version: ... } (a flow map): lines added below would land at the top level
    if (at === undefined) throw new UsageError(`${file}: base is not a block map; add base.source by hand`);
    const indent = ' '.repeat(at - lineStart(text, at));
    const insertAt = afterLine(text, version.range![1]);
    edits.push({
      start: insertAt,
      end: insertAt,
      text: `${indent}source:${eol}${indent}  url: ${renderScalar(next.url, undefined)}${eol}${indent}  sha256: ${renderScalar(next.sha256, undefined)}${eol}`,
    });
  } else {
    throw new UsageError(`${file}: base.source is not a block map; edit it by hand`);
  }

  let out = text;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  const check = parseYamlSource(file, out);
  const data = check.data as { base?: { version?: unknown; source?: { url?: unknown; sha256?: unknown } } } | undefined;
  const schema = check.source ? validateAgainstSchema('variant', check.source, data) : [];
  if (
    !check.source ||
    schema.length ||
    String(data?.base?.version) !== next.version ||
    data?.base?.source?.url !== next.url ||
    data?.base?.source?.sha256 !== next.sha256
  ) {
    throw new UsageError(
      `${file}: rewriting base would not give a valid variant (${[...check.findings, ...schema][0]?.message ?? 'the values do not read back'}); edit it by hand`,
    );
  }
  return out;
}

/**
 * Rewrite the variant file `file` in place, safely: through a symlink to its target, the new text
 * loaded and schema-checked first (an invalid result throws a UsageError), written to a sibling of
 * the target with the target's mode and renamed over it. On any failure the original is untouched.
 */
export async function replaceVariantFile(file: string, rewrite: (text: string) => string): Promise<void> {
  const target = await realpath(file);
  const info = await stat(target);
  if (!info.isFile()) throw new UsageError(`${file} is not a regular file; not rewritten`);
  const updated = rewrite(await readFile(target, 'utf8'));
  const check = parseYamlSource(file, updated);
  const schema = check.source ? validateAgainstSchema('variant', check.source, check.data) : [];
  if (!check.source || schema.length) {
    throw new UsageError(
      `${file}: the rewritten variant would not be valid (${[...check.findings, ...schema][0]?.message ?? 'unreadable'}); edit it by hand`,
    );
  }
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.kplay-${process.pid}.tmp`);
  const unregister = cleanupOnSignal(() => rmSync(tmp, { force: true }));
  try {
    await writeFile(tmp, updated, { mode: info.mode & 0o7777, flag: 'wx' });
    await chmod(tmp, info.mode & 0o7777);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  } finally {
    unregister();
  }
}

/** Rewrite the base of the variant file `file` in place (replaceVariantFile). */
export async function replaceVariantBase(file: string, next: NewBase): Promise<void> {
  await replaceVariantFile(file, (text) => rewriteVariantBase(text, file, next));
}
