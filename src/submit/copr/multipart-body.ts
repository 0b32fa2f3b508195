import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';

/** One part of a multipart/form-data body: a file from disk or bytes in memory, always a FILE part. */
export interface MultipartPart {
  name: string;
  filename: string;
  contentType: string;
  source: { path: string; size: number } | { data: Buffer };
}

/** A body whose exact length is known before sending (Copr refuses chunked uploads). */
export interface MultipartBody {
  contentType: string;
  contentLength: number;
  parts: readonly MultipartPart[];
  /** A fresh stream of the body each call; files are read from disk as it is consumed. */
  open(): Readable;
}

export function partSize(part: MultipartPart): number {
  return 'data' in part.source ? part.source.data.length : part.source.size;
}

/** Quote a header parameter; file names with quotes or line breaks are refused, not escaped. */
function quoted(value: string): string {
  if (/["\r\n]/.test(value)) throw new Error(`cannot put ${JSON.stringify(value)} in a multipart header`);
  return `"${value}"`;
}

function partHead(boundary: string, part: MultipartPart, first: boolean): Buffer {
  return Buffer.from(
    `${first ? '' : '\r\n'}--${boundary}\r\n` +
      `Content-Disposition: form-data; name=${quoted(part.name)}; filename=${quoted(part.filename)}\r\n` +
      `Content-Type: ${part.contentType}\r\n\r\n`,
  );
}

/**
 * Lay out a multipart/form-data body and compute its Content-Length up front. File parts are
 * streamed from disk when the body is opened; a file that changes size meanwhile fails the stream.
 */
export function multipartBody(parts: readonly MultipartPart[], boundary = `kplay-${randomBytes(12).toString('hex')}`): MultipartBody {
  const heads = parts.map((p, i) => partHead(boundary, p, i === 0));
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const contentLength = heads.reduce((n, h, i) => n + h.length + partSize(parts[i]!), 0) + tail.length;
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    contentLength,
    parts,
    open: () => Readable.from(bodyChunks(parts, heads, tail), { objectMode: false }),
  };
}

async function* bodyChunks(parts: readonly MultipartPart[], heads: readonly Buffer[], tail: Buffer): AsyncGenerator<Buffer> {
  for (const [i, part] of parts.entries()) {
    yield heads[i]!;
    if ('data' in part.source) {
      yield part.source.data;
      continue;
    }
    let sent = 0;
    for await (const chunk of createReadStream(part.source.path)) {
      sent += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
    if (sent !== part.source.size) {
      throw new Error(`${part.source.path} changed size while it was being uploaded (${part.source.size} → ${sent} bytes)`);
    }
  }
  yield tail;
}

/** A file part whose size is read from disk now. */
export async function filePart(name: string, filePath: string, filename: string, contentType: string): Promise<MultipartPart> {
  const { size } = await stat(filePath);
  return { name, filename, contentType, source: { path: filePath, size } };
}
