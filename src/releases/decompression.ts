import { createGunzip } from 'node:zlib';
import type { Duplex } from 'node:stream';

export type Decompression = 'gz' | 'xz' | 'zst' | 'bz2';

/** The compression a repository file name says it has, if any. */
export function compressionOf(href: string): Decompression | undefined {
  const m = /\.(gz|xz|zst|bz2)$/.exec(href);
  return m ? (m[1] as Decompression) : undefined;
}

/** In-process decompression where Node has it (gzip); undefined for the external tools. */
export function inProcessDecompressor(kind: Decompression): { stream: Duplex; done: Promise<void> } | undefined {
  if (kind !== 'gz') return undefined;
  // 1 MiB pieces: the default 16 KiB makes a bomb cost 20 s in stream overhead alone
  return { stream: createGunzip({ chunkSize: 1024 * 1024 }), done: Promise.resolve() };
}
