/**
 * A push parser for tar archives (ustar, GNU long names, pax `path`/`size` records) that only
 * copies the bytes of the entries a caller keeps: everything else is skipped by offset, with no
 * per-entry stream objects. Feed decompressed chunks in order with `push`, then call `end`.
 */
export interface TarEntry {
  /** Entry name as stored (with the top folder). */
  name: string;
  /** Permission bits. */
  mode: number;
  /** The file's bytes. */
  data: Buffer;
}

/** Whether to keep an entry: called with the name of every regular file. */
export type TarEntryFilter = (name: string) => boolean;

const BLOCK = 512;

function cString(b: Buffer, start: number, len: number): string {
  let end = start;
  const stop = start + len;
  while (end < stop && b[end] !== 0) end++;
  return b.toString('utf8', start, end);
}

function octal(b: Buffer, start: number, len: number): number {
  if (b[start]! & 0x80) {
    // base-256 (GNU) for big values
    let v = 0;
    for (let i = start + 1; i < start + len; i++) v = v * 256 + b[i]!;
    return v;
  }
  let v = 0;
  let i = start;
  const stop = start + len;
  while (i < stop && (b[i] === 0x20 || b[i] === 0)) i++;
  for (; i < stop; i++) {
    const c = b[i]!;
    if (c < 0x30 || c > 0x37) break;
    v = v * 8 + (c - 0x30);
  }
  return v;
}

function paxRecords(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let p = 0;
  while (p < data.length) {
    const sp = data.indexOf(0x20, p);
    if (sp < 0) break;
    const len = Number(data.toString('latin1', p, sp));
    if (!len) break;
    const rec = data.toString('utf8', sp + 1, p + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out.set(rec.slice(0, eq), rec.slice(eq + 1));
    p += len;
  }
  return out;
}

export class TarEntryParser {
  private header = Buffer.alloc(BLOCK);
  private headerFill = 0;
  /** Bytes of the current entry's data still to come, and its padding. */
  private remaining = 0;
  private padding = 0;
  /** Collecting the current entry's data (kept file, long name or pax header). */
  private collect: Buffer | null = null;
  private collectFill = 0;
  private collectKind: 'file' | 'longname' | 'pax' | null = null;
  private current: { name: string; mode: number } | null = null;
  private nextName: string | undefined;
  private nextSize: number | undefined;
  private finished = false;

  constructor(
    private readonly keep: TarEntryFilter,
    private readonly onEntry: (e: TarEntry) => void,
  ) {}

  push(chunk: Buffer): void {
    let p = 0;
    const n = chunk.length;
    while (p < n && !this.finished) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, n - p);
        if (this.collect) {
          chunk.copy(this.collect, this.collectFill, p, p + take);
          this.collectFill += take;
        }
        this.remaining -= take;
        p += take;
        if (this.remaining === 0) this.entryDone();
        continue;
      }
      if (this.padding > 0) {
        const take = Math.min(this.padding, n - p);
        this.padding -= take;
        p += take;
        continue;
      }
      // header
      if (this.headerFill === 0 && n - p >= BLOCK) {
        this.onHeader(chunk.subarray(p, p + BLOCK));
        p += BLOCK;
        continue;
      }
      const take = Math.min(BLOCK - this.headerFill, n - p);
      chunk.copy(this.header, this.headerFill, p, p + take);
      this.headerFill += take;
      p += take;
      if (this.headerFill === BLOCK) {
        this.headerFill = 0;
        this.onHeader(this.header);
      }
    }
  }

  /** Call after the last chunk: fails when the archive stopped inside an entry. */
  end(): void {
    if (this.remaining > 0 || this.headerFill > 0) throw new Error('unexpected end of tar data');
  }

  private onHeader(h: Buffer): void {
    let zero = true;
    for (let i = 0; i < BLOCK; i++) {
      if (h[i] !== 0) {
        zero = false;
        break;
      }
    }
    if (zero) return; // end-of-archive blocks (and any padding after them)
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
    if (sum !== octal(h, 148, 8)) throw new Error('invalid tar header checksum');
    const type = h[156]!;
    let size = octal(h, 124, 12);
    let name = cString(h, 0, 100);
    if (h.toString('latin1', 257, 262) === 'ustar') {
      const prefix = cString(h, 345, 155);
      if (prefix) name = `${prefix}/${name}`;
    }
    if (this.nextName !== undefined) name = this.nextName;
    if (this.nextSize !== undefined) size = this.nextSize;
    const mode = octal(h, 100, 8) & 0o7777;
    this.remaining = size;
    this.padding = (BLOCK - (size % BLOCK)) % BLOCK;
    this.collect = null;
    this.collectKind = null;
    this.current = null;
    if (type === 0x4c /* L */ || type === 0x78 /* x */) {
      this.collectKind = type === 0x4c ? 'longname' : 'pax';
    } else {
      this.nextName = undefined;
      this.nextSize = undefined;
      if ((type === 0x30 || type === 0 || type === 0x37) && this.keep(name)) {
        this.collectKind = 'file';
        this.current = { name, mode };
      }
    }
    if (this.collectKind) {
      this.collect = Buffer.allocUnsafe(size);
      this.collectFill = 0;
    }
    if (size === 0) this.entryDone();
  }

  private entryDone(): void {
    const data = this.collect;
    const kind = this.collectKind;
    this.collect = null;
    this.collectKind = null;
    if (!data || !kind) return;
    if (kind === 'longname') this.nextName = cString(data, 0, data.length);
    else if (kind === 'pax') {
      const rec = paxRecords(data);
      if (rec.has('path')) this.nextName = rec.get('path');
      if (rec.has('size')) this.nextSize = Number(rec.get('size'));
    } else if (this.current) this.onEntry({ name: this.current.name, mode: this.current.mode, data });
  }
}
