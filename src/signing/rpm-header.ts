import { open } from 'node:fs/promises';
import { execa } from 'execa';
import { UsageError } from '../findings/finding.js';
import { displayPath } from '../model/safe-path.js';

/** An RPM header as `rpm -qp --xml` prints it: tag name → values (strings or numbers). */
export type RpmHeader = Map<string, Array<string | number>>;

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos);/g, (_, e: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[e]!);
}

/** Parse `rpm -qp --xml` output (one rpmHeader). */
export function parseRpmXml(xml: string): RpmHeader {
  const header: RpmHeader = new Map();
  for (const m of xml.matchAll(/<rpmTag name="([A-Za-z0-9_]+)">([\s\S]*?)<\/rpmTag>/g)) {
    const values: Array<string | number> = [];
    for (const v of m[2]!.matchAll(/<(string|integer|base64)\s*\/>|<(string|integer|base64)>([\s\S]*?)<\/\2>/g)) {
      const kind = v[1] ?? v[2]!;
      const raw = v[3] ?? '';
      values.push(kind === 'integer' ? Number(raw) : kind === 'base64' ? raw.trim() : unescapeXml(raw));
    }
    header.set(m[1]!.toLowerCase(), values);
  }
  return header;
}

/**
 * Tags of rpm 4.19 and later that rpm 4.18 (Debian 12) does not know: `rpm -qp --xml` prints them
 * as `(unknown)`, which would drop them without a word. Given their names here so that the rebuild
 * can refuse what it does not carry (rpm's include/rpm/rpmtag.h).
 */
const NEWER_TAGS: Record<number, string> = {
  5103: 'preuntrans',
  5104: 'postuntrans',
  5105: 'preuntransprog',
  5106: 'postuntransprog',
  5107: 'preuntransflags',
  5108: 'postuntransflags',
};

/** The tag numbers of an RPM's main header (after the 96-byte lead and the 8-aligned signature header). */
export async function headerTagNumbers(file: string): Promise<number[]> {
  const fh = await open(file, 'r');
  try {
    const read = async (at: number, n: number): Promise<Buffer> => {
      const b = Buffer.alloc(n);
      if ((await fh.read(b, 0, n, at)).bytesRead !== n) throw new UsageError(`${displayPath(file)} ends inside its header`);
      return b;
    };
    const intro = async (at: number): Promise<[number, number]> => {
      const b = await read(at, 16);
      if (b.readUInt32BE(0) !== 0x8eade801) throw new UsageError(`${displayPath(file)} has no RPM header at byte ${at}`);
      return [b.readUInt32BE(8), b.readUInt32BE(12)];
    };
    const [sigCount, sigData] = await intro(96);
    const start = 96 + Math.ceil((16 + sigCount * 16 + sigData) / 8) * 8;
    const [count] = await intro(start);
    if (count > 0xffff) throw new UsageError(`${displayPath(file)} has a header of ${count} tags`);
    const index = await read(start + 16, count * 16);
    return Array.from({ length: count }, (_, i) => index.readUInt32BE(i * 16));
  } finally {
    await fh.close();
  }
}

export async function readRpmHeader(file: string): Promise<RpmHeader> {
  try {
    const r = await execa('rpm', ['-qp', '--xml', '--nosignature', '--nodigest', file]);
    const header = parseRpmXml(r.stdout);
    for (const tag of await headerTagNumbers(file)) {
      const name = NEWER_TAGS[tag];
      if (name && !header.has(name)) header.set(name, [`(tag ${tag})`]);
    }
    return header;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const e = err as { code?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new UsageError('rpm is not installed (Debian package rpm)');
    throw new UsageError(`${displayPath(file)} is not a readable RPM: ${(e.stderr ?? '').trim().split('\n').pop() ?? ''}`);
  }
}

export function tagString(h: RpmHeader, tag: string): string | undefined {
  const v = h.get(tag.toLowerCase());
  return v?.length ? String(v[0]) : undefined;
}

export function tagList(h: RpmHeader, tag: string): Array<string | number> {
  return h.get(tag.toLowerCase()) ?? [];
}
