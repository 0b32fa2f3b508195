import { parseXmlElements, type XmlElement } from './parse-xml-elements.js';
import { isXmlRpcStruct, type XmlRpcStruct, type XmlRpcValue } from './xmlrpc-value.js';

/** The document is XML but not XML-RPC as the specification (and Koji) writes it. */
export class XmlRpcFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlRpcFormatError';
  }
}

export type MethodResponse = { kind: 'value'; value: XmlRpcValue } | { kind: 'fault'; faultCode: number; faultString: string };

export interface MethodCall {
  method: string;
  params: XmlRpcValue[];
}

function only(el: XmlElement, name: string): XmlElement {
  const matches = el.children.filter((c) => c.name === name);
  if (matches.length !== 1) throw new XmlRpcFormatError(`<${el.name}> must hold exactly one <${name}>`);
  return matches[0]!;
}

function parseInteger(text: string, tag: string): number | bigint {
  const t = text.trim();
  if (!/^[+-]?\d+$/.test(t)) throw new XmlRpcFormatError(`<${tag}> holds "${t}", not an integer`);
  const big = BigInt(t);
  const asNumber = Number(big);
  return Number.isSafeInteger(asNumber) ? asNumber : big;
}

/** `YYYYMMDDTHH:MM:SS` (also with dashes), read as UTC. */
function parseDate(text: string): Date {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2})/.exec(text.trim());
  if (!m) throw new XmlRpcFormatError(`<dateTime.iso8601> holds "${text.trim()}"`);
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s));
}

/** Decode one `<value>` element. */
export function decodeValueElement(value: XmlElement): XmlRpcValue {
  if (value.name !== 'value') throw new XmlRpcFormatError(`expected <value>, found <${value.name}>`);
  if (value.children.length === 0) return value.text; // untyped content is a string
  if (value.children.length > 1) throw new XmlRpcFormatError('<value> holds more than one element');
  const typed = value.children[0]!;
  switch (typed.name) {
    case 'string':
      return typed.text;
    case 'int':
    case 'i4':
    case 'i8':
    case 'i1':
    case 'i2':
    case 'biginteger':
      return parseInteger(typed.text, typed.name);
    case 'boolean': {
      const t = typed.text.trim();
      if (t === '1') return true;
      if (t === '0') return false;
      throw new XmlRpcFormatError(`<boolean> holds "${t}"`);
    }
    case 'double':
    case 'float': {
      const d = Number(typed.text.trim());
      if (typed.text.trim() === '' || Number.isNaN(d)) throw new XmlRpcFormatError(`<double> holds "${typed.text.trim()}"`);
      return d;
    }
    case 'nil':
    case 'ex:nil':
      return null;
    case 'base64':
      return new Uint8Array(Buffer.from(typed.text.replace(/\s+/g, ''), 'base64'));
    case 'dateTime.iso8601':
      return parseDate(typed.text);
    case 'array':
      return only(typed, 'data').children.map(decodeValueElement);
    case 'struct': {
      const out: XmlRpcStruct = {};
      for (const member of typed.children) {
        if (member.name !== 'member') throw new XmlRpcFormatError(`<struct> holds <${member.name}>`);
        out[only(member, 'name').text] = decodeValueElement(only(member, 'value'));
      }
      return out;
    }
    default:
      throw new XmlRpcFormatError(`unknown value type <${typed.name}>`);
  }
}

function parseDocument(xml: string): XmlElement {
  try {
    return parseXmlElements(xml);
  } catch (err) {
    throw new XmlRpcFormatError(`not XML: ${(err as Error).message}`);
  }
}

/** Decode a `<methodResponse>`: one value, or a fault `{faultCode, faultString}`. */
export function decodeMethodResponse(xml: string): MethodResponse {
  const root = parseDocument(xml);
  if (root.name !== 'methodResponse') throw new XmlRpcFormatError(`expected <methodResponse>, found <${root.name}>`);
  const fault = root.children.find((c) => c.name === 'fault');
  if (fault) {
    const v = decodeValueElement(only(fault, 'value'));
    if (!isXmlRpcStruct(v)) {
      throw new XmlRpcFormatError('<fault> does not hold a struct');
    }
    const code = v.faultCode;
    const text = v.faultString;
    if (typeof code !== 'number') throw new XmlRpcFormatError('fault without an integer faultCode');
    return { kind: 'fault', faultCode: code, faultString: typeof text === 'string' ? text : (JSON.stringify(text) ?? '') };
  }
  const params = only(root, 'params').children.filter((c) => c.name === 'param');
  if (params.length !== 1) throw new XmlRpcFormatError('a response must hold exactly one <param>');
  return { kind: 'value', value: decodeValueElement(only(params[0]!, 'value')) };
}

/** Decode a `<methodCall>` (used by the local test hub). */
export function decodeMethodCall(xml: string): MethodCall {
  const root = parseDocument(xml);
  if (root.name !== 'methodCall') throw new XmlRpcFormatError(`expected <methodCall>, found <${root.name}>`);
  const method = only(root, 'methodName').text.trim();
  const paramsEl = root.children.find((c) => c.name === 'params');
  const params = (paramsEl?.children ?? []).filter((c) => c.name === 'param').map((p) => decodeValueElement(only(p, 'value')));
  return { method, params };
}
