import { execa } from 'execa';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/findings/finding.js';
import { fetchSource } from '../../src/sources/fetch-source.js';
import { KPLAY_BIN } from '../support/fixture-repo.js';
import { whileRunning } from '../support/while-running.js';
import { cleanupRepos, hostileRepo, runKplay, SHA, snapshotTree, vanillaVariant } from './support/hostile-repo.js';

const DEAD_PID = 4_194_303;
/** The endless server stops each response after this much, so a failing test cannot fill the disk. */
const HARD_CAP = 64 * 1024 * 1024;

let server: http.Server;
let base: string;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'kplay-sec-sources-'));
  server = http.createServer((req, res) => {
    if (req.url?.startsWith('/endless')) {
      // a body that never ends (until HARD_CAP): 64 KiB every 2 ms
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 0x41);
      let sent = 0;
      const timer = setInterval(() => {
        if (sent >= HARD_CAP || res.destroyed) {
          clearInterval(timer);
          res.end();
          return;
        }
        sent += chunk.length;
        res.write(chunk);
      }, 2);
      res.on('close', () => clearInterval(timer));
    } else if (req.url === '/two-thousand.bin') {
      res.writeHead(200).end(Buffer.alloc(2000, 0x42));
    } else res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await rm(work, { recursive: true, force: true });
  await cleanupRepos();
});

/** Every regular file under dir (the cache must hold none after a failed download). */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []))
    if (!e.isDirectory()) out.push(path.join(e.parentPath, e.name));
  return out;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as UsageError).findings[0]?.code ?? 'no-finding';
  }
}

describe('downloads have a size cap and leave nothing behind', () => {
  it('an endless body stops at the configured maximum (E_SOURCE_SIZE) and nothing stays in the cache', async () => {
    const cacheDir = path.join(work, 'cache-max');
    expect(await codeOf(fetchSource({ url: `${base}/endless/linux.tar.xz`, sha256: SHA, cacheDir, maxBytes: 1024 * 1024 }))).toBe(
      'E_SOURCE_SIZE',
    );
    expect(await filesUnder(cacheDir)).toEqual([]);
  });

  it('KPLAY_MAX_DOWNLOAD_BYTES is the default maximum', async () => {
    const cacheDir = path.join(work, 'cache-env');
    process.env.KPLAY_MAX_DOWNLOAD_BYTES = String(512 * 1024);
    try {
      expect(await codeOf(fetchSource({ url: `${base}/endless/linux.tar.xz`, sha256: SHA, cacheDir }))).toBe('E_SOURCE_SIZE');
    } finally {
      delete process.env.KPLAY_MAX_DOWNLOAD_BYTES;
    }
    expect(await filesUnder(cacheDir)).toEqual([]);
  });

  it('a known size is enforced both ways', async () => {
    const cacheDir = path.join(work, 'cache-size');
    expect(await codeOf(fetchSource({ url: `${base}/two-thousand.bin`, sha256: SHA, cacheDir, size: 1000 }))).toBe('E_SOURCE_SIZE');
    expect(await codeOf(fetchSource({ url: `${base}/two-thousand.bin`, sha256: SHA, cacheDir, size: 3000 }))).toBe('E_SOURCE_SIZE');
    expect(await filesUnder(cacheDir)).toEqual([]);
  });

  it('SIGTERM during a download removes the partial file; a scratch folder left by kill -9 goes at the next fetch', async () => {
    const cacheDir = path.join(work, 'cache-signal');
    const mod = path.join(path.dirname(KPLAY_BIN), '..', 'sources', 'fetch-source.js');
    const child = execa(
      'node',
      [
        '--input-type=module',
        '-e',
        `import { fetchSource } from ${JSON.stringify(mod)}; await fetchSource({ url: ${JSON.stringify(`${base}/endless/linux.tar.xz`)}, sha256: '${SHA}', cacheDir: ${JSON.stringify(cacheDir)}, maxBytes: 1e12 });`,
      ],
      { reject: false },
    );
    const scratch = path.join(cacheDir, 'tmp');
    // no fixed limit: the child's start can take seconds on a loaded machine
    const seen = await whileRunning(child, async () => (await filesUnder(scratch)).length > 0);
    expect(seen, 'the download ended before it was seen').toBe(true);
    expect((await filesUnder(scratch)).length).toBe(1);
    child.kill('SIGTERM');
    const r = await child;
    expect(r.exitCode).toBe(143);
    expect(await filesUnder(cacheDir)).toEqual([]);

    await mkdir(path.join(scratch, `fetch-${DEAD_PID}-abc`), { recursive: true });
    await writeFile(path.join(scratch, `fetch-${DEAD_PID}-abc`, 'linux.tar.xz'), 'partial');
    expect(await codeOf(fetchSource({ url: `${base}/two-thousand.bin`, sha256: SHA, cacheDir }))).toBe('E_SOURCE_CHECKSUM');
    expect(await filesUnder(cacheDir)).toEqual([]);
  });
});

describe('source names are checked before any file-system call', () => {
  it('fetchSource refuses a name with .., / or a malformed % escape (E_SOURCE_NAME), never a URIError', async () => {
    const cacheDir = path.join(work, 'cache-names');
    for (const [url, fileName] of [
      [`${base}/linux%E0%A4%A.tar.xz`, undefined],
      [`${base}/x`, '../../victim'],
      [`${base}/x`, 'a/b'],
      [`${base}/a%2F..%2Fb`, undefined],
    ] as const) {
      expect(await codeOf(fetchSource({ url, sha256: SHA, cacheDir, ...(fileName ? { fileName } : {}) })), url).toBe('E_SOURCE_NAME');
    }
    expect(existsSync(cacheDir)).toBe(false);
  });

  it('kplay srpm --sources-dir with a source named ..%2F..%2Fvictim: exit 2, the victim stays, no link is made', async () => {
    const outside = await mkdtemp(path.join(os.tmpdir(), 'kplay-sec-victim-'));
    const victim = path.join(outside, 'victim');
    await writeFile(victim, 'precious');
    const root = await hostileRepo({
      'variants/v.yml': vanillaVariant().replace(
        '  version: "6.1.192"\n',
        `  version: "6.1.192"\n  source: { url: "https://h/..%2F..%2F..%2F${path.basename(outside)}%2Fvictim", sha256: ${SHA} }\n`,
      ),
      'sources/placeholder': '',
    });
    const before = await snapshotTree(root);
    const r = await runKplay(['srpm', 'variants/v.yml', '--sources-dir', 'sources'], { cwd: root });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/error E_SOURCE_NAME/);
    expect(existsSync(victim)).toBe(true);
    expect(await snapshotTree(root)).toEqual(before);
    for (const [p, kind] of await snapshotTree(root)) expect(kind.startsWith('link:'), p).toBe(false);
    await rm(outside, { recursive: true, force: true });
  });
});
