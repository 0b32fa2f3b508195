import type { XmlRpcValue } from './xmlrpc-value.js';

const I4_MIN = -(2 ** 31);
const I4_MAX = 2 ** 31 - 1;

export function escapeXmlText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `YYYYMMDDTHH:MM:SS` in UTC, the form Python's xmlrpc writes. */
export function formatXmlRpcDate(d: Date): string {
  return (
    `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

function encodeInteger(n: number | bigint): string {
  const tag = n >= I4_MIN && n <= I4_MAX ? 'int' : 'i8';
  return `<${tag}>${n.toString()}</${tag}>`;
}

/** One `<value>` element. Integral numbers become `<int>` (or `<i8>` past 32 bits). */
export function encodeXmlRpcValue(v: XmlRpcValue): string {
  if (v === null) return '<value><nil/></value>';
  if (typeof v === 'boolean') return `<value><boolean>${v ? 1 : 0}</boolean></value>`;
  if (typeof v === 'bigint') return `<value>${encodeInteger(v)}</value>`;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TypeError(`XML-RPC cannot carry ${v}`);
    if (Number.isInteger(v) && Number.isSafeInteger(v)) return `<value>${encodeInteger(v)}</value>`;
    return `<value><double>${v}</double></value>`;
  }
  if (typeof v === 'string') return `<value><string>${escapeXmlText(v)}</string></value>`;
  if (v instanceof Date) return `<value><dateTime.iso8601>${formatXmlRpcDate(v)}</dateTime.iso8601></value>`;
  if (v instanceof Uint8Array) return `<value><base64>${Buffer.from(v).toString('base64')}</base64></value>`;
  if (Array.isArray(v)) return `<value><array><data>${v.map(encodeXmlRpcValue).join('')}</data></array></value>`;
  const members = Object.entries(v)
    .map(([name, value]) => `<member><name>${escapeXmlText(name)}</name>${encodeXmlRpcValue(value)}</member>`)
    .join('');
  return `<value><struct>${members}</struct></value>`;
}

/** A complete `<methodCall>` document. */
export function encodeMethodCall(method: string, params: readonly XmlRpcValue[]): string {
  const body = params.map((p) => `<param>${encodeXmlRpcValue(p)}</param>`).join('');
  return `<?xml version="1.0"?>\n<methodCall><methodName>${escapeXmlText(method)}</methodName><params>${body}</params></methodCall>\n`;
}
