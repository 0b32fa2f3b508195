import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { Finding, SourceLocation } from '../findings/finding.js';

/** A parsed YAML file that can say where any value in it came from. */
export interface YamlSource {
  file: string;
  text: string;
  doc: Document;
  lines: LineCounter;
}

export type YamlPath = ReadonlyArray<string | number>;

const CORE_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

/** Aliases expanded per document at most (a "billion laughs" document needs far more). */
export const MAX_YAML_ALIASES = 100;

/**
 * Parse one YAML document of a repository file. Limited to what a variant or feature needs: the
 * YAML 1.2 core schema (no custom or language tags: an unresolved tag such as `!!js/function` is
 * an error, not a string), one document per file, and at most MAX_YAML_ALIASES alias
 * expansions. `data` is the document as plain values.
 */
export function parseYamlSource(file: string, text: string): { source?: YamlSource; data?: unknown; findings: Finding[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: true,
    uniqueKeys: true,
    schema: 'core',
    customTags: [],
    merge: false,
    version: '1.2',
  });
  const at = (e: { linePos?: [{ line: number; col: number }] | [{ line: number; col: number }, { line: number; col: number }] }) => ({
    file,
    line: e.linePos?.[0].line ?? 0,
    col: e.linePos?.[0].col ?? 0,
  });
  const findings: Finding[] = doc.errors.map((e) =>
    e.code === 'MULTIPLE_DOCS'
      ? {
          code: 'E_YAML_SYNTAX',
          severity: 'error' as const,
          message: 'the file holds more than one YAML document (a second --- line)',
          where: at(e),
          hint: 'keep one document per file: remove the --- separator and what follows',
        }
      : {
          code: 'E_YAML_SYNTAX',
          severity: 'error' as const,
          message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''),
          where: at(e),
          hint: 'fix the YAML syntax at this position',
        },
  );
  for (const w of doc.warnings) {
    findings.push({
      code: w.code === 'TAG_RESOLVE_FAILED' ? 'E_YAML_TAG' : 'E_YAML_SYNTAX',
      severity: 'error',
      message:
        w.code === 'TAG_RESOLVE_FAILED'
          ? `${w.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}: kplay reads the YAML core schema only`
          : w.message.split('\n')[0]!,
      where: at(w),
      hint: 'remove the tag; write plain strings, numbers, lists and maps',
    });
  }
  // the yaml library also resolves !!binary, !!set, !!omap ... under the core schema: refuse them too
  visit(doc, {
    Node(_key, node) {
      if (node.tag && !CORE_TAGS.has(node.tag)) {
        const where = node.range ? locationOf({ file, text, doc, lines }, node.range[0]) : { file, line: 1, col: 1 };
        if (findings.some((f) => f.where?.line === where.line)) return;
        findings.push({
          code: 'E_YAML_TAG',
          severity: 'error',
          message: `the tag ${node.tag.replace('tag:yaml.org,2002:', '!!')} is not in the YAML core schema, which is all kplay reads`,
          where,
          hint: 'remove the tag; write plain strings, numbers, lists and maps',
        });
      }
    },
  });
  if (findings.length) return { findings };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    return {
      findings: [
        {
          code: 'E_YAML_ALIAS',
          severity: 'error',
          message: `the document expands aliases (*name) more than ${MAX_YAML_ALIASES} times, or in a cycle: ${(err as Error).message}`,
          where: { file, line: 1, col: 1 },
          hint: 'write the values out instead of nesting aliases',
        },
      ],
    };
  }
  return { source: { file, text, doc, lines }, data, findings };
}

function locationOf(src: YamlSource, offset: number): SourceLocation {
  const pos = src.lines.linePos(offset);
  return { file: src.file, line: pos.line, col: pos.col };
}

/** The node at a path (map keys and sequence indexes), or undefined. */
export function nodeAt(src: YamlSource, path: YamlPath): Node | undefined {
  let node: unknown = src.doc.contents;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
      node = pair?.value;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key];
    } else {
      return undefined;
    }
  }
  return node as Node | undefined;
}

/** The key node of the last path element when it is a map key (to point at `unknown: ...`). */
export function keyNodeAt(src: YamlSource, path: YamlPath): Node | undefined {
  if (path.length === 0) return undefined;
  const parent = nodeAt(src, path.slice(0, -1));
  const last = path[path.length - 1];
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(last));
  return pair?.key as Node | undefined;
}

/**
 * Where a value is, for messages: the value's node, else its key, else the nearest ancestor that
 * exists, else the top of the file.
 */
export function locate(src: YamlSource, path: YamlPath, preferKey = false): SourceLocation {
  for (let n = path.length; n >= 0; n--) {
    const sub = path.slice(0, n);
    const node = preferKey && n === path.length ? (keyNodeAt(src, sub) ?? nodeAt(src, sub)) : nodeAt(src, sub);
    if (node?.range) return locationOf(src, node.range[0]);
  }
  return { file: src.file, line: 1, col: 1 };
}
