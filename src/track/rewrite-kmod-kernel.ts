import { isMap, isScalar, isSeq, parseDocument, type Scalar } from 'yaml';
import { UsageError } from '../findings/finding.js';

/** The changelog entry a bump adds (newest first), with the kernel its package is built for. */
export interface KmodChangelogEntry {
  date: string;
  /** Default: the author of the newest entry, else `kplay track`. */
  author?: string;
  text: string;
}

/**
 * Rewrite a kmod variant's `kmod.kernel-version` to a new kernel, and the old version-release in
 * `kmod.source.url` / `topdir` (a source named after the kernel follows it). When the URL changes,
 * the old `sha256` no longer holds and its line is removed (kplay never writes a digest it has
 * not read). With `entry`, a changelog entry for the new kernel goes on top of `changelog:` (its
 * `kernel:` gives the EVR of the package it describes). Only those ranges of the text change:
 * comments and layout stay. Returns the new text.
 */
export function rewriteKmodKernel(text: string, file: string, next: string, entry?: KmodChangelogEntry): string {
  const doc = parseDocument(text, { keepSourceTokens: true });
  if (doc.errors.length) throw new UsageError(`${file}: cannot rewrite: ${doc.errors[0]!.message}`);
  const kv = doc.getIn(['kmod', 'kernel-version'], true);
  if (!isScalar(kv) || !kv.range) throw new UsageError(`${file}: has no kmod.kernel-version to rewrite`);
  const old = String(kv.value);
  const edits: Array<{ start: number; end: number; text: string }> = [];
  const quoted = (node: Scalar, value: string) =>
    node.type === 'QUOTE_SINGLE' ? `'${value}'` : node.type === 'QUOTE_DOUBLE' ? JSON.stringify(value) : value;
  edits.push({ start: kv.range[0], end: kv.range[1], text: quoted(kv, next) });
  let urlChanged = false;
  for (const key of ['url', 'topdir']) {
    const node = doc.getIn(['kmod', 'source', key], true);
    if (!isScalar(node) || !node.range || !String(node.value).includes(old)) continue;
    edits.push({ start: node.range[0], end: node.range[1], text: quoted(node, String(node.value).split(old).join(next)) });
    if (key === 'url') urlChanged = true;
  }
  const source = doc.getIn(['kmod', 'source'], true);
  const sha = doc.getIn(['kmod', 'source', 'sha256'], true);
  if (urlChanged && isScalar(sha) && sha.range) {
    if (!isMap(source) || source.flow)
      throw new UsageError(`${file}: kmod.source is a flow map with a sha256 that no longer holds for ${next}; edit it by hand`);
    const start = text.lastIndexOf('\n', sha.range[0]) + 1;
    const nl = text.indexOf('\n', sha.range[1]);
    edits.push({ start, end: nl < 0 ? text.length : nl + 1, text: '' });
  }
  if (entry) {
    const log = doc.get('changelog', true);
    const first = isSeq(log) ? log.items[0] : undefined;
    const firstAuthor = isMap(first) ? first.get('author') : undefined;
    const author = entry.author ?? (typeof firstAuthor === 'string' ? firstAuthor : 'kplay track');
    const lines = (indent: string) =>
      [
        `${indent}- date: '${entry.date}'`,
        `${indent}  author: ${JSON.stringify(author)}`,
        `${indent}  kernel: '${next}'`,
        `${indent}  text: ${JSON.stringify(entry.text)}`,
      ].join('\n') + '\n';
    if (log === undefined || log === null) {
      edits.push({ start: text.length, end: text.length, text: `${text.endsWith('\n') || !text ? '' : '\n'}changelog:\n${lines('  ')}` });
    } else if (isSeq(log) && !log.flow && isMap(first) && first.range) {
      const lineStart = text.lastIndexOf('\n', first.range[0]) + 1;
      const indent = /^[ ]*/.exec(text.slice(lineStart))![0];
      edits.push({ start: lineStart, end: lineStart, text: lines(indent) });
    } else {
      throw new UsageError(`${file}: changelog is not a block list of entries; add the entry for ${next} by hand`);
    }
  }
  let out = text;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  const check = parseDocument(out);
  if (check.errors.length || String(check.getIn(['kmod', 'kernel-version'])) !== next)
    throw new UsageError(`${file}: rewriting kmod.kernel-version would not give valid YAML; edit it by hand`);
  return out;
}
