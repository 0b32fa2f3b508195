import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { UsageError } from '../findings/finding.js';
import type { DistributionKernel, DistributionKernelSource } from './distribution-kernels.js';
import { fetchBytes } from './fetch-text.js';

/** A repository file: file:// (tests, local mirrors) or over HTTP. */
async function fetchRepoFile(url: string, timeoutMs: number): Promise<Buffer> {
  if (url.startsWith('file://')) {
    try {
      return await readFile(fileURLToPath(url));
    } catch (err) {
      throw new UsageError(`${url}: ${(err as Error).message}`);
    }
  }
  return fetchBytes(url, timeoutMs);
}

/** `repodata/…-primary.xml.gz` as repomd.xml names it (the `<data type="primary">` entry). */
export function primaryLocation(repomd: string, from: string): string {
  const data = /<data\s+type="primary"\s*>([\s\S]*?)<\/data>/.exec(repomd);
  const href = data ? /<location\s+[^>]*href="([^"]+)"/.exec(data[1]!)?.[1] : undefined;
  if (!href) throw new UsageError(`${from}: repomd.xml names no primary metadata (<data type="primary"><location href=…>)`);
  return href;
}

async function decompress(bytes: Buffer, href: string): Promise<string> {
  if (href.endsWith('.gz')) return gunzipSync(bytes).toString('utf8');
  if (href.endsWith('.zst') || href.endsWith('.xz') || href.endsWith('.bz2')) {
    const tool = href.endsWith('.zst') ? 'zstd' : href.endsWith('.xz') ? 'xz' : 'bzip2';
    try {
      return (await execa(tool, ['-dc'], { input: bytes, encoding: 'utf8', stripFinalNewline: false })).stdout;
    } catch (err) {
      throw new UsageError(
        `${href}: cannot decompress with ${tool} (${(err as Error).message.split('\n')[0]}); install it (Debian package ${tool === 'zstd' ? 'zstd' : tool === 'xz' ? 'xz-utils' : 'bzip2'})`,
      );
    }
  }
  return bytes.toString('utf8');
}

const unescapeXml = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

/**
 * Every `<package type="rpm">` of primary.xml named `name`: its `<version epoch ver rel/>` and
 * `<arch>`. The document is scanned package by package (primary.xml of BaseOS is tens of MB).
 */
export function packagesNamed(primary: string, name: string): DistributionKernel[] {
  const out: DistributionKernel[] = [];
  const re = /<package\b[^>]*>([\s\S]*?)<\/package>/g;
  for (let m = re.exec(primary); m; m = re.exec(primary)) {
    const body = m[1]!;
    const pkgName = /<name>([^<]*)<\/name>/.exec(body)?.[1];
    if (pkgName === undefined || unescapeXml(pkgName) !== name) continue;
    const v = /<version\s+([^>]*)\/?>/.exec(body)?.[1] ?? '';
    const attr = (k: string) => new RegExp(`\\b${k}="([^"]*)"`).exec(v)?.[1];
    const ver = attr('ver');
    const rel = attr('rel');
    if (!ver || !rel) continue;
    const epoch = Number(attr('epoch') ?? 0);
    const arch = /<arch>([^<]*)<\/arch>/.exec(body)?.[1];
    out.push({ versionRelease: `${unescapeXml(ver)}-${unescapeXml(rel)}`, ...(epoch ? { epoch } : {}), ...(arch ? { arch } : {}) });
  }
  return out;
}

/**
 * A CentOS Stream / Fedora repository (the folder holding `repodata/`): repomd.xml → primary
 * metadata (.gz, .zst, .xz or plain) → the `kernel-devel` packages it lists.
 */
export class RepoMetadataSource implements DistributionKernelSource {
  readonly label: string;
  constructor(
    private readonly baseUrl: string,
    private readonly pkg = 'kernel-devel',
    private readonly timeoutMs = 60_000,
  ) {
    this.label = baseUrl;
  }

  async kernels(): Promise<DistributionKernel[]> {
    const base = this.baseUrl.replace(/\/+$/, '');
    const repomdUrl = `${base}/repodata/repomd.xml`;
    const repomd = (await fetchRepoFile(repomdUrl, this.timeoutMs)).toString('utf8');
    const href = primaryLocation(repomd, repomdUrl);
    const primary = await decompress(await fetchRepoFile(`${base}/${href.replace(/^\/+/, '')}`, this.timeoutMs), href);
    return packagesNamed(primary, this.pkg);
  }
}
