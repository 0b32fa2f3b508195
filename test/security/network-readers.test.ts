/**
 * The got readers besides the repository metadata (issue 24): Koji XML-RPC answers (`kplay
 * status`), webhook answers, build logs and small documents (release lists) are capped, a POST
 * never follows a redirect to another origin, credentials never reach a message, and hub answers
 * of the wrong shape are findings (exit 2), not internal errors. The endless answers (up to 1 GiB
 * offered, stopped when kplay hangs up) run under /usr/bin/time -v: < 10 s, < 300 MB. ~20 s.
 */
import { execa } from 'execa';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactUrl, withoutCredentials } from '../../src/net/capped-request.js';
import { canaryFired, canaryPath, snapshotTree } from './support/hostile-repo.js';
import { KPLAY_BIN } from '../support/run-kplay.js';

const DIST = path.join(path.dirname(KPLAY_BIN), '..');
const canary = canaryPath('network-readers');
let work: string;
let server: http.Server;
let base: string;
/** Paths the server was asked for, in order (a followed cross-origin redirect shows up here). */
const hits: string[] = [];

const GiB = 1024 * 1024 * 1024;
const xml = (v: string) => `<?xml version="1.0"?><methodResponse><params><param><value>${v}</value></param></params></methodResponse>`;
const member = (n: string, v: string) => `<member><name>${n}</name><value>${v}</value></member>`;
const task = (id: string) =>
  `<struct>${member('id', `<int>${id}</int>`)}${member('state', '<int>1</int>')}${member('method', '<string>build</string>')}${member('arch', '<string>noarch</string>')}${member('label', '<string>x</string>')}${member('parent', '<nil/>')}</struct>`;

/** Up to 1 GiB of `fill` after `head`, written as fast as the client reads; stops when it hangs up. */
function endless(res: http.ServerResponse, head: string, fill: string): void {
  res.writeHead(200, { 'content-type': 'text/xml' });
  res.write(head);
  const chunk = Buffer.alloc(1 << 20, fill);
  let sent = 0;
  let closed = false;
  res.on('close', () => (closed = true));
  const pump = (): void => {
    while (!closed && sent < GiB) {
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'kplay-net-readers-'));
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const url = req.url ?? '/';
      hits.push(url);
      const method = /<methodName>([^<]*)/.exec(body)?.[1];
      const mode = url.split('/')[1];
      if (mode === 'endless') return endless(res, '<?xml version="1.0"?><methodResponse><params><param><value><string>', 'A');
      if (mode === 'redirect') {
        res.writeHead(307, { location: `http://localhost:${(server.address() as AddressInfo).port}/elsewhere` });
        return void res.end();
      }
      if (mode === 'length') {
        res.writeHead(200, { 'content-length': String(4 * GiB) });
        return void res.end();
      }
      let v: string;
      if (mode === 'nil') v = '<nil/>';
      else if (mode === 'bigint') v = task('99999999999999999999999');
      else if (mode === 'children') v = method === 'getTaskChildren' ? '<string>no list</string>' : task('1');
      else if (mode === 'fault') {
        res.writeHead(200, { 'content-type': 'text/xml' });
        return void res.end(
          `<?xml version="1.0"?><methodResponse><fault><value><struct>${member('faultCode', '<int>1004</int>')}${member('faultString', '<string>ActionNotAllowed</string>')}</struct></value></fault></methodResponse>`,
        );
      } else v = method === 'getTaskChildren' ? '<array><data></data></array>' : task('1');
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(xml(v));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  if (work) await rm(work, { recursive: true, force: true });
});

/** `cmd args` under /usr/bin/time -v: exit status, stdout, stderr, seconds, peak RSS in MB. */
async function timed(args: string[], env: Record<string, string> = {}) {
  const r = await execa('/usr/bin/time', ['-v', process.execPath, ...args], {
    cwd: work,
    reject: false,
    env: { NO_COLOR: '1', HOME: path.join(work, 'home'), KPLAY_KOJI_SYSCONFDIR: path.join(work, 'etc'), ...env },
    timeout: 60_000,
  });
  const stderr = String(r.stderr);
  const rssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1]);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(stderr);
  const seconds = wall ? Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]) : NaN;
  return {
    exitCode: r.exitCode,
    stdout: String(r.stdout),
    stderr: stderr.split('\n\tCommand being timed')[0]!,
    seconds,
    rssMb: rssKb / 1024,
  };
}

/** A state folder whose CBS record names the hub `<base>/<mode>/kojihub` with a user:password. */
async function recordFor(mode: string): Promise<string> {
  const dir = path.join(work, `state-${mode}`);
  await mkdir(dir, { recursive: true });
  await mkdir(path.join(work, 'home'), { recursive: true });
  await mkdir(path.join(work, 'etc'), { recursive: true });
  const hub = `http://kplay:s3cretpw@127.0.0.1:${(server.address() as AddressInfo).port}/${mode}/kojihub`;
  await writeFile(
    path.join(dir, 'cbs-task.json'),
    JSON.stringify({
      version: 1,
      taskId: 1,
      target: 't',
      profile: 'cbs',
      scratch: true,
      server: hub,
      weburl: `${base}/koji`,
      srpm: { file: 'x.src.rpm', sha256: 'x' },
      submittedAt: '2026-12-01T00:00:00Z',
    }),
  );
  return dir;
}

describe('kplay status: Koji answers are network input', () => {
  it('a 1 GiB endless XML-RPC answer: E_NETWORK_TOO_LARGE, exit 2, < 10 s, < 300 MB, the record untouched', async () => {
    const state = await recordFor('endless');
    const before = await snapshotTree(state);
    const r = await timed([KPLAY_BIN, 'status', '--state-dir', state]);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/error E_NETWORK_TOO_LARGE: .*the answer to getTaskInfo is larger than 32 MiB; kplay stopped reading it/);
    expect(r.seconds).toBeLessThan(10);
    expect(r.rssMb).toBeLessThan(300);
    expect(r.stderr).not.toMatch(/s3cretpw/);
    expect(await snapshotTree(state)).toEqual(before);
  }, 30_000);

  it.each([
    ['nil', 'E_CBS_TASK_UNKNOWN', /has no task 1/],
    ['bigint', 'E_CBS_HUB_ANSWER', /the task answer has no numeric id and state/],
    ['children', 'E_CBS_HUB_ANSWER', /getTaskChildren\(1\): the hub did not answer a list/],
    ['fault', 'E_CBS_HUB_FAULT', /ActionNotAllowed \(1004\)/],
    ['redirect', 'E_CBS_HUB_UNREACHABLE', /HTTP 307: the hub redirects to another host; kplay does not send the call there/],
  ])('a hub answering %s: %s, exit 2 (no internal error), no password printed, no redirect followed', async (mode, code, message) => {
    const state = await recordFor(mode);
    const before = await snapshotTree(state);
    hits.length = 0;
    const r = await timed([KPLAY_BIN, 'status', '--state-dir', state]);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`error ${code}: `));
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/internal error|s3cretpw/);
    expect(hits.filter((h) => h === '/elsewhere')).toEqual([]);
    expect(await snapshotTree(state)).toEqual(before);
  });
});

/** Run `expr` (an expression over the built module `m`) in a fresh node under /usr/bin/time. */
function inNode(module: string, expr: string) {
  const url = pathToFileURL(path.join(DIST, module)).href;
  return timed([
    '--input-type=module',
    '-e',
    `const m = await import(${JSON.stringify(url)}); console.log(JSON.stringify(await ${expr}));`,
  ]);
}

describe('webhook, logs and small documents', () => {
  const report = JSON.stringify({ title: 't', text: 'x' });

  it('a webhook answering 1 GiB: refused (1 MiB cap) in < 10 s and < 300 MB; the URL printed without password, query or token path', async () => {
    const url = `http://kplay:s3cretpw@127.0.0.1:${(server.address() as AddressInfo).port}/endless/T000/B000/tokentokentoken?token=abc`;
    const r = await inNode('notify/post-webhook.js', `m.postWebhook(${JSON.stringify(url)}, ${report}, 20000)`);
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { ok: boolean; error: string };
    expect(out).toEqual({
      ok: false,
      error: `webhook http://…@127.0.0.1:${(server.address() as AddressInfo).port}/endless/…?…: the answer is larger than 1 MiB; kplay stopped reading it`,
    });
    expect(r.stdout).not.toMatch(/s3cretpw|tokentoken|abc/);
    expect(r.seconds).toBeLessThan(10);
    expect(r.rssMb).toBeLessThan(300);
  }, 30_000);

  it('a webhook POST answered 307 to another host: not followed, reported', async () => {
    hits.length = 0;
    const url = `${base}/redirect/hook`;
    const r = await inNode('notify/post-webhook.js', `m.postWebhook(${JSON.stringify(url)}, ${report}, 20000)`);
    expect(JSON.parse(r.stdout)).toEqual({
      ok: false,
      error: `webhook ${base}/redirect/…: HTTP 307 redirects to another host; kplay does not send the report there`,
    });
    expect(hits).toEqual(['/redirect/hook']);
  });

  it('an endless Copr build log: no tail, in < 10 s and < 300 MB', async () => {
    const r = await inNode('submit/copr/copr-watch.js', `m.builderLogTail(${JSON.stringify(`${base}/endless/`)}, 20000)`);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toBe('');
    expect(r.seconds).toBeLessThan(10);
    expect(r.rssMb).toBeLessThan(300);
  }, 30_000);

  it('an endless release list: E_NETWORK_TOO_LARGE (32 MiB) in < 10 s and < 300 MB', async () => {
    const r = await inNode(
      'releases/fetch-text.js',
      `m.fetchText(${JSON.stringify(`${base}/endless/releases.json`)}).catch((e) => e.findings[0].code + ' ' + e.message)`,
    );
    expect(r.stdout, r.stderr).toMatch(/E_NETWORK_TOO_LARGE .*releases\.json: the document is larger than 32 MiB/);
    expect(r.seconds).toBeLessThan(10);
    expect(r.rssMb).toBeLessThan(300);
  }, 30_000);

  it('URLs in messages carry no credentials', () => {
    expect(redactUrl('https://u:p@hooks.example.org/services/T1/B2/secret?x=1#f')).toBe('https://…@hooks.example.org/services/…?…');
    expect(redactUrl('https://hooks.example.org/')).toBe('https://hooks.example.org/');
    expect(withoutCredentials('https://u:p@koji.example.org:8443/kojihub?k=v')).toBe('https://koji.example.org:8443/kojihub?…');
    expect(withoutCredentials('https://koji.example.org/kojihub')).toBe('https://koji.example.org/kojihub');
    expect(canaryFired(canary)).toBe(false);
  });
});
