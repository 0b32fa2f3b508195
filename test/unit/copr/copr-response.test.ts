import { describe, expect, it } from 'vitest';
import { createBuildFromUploadRequest, getBuildRequest, checkBeforeBuildRequest } from '../../../src/submit/copr/copr-request.js';
import { describeBody, judgeAttempt } from '../../../src/submit/copr/copr-response.js';
import { multipartBody } from '../../../src/submit/copr/multipart-body.js';

const ctx = { url: 'https://copr.example/api_3/x', coprUrl: 'https://copr.example', configFile: '/h/.config/copr' };
const get = getBuildRequest(1);
const check = checkBeforeBuildRequest('o', 'p', { chroots: ['c'], timeout: 1, enable_net: false });
const upload = createBuildFromUploadRequest(multipartBody([]));
const html = '<html><head><title>502 Proxy Error</title></head><body><h1>Proxy Error</h1></body></html>';

describe('judgeAttempt', () => {
  it('returns parsed JSON of a 2xx', () => {
    expect(judgeAttempt(get, { status: 200, body: '{"id":1,"state":"running"}' }, ctx)).toEqual({
      action: 'done',
      value: { id: 1, state: 'running' },
    });
  });
  it('401 fails at once and says where to renew the token', () => {
    const v = judgeAttempt(get, { status: 401, body: '{"error":"Login invalid/expired."}' }, ctx);
    expect(v.action).toBe('fail');
    if (v.action !== 'done') {
      expect(v.error.kind).toBe('auth');
      expect(v.error.message).toContain('https://copr.example/api');
      expect(v.error.message).toContain('/h/.config/copr');
    }
  });
  it('retries idempotent requests on 5xx, 429 and connection errors', () => {
    expect(judgeAttempt(get, { status: 502, body: html }, ctx).action).toBe('retry');
    expect(judgeAttempt(check, { status: 500, body: '{"error":"x"}' }, ctx).action).toBe('retry');
    expect(judgeAttempt(get, { status: 429, body: '' }, ctx).action).toBe('retry');
    expect(judgeAttempt(get, { networkError: 'ECONNRESET', message: 'socket hang up' }, ctx).action).toBe('retry');
  });
  it('never retries a create once it may have been sent; a refused connection is safe to resend', () => {
    const cut = judgeAttempt(upload, { networkError: 'ECONNRESET', message: 'socket hang up' }, ctx);
    expect(cut.action).toBe('fail');
    if (cut.action !== 'done') expect(cut.error.kind).toBe('ambiguous');
    const gateway = judgeAttempt(upload, { status: 504, body: html }, ctx);
    if (gateway.action !== 'done') expect(gateway.error.kind).toBe('ambiguous');
    expect(judgeAttempt(upload, { networkError: 'ECONNREFUSED', message: 'refused' }, ctx).action).toBe('retry');
    const app500 = judgeAttempt(upload, { status: 500, body: '{"error":"boom"}' }, ctx);
    expect(app500.action).toBe('fail');
    if (app500.action !== 'done') expect(app500.error.kind).toBe('server');
  });
  it('an HTML error page becomes a readable message, not a parse crash', () => {
    const v = judgeAttempt(get, { status: 502, statusMessage: 'Bad Gateway', body: html }, ctx);
    if (v.action !== 'done')
      expect(v.error.message).toContain(
        'HTTP 502 Bad Gateway: the server answered with an HTML page instead of JSON: "502 Proxy Error – Proxy Error"',
      );
  });
  it("4xx answers are final and carry Copr's error text", () => {
    const v = judgeAttempt(get, { status: 404, statusMessage: 'Not Found', body: '{"error":"Build 7 does not exist."}' }, ctx);
    expect(v.action).toBe('fail');
    if (v.action !== 'done') expect(v.error.message).toContain('HTTP 404 Not Found: Build 7 does not exist.');
  });
  it('a 2xx that is not JSON is an error', () => {
    expect(judgeAttempt(get, { status: 200, body: '<html></html>' }, ctx).action).toBe('fail');
  });
});

describe('describeBody', () => {
  it('shortens long bodies', () => {
    expect(describeBody('x'.repeat(500)).length).toBeLessThan(170);
    expect(describeBody('   ')).toBe('(empty body)');
  });
});
