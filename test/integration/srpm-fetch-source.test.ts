import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/findings/finding.js';
import { fetchSource } from '../../src/sources/fetch-source.js';

const payload = Buffer.from('pretend this is linux-6.12.tar.xz\n'.repeat(5000));
const sha256 = createHash('sha256').update(payload).digest('hex');
const sha512 = createHash('sha512').update(payload).digest('hex');

describe('fetchSource', () => {
  let server: http.Server;
  let base: string;
  let hits = 0;
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'kplay-fetch-test-'));
    server = http.createServer((req, res) => {
      hits++;
      if (req.url === '/pub/linux-6.12.tar.xz') {
        res.writeHead(200, { 'content-length': payload.length });
        // two chunks, so the body is streamed rather than sent at once
        res.write(payload.subarray(0, 1000));
        setTimeout(() => res.end(payload.subarray(1000)), 5);
      } else {
        res.writeHead(404).end('not here');
      }
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.close();
    await rm(work, { recursive: true, force: true });
  });

  it('downloads, verifies and caches under the digest, then serves the cache without the network', async () => {
    const cacheDir = path.join(work, 'cache1');
    const first = await fetchSource({ url: `${base}/pub/linux-6.12.tar.xz`, sha256, cacheDir });
    expect(first).toBe(path.join(cacheDir, 'sha256', sha256, 'linux-6.12.tar.xz'));
    expect((await readFile(first)).equals(payload)).toBe(true);
    const before = hits;
    const second = await fetchSource({ url: `${base}/pub/linux-6.12.tar.xz`, sha256, cacheDir });
    expect(second).toBe(first);
    expect(hits).toBe(before);
  });

  it('verifies sha512 too', async () => {
    const cacheDir = path.join(work, 'cache2');
    const got = await fetchSource({ url: `${base}/pub/linux-6.12.tar.xz`, sha512, cacheDir });
    expect(got).toBe(path.join(cacheDir, 'sha512', sha512, 'linux-6.12.tar.xz'));
  });

  it('refuses a checksum mismatch naming expected and actual, and caches nothing', async () => {
    const cacheDir = path.join(work, 'cache3');
    const wrong = 'ab'.repeat(32);
    const err = (await fetchSource({ url: `${base}/pub/linux-6.12.tar.xz`, sha256: wrong, cacheDir }).catch(
      (e: unknown) => e,
    )) as UsageError;
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toContain(`expected ${wrong}`);
    expect(err.message).toContain(`got ${sha256}`);
    expect(err.findings[0]!.code).toBe('E_SOURCE_CHECKSUM');
    expect(existsSync(path.join(cacheDir, 'sha256'))).toBe(false);
    expect(existsSync(path.join(cacheDir, 'tmp'))).toBe(false);
  });

  it('reports an HTTP error with its status', async () => {
    const err = (await fetchSource({
      url: `${base}/pub/missing.tar.xz`,
      sha256,
      cacheDir: path.join(work, 'cache4'),
      timeoutMs: 2000,
    }).catch((e: unknown) => e)) as UsageError;
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toMatch(/HTTP 404/);
  });

  it('takes file:// URLs and plain paths', async () => {
    const local = path.join(work, 'local-6.12.tar.xz');
    await writeFile(local, payload);
    const viaUrl = await fetchSource({ url: pathToFileURL(local).href, sha256, cacheDir: path.join(work, 'cache5') });
    expect(path.basename(viaUrl)).toBe('local-6.12.tar.xz');
    const viaPath = await fetchSource({ url: local, sha256, cacheDir: path.join(work, 'cache6') });
    expect((await readFile(viaPath)).equals(payload)).toBe(true);
    expect(await readdir(path.join(work, 'cache6'))).toEqual(['sha256']);
  });

  it('rejects a malformed checksum before fetching', async () => {
    await expect(fetchSource({ url: `${base}/pub/linux-6.12.tar.xz`, sha256: 'xyz', cacheDir: path.join(work, 'cache7') })).rejects.toThrow(
      /sha256 \(64 hex digits\)/,
    );
  });
});
