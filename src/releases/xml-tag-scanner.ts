/**
 * A linear, streaming scanner for the plain XML of repository metadata (repomd.xml,
 * primary.xml): it reports start tags (with their attributes), end tags and text, chunk by
 * chunk, and keeps at most one unfinished tag between chunks. Every byte is looked at a bounded
 * number of times, so hostile input (80,000 unclosed `<package>`, repeated `<data
 * type="primary">`, a 1 GB answer) costs time in proportion to its size, never quadratic, and
 * memory bounded by MAX_TAG_CHARS. Not a validating parser: what it cannot read is skipped or,
 * for a tag longer than MAX_TAG_CHARS, an error.
 *
 * Why our own: neither library the issue names streams here — fast-xml-parser (a devDependency)
 * parses whole documents into objects (a 40 MB primary.xml needs ~10x in memory), saxes is not a
 * dependency; this reads three elements and benchmarks at ~150 MB/s (bench in the commit).
 */

/** A tag longer than this (attributes included) is not repository metadata. */
export const MAX_TAG_CHARS = 64 * 1024;

export interface XmlTagHandler {
  open(name: string, attrs: ReadonlyMap<string, string>, selfClosing: boolean): void;
  close(name: string): void;
  text(text: string): void;
}

export class XmlTagError extends Error {}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** XML's five entities and numeric references; an unknown one is kept as it is. One pass. */
export function unescapeXml(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-z]{2,4});/g, (all, e: string) => {
    if (e.startsWith('#x')) return safeCodePoint(parseInt(e.slice(2), 16)) ?? all;
    if (e.startsWith('#')) return safeCodePoint(parseInt(e.slice(1), 10)) ?? all;
    return ENTITIES[e] ?? all;
  });
}

function safeCodePoint(n: number): string | undefined {
  return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : undefined;
}

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/** name="value" / name='value' pairs of a start tag's inside (after its name), one pass. */
function parseAttributes(s: string, from: number): Map<string, string> {
  const attrs = new Map<string, string>();
  let i = from;
  const n = s.length;
  while (i < n) {
    while (i < n && isSpace(s.charCodeAt(i))) i++;
    const nameStart = i;
    while (i < n && !isSpace(s.charCodeAt(i)) && s[i] !== '=' && s[i] !== '/') i++;
    const name = s.slice(nameStart, i);
    while (i < n && isSpace(s.charCodeAt(i))) i++;
    if (s[i] !== '=') {
      if (i === nameStart) i++; // a stray '/' or '=': step over it
      continue;
    }
    i++;
    while (i < n && isSpace(s.charCodeAt(i))) i++;
    const q = s[i];
    if (q !== '"' && q !== "'") continue;
    const end = s.indexOf(q, i + 1);
    if (end < 0) break;
    if (name && !attrs.has(name)) attrs.set(name, unescapeXml(s.slice(i + 1, end)));
    i = end + 1;
  }
  return attrs;
}

/** Where the tag opened at `lt` ends (the index of its `>`), skipping quoted attribute values; -1 when not in `s` yet. */
function tagEnd(s: string, lt: number): number {
  let quote = '';
  for (let i = lt + 1; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i;
  }
  return -1;
}

export class XmlTagScanner {
  private pending = '';

  constructor(private readonly handler: XmlTagHandler) {}

  /** Feed the next piece of the document. */
  push(chunk: string): void {
    const s = this.pending + chunk;
    this.pending = '';
    let pos = 0;
    for (;;) {
      const lt = s.indexOf('<', pos);
      if (lt < 0) {
        if (pos < s.length) this.handler.text(s.slice(pos));
        return;
      }
      if (lt > pos) this.handler.text(s.slice(pos, lt));
      const next = this.special(s, lt) ?? this.element(s, lt);
      if (next < 0) {
        this.pending = s.slice(lt);
        if (this.pending.length > MAX_TAG_CHARS)
          throw new XmlTagError(`a tag (or comment) longer than ${MAX_TAG_CHARS / 1024} KiB: this is not repository metadata`);
        return;
      }
      pos = next;
    }
  }

  /** The document ended: an unfinished tag is an error. */
  end(): void {
    if (this.pending) throw new XmlTagError('the document ends inside a tag');
  }

  /** Comments, CDATA, processing instructions and declarations: the index after them, -1 if unfinished, undefined if not one. */
  private special(s: string, lt: number): number | undefined {
    const forms: Array<[string, string]> = [
      ['<!--', '-->'],
      ['<![CDATA[', ']]>'],
      ['<?', '?>'],
      ['<!', '>'],
    ];
    for (const [open, close] of forms) {
      if (!s.startsWith(open, lt)) {
        // a prefix of an opener at the end of the chunk: wait for more
        if (s.length - lt < open.length && open.startsWith(s.slice(lt))) return -1;
        continue;
      }
      const end = s.indexOf(close, lt + open.length);
      if (end < 0) return -1;
      if (open === '<![CDATA[')
        this.handler.text(
          s
            .slice(lt + open.length, end)
            .replace(/&/g, '&amp;')
            .replace(/</g, '&lt;'),
        );
      return end + close.length;
    }
    return undefined;
  }

  private element(s: string, lt: number): number {
    const gt = tagEnd(s, lt);
    if (gt < 0) return -1;
    const inner = s.slice(lt + 1, gt);
    if (inner.startsWith('/')) {
      this.handler.close(inner.slice(1).trim());
      return gt + 1;
    }
    const selfClosing = inner.endsWith('/');
    const body = selfClosing ? inner.slice(0, -1) : inner;
    let i = 0;
    while (i < body.length && !isSpace(body.charCodeAt(i)) && body[i] !== '/') i++;
    this.handler.open(body.slice(0, i), parseAttributes(body, i), selfClosing);
    return gt + 1;
  }
}
