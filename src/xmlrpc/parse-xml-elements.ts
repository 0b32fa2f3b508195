/**
 * A small, strict XML reader for XML-RPC documents: elements, attributes (skipped), text,
 * entity and character references, CDATA, comments, the XML declaration. No DTDs (a DOCTYPE is
 * refused, which also rules out entity expansion attacks). Depth is bounded.
 */
export interface XmlElement {
  name: string;
  children: XmlElement[];
  /** Concatenated character data directly inside this element. */
  text: string;
}

export class XmlSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
    this.name = 'XmlSyntaxError';
  }
}

const MAX_DEPTH = 256;
const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(raw: string, offset: number): string {
  return raw.replace(/&([^;&\s]*);?/g, (whole, name: string) => {
    if (!whole.endsWith(';')) throw new XmlSyntaxError(`unterminated reference "${whole}"`, offset);
    if (name.startsWith('#x') || name.startsWith('#X')) {
      const cp = Number.parseInt(name.slice(2), 16);
      if (!Number.isFinite(cp)) throw new XmlSyntaxError(`bad character reference "${whole}"`, offset);
      return String.fromCodePoint(cp);
    }
    if (name.startsWith('#')) {
      const cp = Number.parseInt(name.slice(1), 10);
      if (!Number.isFinite(cp)) throw new XmlSyntaxError(`bad character reference "${whole}"`, offset);
      return String.fromCodePoint(cp);
    }
    const v = NAMED_ENTITIES[name];
    if (v === undefined) throw new XmlSyntaxError(`unknown entity "${whole}"`, offset);
    return v;
  });
}

/** Parse a document and return its root element. */
export function parseXmlElements(xml: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  const n = xml.length;
  const appendText = (t: string) => {
    const top = stack[stack.length - 1];
    if (top) top.text += t;
    else if (t.trim() !== '') throw new XmlSyntaxError('text outside the root element', i);
  };
  while (i < n) {
    const lt = xml.indexOf('<', i);
    if (lt === -1) {
      appendText(decodeEntities(xml.slice(i), i));
      break;
    }
    if (lt > i) appendText(decodeEntities(xml.slice(i, lt), i));
    if (xml.startsWith('<?', lt)) {
      const end = xml.indexOf('?>', lt + 2);
      if (end === -1) throw new XmlSyntaxError('unterminated processing instruction', lt);
      i = end + 2;
    } else if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      if (end === -1) throw new XmlSyntaxError('unterminated comment', lt);
      i = end + 3;
    } else if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt + 9);
      if (end === -1) throw new XmlSyntaxError('unterminated CDATA section', lt);
      appendText(xml.slice(lt + 9, end));
      i = end + 3;
    } else if (xml.startsWith('<!', lt)) {
      throw new XmlSyntaxError('DOCTYPE and other declarations are not accepted', lt);
    } else if (xml.startsWith('</', lt)) {
      const end = xml.indexOf('>', lt);
      if (end === -1) throw new XmlSyntaxError('unterminated end tag', lt);
      const name = xml.slice(lt + 2, end).trim();
      const top = stack.pop();
      if (!top || top.name !== name) {
        throw new XmlSyntaxError(`end tag </${name}> does not match <${top?.name ?? ''}>`, lt);
      }
      i = end + 1;
    } else {
      const end = xml.indexOf('>', lt);
      if (end === -1) throw new XmlSyntaxError('unterminated start tag', lt);
      let inner = xml.slice(lt + 1, end);
      const selfClosing = inner.endsWith('/');
      if (selfClosing) inner = inner.slice(0, -1);
      const m = /^([A-Za-z_:][\w.:-]*)/.exec(inner);
      if (!m) throw new XmlSyntaxError('bad element name', lt);
      const el: XmlElement = { name: m[1]!, children: [], text: '' };
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(el);
      else if (root) throw new XmlSyntaxError('more than one root element', lt);
      else root = el;
      if (!selfClosing) {
        stack.push(el);
        if (stack.length > MAX_DEPTH) throw new XmlSyntaxError('elements nested too deeply', lt);
      }
      i = end + 1;
    }
  }
  if (stack.length) throw new XmlSyntaxError(`element <${stack[stack.length - 1]!.name}> is not closed`, n);
  if (!root) throw new XmlSyntaxError('no root element', 0);
  return root;
}
