import { UsageError } from '../findings/finding.js';
import { isKernelVersionRelease, type DistributionKernel, type DistributionKernelSource } from './distribution-kernels.js';
import { malformed, readBounded } from './bounded-stream.js';
import { compressionOf } from './decompression.js';
import { unescapeXml, XmlTagError, XmlTagScanner } from './xml-tag-scanner.js';

/** repomd.xml is a few KB: 4 MiB is far more than any repository's. */
export const MAX_REPOMD_BYTES = 4 * 1024 * 1024;
/** primary.xml as downloaded (compressed; CentOS Stream's AppStream is ~10 MB, Fedora Everything's tens of MB). */
export const MAX_PRIMARY_BYTES = 48 * 1024 * 1024;
/** primary.xml decompressed (CentOS Stream's AppStream is ~100 MB). */
export const MAX_PRIMARY_XML_BYTES = 512 * 1024 * 1024;

/** Text collected for one element (a package name, an arch, a location href) at most. */
const MAX_FIELD_CHARS = 4096;

/** Reads `<data type="primary"><location href=…/>` out of repomd.xml, piece by piece. */
class RepomdReader {
  href?: string;
  private inPrimary = false;
  readonly scanner = new XmlTagScanner({
    open: (name, attrs) => {
      if (name === 'data') this.inPrimary = attrs().get('type') === 'primary';
      else if (name === 'location' && this.inPrimary && this.href === undefined) this.href = attrs().get('href');
    },
    close: (name) => {
      if (name === 'data') this.inPrimary = false;
    },
    text: () => undefined,
    wantsText: () => false,
  });
}

/** `repodata/…-primary.xml.gz` as repomd.xml names it (the `<data type="primary">` entry). */
export function primaryLocation(repomd: string, from: string): string {
  const r = new RepomdReader();
  try {
    r.scanner.push(repomd);
    r.scanner.end();
  } catch (err) {
    if (err instanceof XmlTagError) throw malformed(from, 'repomd.xml', err.message);
    throw err;
  }
  return checkedHref(r.href, from);
}

function checkedHref(href: string | undefined, from: string): string {
  if (!href) throw new UsageError(`${from}: repomd.xml names no primary metadata (<data type="primary"><location href=…>)`);
  // a relative name inside the repository: no scheme, no .., no query, one line
  if (href.length > 1024 || !/^[A-Za-z0-9._/+-]+$/.test(href) || href.split('/').includes('..'))
    throw malformed(
      from,
      'repomd.xml',
      `the primary location ${JSON.stringify(href.slice(0, 80))} is not a file name inside the repository`,
    );
  return href;
}

/**
 * Every `<package>` of primary.xml named `name`, element by element as the text arrives: its
 * `<version epoch ver rel/>` and `<arch>`, in one linear pass. Packages whose version-release or
 * arch is not one rpm could have made are left out (see isKernelVersionRelease) and counted.
 */
export class PrimaryReader {
  readonly packages: DistributionKernel[] = [];
  /** Version-releases of `name` packages that are not valid (shown, escaped, in messages). */
  readonly refused: string[] = [];
  private depth = 0;
  private field: 'name' | 'arch' | undefined;
  private text = '';
  private current: { name?: string; arch?: string; ver?: string; rel?: string; epoch?: string } | undefined;
  readonly scanner = new XmlTagScanner({
    open: (tag, attrs, selfClosing) => {
      if (!this.current) {
        if (tag === 'package' && !selfClosing) {
          this.current = {};
          this.depth = 1;
        }
        return;
      }
      if (this.depth === 1) {
        if (tag === 'name' || tag === 'arch') {
          this.field = tag;
          this.text = '';
        } else if (tag === 'version') {
          const a = attrs();
          this.current.ver = a.get('ver');
          this.current.rel = a.get('rel');
          this.current.epoch = a.get('epoch');
        }
      }
      if (!selfClosing) this.depth++;
    },
    close: (tag) => {
      if (!this.current) return;
      this.depth--;
      if (this.depth === 1 && this.field === tag) {
        this.current[this.field] = unescapeXml(this.text);
        this.field = undefined;
      }
      if (this.depth === 0) {
        this.finish(this.current);
        this.current = undefined;
      }
    },
    text: (t) => {
      if (this.text.length < MAX_FIELD_CHARS) this.text += t.slice(0, MAX_FIELD_CHARS - this.text.length);
    },
    wantsText: () => this.field !== undefined,
  });

  constructor(private readonly name: string) {}

  private finish(p: { name?: string; arch?: string; ver?: string; rel?: string; epoch?: string }): void {
    if (p.name !== this.name || !p.ver || !p.rel) return;
    const versionRelease = `${p.ver}-${p.rel}`;
    if (!isKernelVersionRelease(versionRelease)) {
      if (this.refused.length < 20) this.refused.push(versionRelease.slice(0, 120));
      return;
    }
    const epoch = Number(p.epoch ?? 0);
    const arch = p.arch && /^[A-Za-z0-9_]{1,32}$/.test(p.arch) ? p.arch : undefined;
    this.packages.push({ versionRelease, ...(Number.isSafeInteger(epoch) && epoch > 0 ? { epoch } : {}), ...(arch ? { arch } : {}) });
  }
}

/** packagesNamed over a whole document (tests, small files). */
export function packagesNamed(primary: string, name: string): DistributionKernel[] {
  const r = new PrimaryReader(name);
  r.scanner.push(primary);
  r.scanner.end();
  return r.packages;
}

/**
 * A CentOS Stream / Fedora repository (the folder holding `repodata/`): repomd.xml → primary
 * metadata (.gz, .zst, .xz, .bz2 or plain) → the `kernel-devel` packages it lists. Both documents
 * are streamed with size caps (MAX_*), decompressed with an output cap, and scanned linearly.
 */
export class RepoMetadataSource implements DistributionKernelSource {
  readonly label: string;
  /** Version-releases the last kernels() left out as invalid. */
  refused: string[] = [];
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
    const repomd = new RepomdReader();
    await readBounded(repomdUrl, { what: 'repomd.xml', maxBytes: MAX_REPOMD_BYTES, timeoutMs: this.timeoutMs }, (t) =>
      repomd.scanner.push(t),
    );
    repomd.scanner.end();
    const href = checkedHref(repomd.href, repomdUrl);
    const primaryUrl = `${base}/${href.replace(/^\/+/, '')}`;
    const reader = new PrimaryReader(this.pkg);
    const decompress = compressionOf(href);
    await readBounded(
      primaryUrl,
      {
        what: 'primary metadata',
        maxBytes: MAX_PRIMARY_BYTES,
        maxDecompressedBytes: MAX_PRIMARY_XML_BYTES,
        timeoutMs: this.timeoutMs,
        ...(decompress ? { decompress } : {}),
      },
      (t) => reader.scanner.push(t),
    );
    try {
      reader.scanner.end();
    } catch (err) {
      if (err instanceof XmlTagError) throw malformed(primaryUrl, 'primary metadata', err.message);
      throw err;
    }
    this.refused = reader.refused;
    return reader.packages;
  }
}
