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
  /** A start tag; `attrs()` parses its attributes (only when asked: most tags need none). */
  open(name: string, attrs: () => ReadonlyMap<string, string>, selfClosing: boolean): void;
  close(name: string): void;
  /** Text between tags, when `wantsText()` (entities not yet replaced). */
  text(text: string): void;
  wantsText(): boolean;
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
  const gt = s.indexOf('>', lt + 1);
  if (gt < 0) return -1;
  // the common case: no quote before the first '>' (looked for in the tag only: a search to the
  // end of the chunk for a quote that never comes would make the whole scan quadratic)
  let i = lt + 1;
  while (i < gt) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x27) break;
    i++;
  }
  if (i === gt) return gt;
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
        if (pos < s.length && this.handler.wantsText()) this.handler.text(s.slice(pos));
        return;
      }
      if (lt > pos && this.handler.wantsText()) this.handler.text(s.slice(pos, lt));
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
    const c = s.charCodeAt(lt + 1);
    // '!' or '?' (or the end of the chunk): a comment, CDATA, declaration or instruction
    if (c === c && c !== 0x21 && c !== 0x3f) return undefined;
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
    if (s.charCodeAt(lt + 1) === 0x2f) {
      this.handler.close(s.slice(lt + 2, gt).trim());
      return gt + 1;
    }
    const selfClosing = s.charCodeAt(gt - 1) === 0x2f;
    const bodyEnd = selfClosing ? gt - 1 : gt;
    let i = lt + 1;
    while (i < bodyEnd) {
      const c = s.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x2f) break;
      i++;
    }
    this.attrSource = s;
    this.attrFrom = i;
    this.attrTo = bodyEnd;
    this.handler.open(s.slice(lt + 1, i), this.attributes, selfClosing);
    return gt + 1;
  }

  private attrSource = '';
  private attrFrom = 0;
  private attrTo = 0;
  /** The attributes of the start tag being reported (valid during open() only). */
  private readonly attributes = (): Map<string, string> => parseAttributes(this.attrSource.slice(this.attrFrom, this.attrTo), 0);
}
