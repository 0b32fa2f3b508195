import { spawn } from 'node:child_process';
import { createReadStream, statSync } from 'node:fs';
import { Duplex, Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';
import { inProcessDecompressor, type Decompression } from './decompression.js';
import { UsageError } from '../findings/finding.js';
import { networkFailure } from '../net/network-failure.js';
import { malformed, tooLarge } from '../net/network-errors.js';

export { malformed, tooLarge };

export interface BoundedReadOptions {
  /** What the document is, for messages ("repomd.xml", "primary metadata"). */
  what: string;
  /** Bytes read from the network or the file, at most. */
  maxBytes: number;
  /** Bytes after decompression, at most (only with `decompress`). */
  maxDecompressedBytes?: number;
  decompress?: Decompression;
  /** The whole request, connection to last byte. */
  timeoutMs: number;
}

/** Passes bytes on and fails with `onOver()` once more than `max` went through. */
function byteCap(max: number, onOver: () => Error): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > max) done(onOver());
      else done(null, chunk);
    },
  });
}

async function openSource(url: string, opts: BoundedReadOptions): Promise<Readable> {
  if (url.startsWith('file://')) {
    const file = fileURLToPath(url);
    let size: number;
    try {
      const s = statSync(file);
      if (!s.isFile()) throw malformed(url, opts.what, 'not a regular file (a FIFO, device or folder)');
      size = s.size;
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(`${url}: ${(err as Error).message}`);
    }
    if (size > opts.maxBytes) throw tooLarge(url, opts.what, opts.maxBytes);
    return createReadStream(file);
  }
  // loaded here, not at start: got's import costs every command ~100 ms
  const { default: got } = await import('got');
  const stream = got.stream(url, { timeout: { request: opts.timeoutMs }, retry: { limit: 0 }, headers: { 'user-agent': 'kplay' } });
  stream.on('response', (res: { headers: Record<string, string | string[] | undefined> }) => {
    const length = Number(res.headers['content-length']);
    if (Number.isFinite(length) && length > opts.maxBytes) stream.destroy(tooLarge(url, opts.what, opts.maxBytes));
  });
  return stream;
}

/** An external decompressor (`xz -dc`…) as a stream; its exit status is checked by `done`. */
function toolStream(tool: string, url: string, what: string): { stream: Duplex; done: Promise<void> } {
  const child = spawn(tool, ['-dc'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 2000) stderr += d.toString('utf8');
  });
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'ENOENT'
          ? new UsageError(
              `${url}: cannot decompress with ${tool}: it is not installed (Debian package ${tool === 'zstd' ? 'zstd' : tool === 'xz' ? 'xz-utils' : 'bzip2'})`,
            )
          : err,
      ),
    );
    child.on('close', (code, signal) => {
      if (code === 0 || signal === 'SIGTERM') resolve();
      else reject(malformed(url, what, `${tool} -dc failed: ${stderr.trim().split('\n')[0] ?? `exit ${code}`}`));
    });
  });
  done.catch(() => undefined);
  const stream = Duplex.from({ writable: child.stdin, readable: child.stdout });
  stream.on('close', () => child.kill('SIGTERM'));
  child.stdin.on('error', () => undefined);
  return { stream, done };
}

/**
 * Read a document from file:// or HTTP(S) in pieces, decompressing on the way, and hand its text
 * to `onText` chunk by chunk: at most `maxBytes` are read and `maxDecompressedBytes` produced
 * (E_NETWORK_TOO_LARGE), the request has a deadline, and corrupt compression is
 * E_NETWORK_MALFORMED. Nothing holds the whole document in memory.
 */
export async function readBounded(url: string, opts: BoundedReadOptions, onText: (text: string) => void): Promise<void> {
  const source = await openSource(url, opts);
  const decoder = new StringDecoder('utf8');
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      try {
        onText(decoder.write(chunk));
        done();
      } catch (err) {
        done(err as Error);
      }
    },
    final(done) {
      try {
        const rest = decoder.end();
        if (rest) onText(rest);
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  });
  const inCap = byteCap(opts.maxBytes, () => tooLarge(url, opts.what, opts.maxBytes));
  const outMax = opts.maxDecompressedBytes ?? opts.maxBytes;
  const outCap = byteCap(outMax, () => tooLarge(url, opts.what, outMax, true));
  try {
    if (!opts.decompress) {
      await pipeline(source, inCap, sink);
      return;
    }
    const d =
      inProcessDecompressor(opts.decompress) ??
      toolStream(opts.decompress === 'zst' ? 'zstd' : opts.decompress === 'xz' ? 'xz' : 'bzip2', url, opts.what);
    await pipeline(source, inCap, d.stream, outCap, sink);
    await d.done;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const e = err as NodeJS.ErrnoException & { response?: { statusCode?: number } };
    if (e.code?.startsWith('Z_') || e.code === 'ERR_STREAM_PREMATURE_CLOSE' || e.name === 'XmlTagError')
      throw malformed(url, opts.what, e.message);
    if (e.name === 'HTTPError' || e.name === 'TimeoutError' || e.name === 'RequestError' || e.code)
      throw networkFailure(url, err, opts.timeoutMs);
    throw err;
  }
}
