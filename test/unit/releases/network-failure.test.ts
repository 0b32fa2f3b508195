import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/findings/finding.js';
import { fetchText } from '../../../src/releases/fetch-text.js';

async function failure(p: Promise<unknown>): Promise<UsageError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UsageError);
  return err as UsageError;
}

describe('a URL that gives no usable answer is one finding with the URL and what to check', () => {
  let server: http.Server;
  let base: string;
  let closed: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/gone') res.writeHead(404).end('<html>not here</html>');
      else res.writeHead(503, { 'content-type': 'text/html' }).end('<html><body>Service Unavailable</body></html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const s = http.createServer();
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    closed = `http://127.0.0.1:${(s.address() as AddressInfo).port}/releases.json`;
    await new Promise<void>((resolve) => s.close(() => resolve()));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('connection refused: E_NETWORK_UNREACHABLE, located at the URL, hint names the port', async () => {
    const err = await failure(fetchText(closed, 2000));
    const [f] = err.findings;
    expect(f).toMatchObject({ code: 'E_NETWORK_UNREACHABLE', severity: 'error', where: { file: closed } });
    expect(f!.message).toBe(`${closed}: nothing listens at that address (ECONNREFUSED)`);
    expect(f!.hint).toMatch(/check the port and that the server is running/);
    expect(err.exitCode).toBe(2);
  });

  it('404 and 503 with an HTML body: E_NETWORK_HTTP with the status and no HTML in the message', async () => {
    const gone = (await failure(fetchText(`${base}/gone`, 2000))).findings[0]!;
    expect(gone).toMatchObject({ code: 'E_NETWORK_HTTP', message: `${base}/gone: the server answered HTTP 404` });
    expect(gone.hint).toMatch(/no such document/);
    const down = (await failure(fetchText(`${base}/x`, 2000))).findings[0]!;
    expect(down.message).toBe(`${base}/x: the server answered HTTP 503`);
    expect(down.hint).toMatch(/run again later/);
    expect(JSON.stringify(down)).not.toMatch(/<html>/);
  });

  it('a name that does not resolve says so (ENOTFOUND)', async () => {
    const f = (await failure(fetchText('http://kplay-test.invalid/releases.json', 5000))).findings[0]!;
    expect(f.code).toBe('E_NETWORK_UNREACHABLE');
    expect(f.message).toMatch(
      /^http:\/\/kplay-test\.invalid\/releases\.json: the host name (does not resolve \(ENOTFOUND\)|could not be resolved now)/,
    );
  });
});
