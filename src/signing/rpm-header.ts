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

export async function readRpmHeader(file: string): Promise<RpmHeader> {
  try {
    const r = await execa('rpm', ['-qp', '--xml', '--nosignature', '--nodigest', file]);
    return parseRpmXml(r.stdout);
  } catch (err) {
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
