import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KojiFault } from '../../src/xmlrpc/koji-faults.js';
import { kojiHub } from '../../src/submit/cbs/koji-hub.js';
import { createXmlRpcClient, HubUnreachableError, type RetryInfo } from '../../src/xmlrpc/xmlrpc-client.js';
import { startKojiHub } from '../support/koji/koji-hub-server.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

/** A server answering requests in turn with the given handlers (the last one repeats). */
async function scriptedServer(handlers: Array<(res: http.ServerResponse) => void>) {
  let n = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => handlers[Math.min(n++, handlers.length - 1)]!(res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/kojihub`, requests: () => n };
}

const ok = (res: http.ServerResponse) =>
  res
    .writeHead(200, { 'content-type': 'text/xml' })
    .end('<?xml version="1.0"?><methodResponse><params><param><value><i8>7</i8></value></param></params></methodResponse>');

function client(url: string, retries: string[] = [], extra: { timeoutMs?: number; maxRetries?: number } = {}) {
  return createXmlRpcClient({
    url,
    timeoutMs: extra.timeoutMs ?? 5000,
    maxRetries: extra.maxRetries ?? 3,
    retryIntervalMs: 1,
    onRetry: (r: RetryInfo) => retries.push(r.reason),
  });
}

describe('XML-RPC client', () => {
  it('talks to the local hub: nil for an unknown task, a readable fault for an unknown method', async () => {
    const hub = await startKojiHub();
    closers.push(() => hub.close());
    const k = kojiHub(client(hub.url));
    expect(await k.getTaskInfo(424242)).toBeUndefined();
    expect(await k.getTaskChildren(424242)).toEqual([]);
    const err = await client(hub.url)
      .call('noSuchMethod', [])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KojiFault);
    expect((err as KojiFault).message).toBe('noSuchMethod: GenericError (1000): Invalid method: noSuchMethod');
  });

  it('does not retry a 404 and says to check the server setting', async () => {
    const s = await scriptedServer([(res) => res.writeHead(404).end('no')]);
    const err = await client(s.url)
      .call('getTaskInfo', [1])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HubUnreachableError);
    expect((err as Error).message).toContain('HTTP 404 Not Found (check `server` in the koji profile)');
    expect(s.requests()).toBe(1);
  });

  it('retries an HTML page answered with 200 (a proxy in front of an offline hub) and then succeeds', async () => {
    const retries: string[] = [];
    const s = await scriptedServer([
      (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Maintenance</body></html>'),
      ok,
    ]);
    expect(await client(s.url, retries).call('getTaskInfo', [1])).toBe(7);
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatch(/not XML-RPC/);
  });

  it('gives up on a hub that never answers after the configured retries', async () => {
    const retries: string[] = [];
    const s = await scriptedServer([() => undefined]);
    // long enough that a stalled 2-core machine still gets both requests to the hub before timing out
    const err = await client(s.url, retries, { timeoutMs: 1000, maxRetries: 1 })
      .call('getTaskInfo', [1])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HubUnreachableError);
    expect((err as HubUnreachableError).reason).toBe('timed out');
    expect(retries).toEqual(['timed out']);
    expect(s.requests()).toBe(2);
  });
});
