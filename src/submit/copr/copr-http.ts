import got, { RequestError } from 'got';
import { UsageError } from '../../findings/finding.js';
import { tooLarge } from '../../net/network-errors.js';
import { capBody } from '../../net/capped-request.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoprError } from './copr-error.js';
import type { CoprRequest } from './copr-request.js';
import { judgeAttempt, type AttemptResult } from './copr-response.js';
import { startStep } from '../../progress/progress.js';
import { REDACTED, type SecretRedactor } from './secret-redactor.js';

export interface CoprHttpOptions {
  /** `https://copr.fedorainfracloud.org`, without a trailing slash. */
  coprUrl: string;
  /** HTTP Basic login:token, or the `session` cookie of a GSSAPI login. */
  credentials?: { login: string; token: string } | { session: string };
  redactor: SecretRedactor;
  /** Named in the 401 message. */
  configFile?: string;
  /** Extra attempts for requests that may be retried. */
  retries: number;
  /** First backoff delay; doubles each retry, capped at 30 s. */
  retryBaseMs: number;
  /** Connect, idle socket and wait-for-answer timeout. */
  timeoutMs: number;
  /** One line per request and answer, already safe to print (KPLAY_DEBUG). */
  debug?: (line: string) => void;
}

const MAX_BACKOFF_MS = 30_000;

/** Full URL of a request (no credentials are ever part of it). */
export function coprRequestUrl(coprUrl: string, req: CoprRequest): string {
  const url = new URL(`${coprUrl}/api_3/${req.endpoint}`);
  for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, String(v));
  return url.toString();
}

/** The headers of a request, with the credential shown as REDACTED (for --dry-run and debug). */
export function shownHeaders(req: CoprRequest, hasCredentials: boolean, login: 'token' | 'gssapi' = 'token'): Record<string, string> {
  const headers: Record<string, string> = {};
  if (req.auth && login === 'gssapi') headers.cookie = `session=${REDACTED} (from the GSSAPI login)`;
  else if (req.auth) headers.authorization = hasCredentials ? `Basic ${REDACTED}` : 'Basic (login:token from the Copr config)';
  if (req.json !== undefined) headers['content-type'] = 'application/json';
  if (req.multipart) {
    headers['content-type'] = req.multipart.contentType;
    headers['content-length'] = String(req.multipart.contentLength);
  }
  return headers;
}

/**
 * Sends Copr API v3 requests with got. Idempotent requests are retried on 5xx, 408, 429 and
 * connection errors with exponential backoff; a create is resent only when the connection was
 * refused before anything was sent, and otherwise fails as 'ambiguous' so the caller can look for
 * the build. got's own retry is off so that this policy is the only one.
 */
export class CoprHttp {
  constructor(readonly options: CoprHttpOptions) {}

  url(req: CoprRequest): string {
    return coprRequestUrl(this.options.coprUrl, req);
  }

  async send<T>(req: CoprRequest): Promise<T> {
    const { retries, retryBaseMs, redactor } = this.options;
    const url = this.url(req);
    for (let attempt = 0; ; attempt++) {
      const result = await this.attempt(req, url);
      const verdict = judgeAttempt(req, result, { url, coprUrl: this.options.coprUrl, configFile: this.options.configFile });
      if (verdict.action === 'done') return verdict.value as T;
      const error = new CoprError(redactor.redact(verdict.error.message), verdict.error.kind, verdict.error.status);
      if (verdict.action === 'fail' || attempt >= retries) throw error;
      const delay = Math.min(retryBaseMs * 2 ** attempt, MAX_BACKOFF_MS);
      this.debug(`copr: retry ${attempt + 1}/${retries} in ${delay} ms: ${error.message}`);
      // a person waiting on an unreachable Copr sees each retry and why, not silence
      const step = startStep(
        `copr: ${req.method} ${url}: retry ${attempt + 1} of ${retries} in ${(delay / 1000).toFixed(1)} s (${error.message})`,
      );
      await sleep(delay);
      step.done(`copr: ${req.method} ${url}: retrying (${attempt + 1} of ${retries})`);
    }
  }

  private async attempt(req: CoprRequest, url: string): Promise<AttemptResult> {
    const { credentials, timeoutMs } = this.options;
    if (req.auth && !credentials) throw new CoprError(`${req.method} ${url} needs Copr credentials`, 'auth');
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'kplay' };
    if (req.auth && credentials && 'session' in credentials) headers.cookie = `session=${credentials.session}`;
    else if (req.auth && credentials && 'token' in credentials) {
      headers.authorization = `Basic ${Buffer.from(`${credentials.login}:${credentials.token}`).toString('base64')}`;
    }
    let body: string | NodeJS.ReadableStream | undefined;
    if (req.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.json);
    } else if (req.multipart) {
      headers['content-type'] = req.multipart.contentType;
      headers['content-length'] = String(req.multipart.contentLength);
      body = req.multipart.open();
    }
    const started = Date.now();
    this.debug(
      `copr: → ${req.method} ${url} ${JSON.stringify(shownHeaders(req, Boolean(credentials), credentials && 'session' in credentials ? 'gssapi' : 'token'))}`,
    );
    try {
      // a Copr answer is JSON of a few KiB: read up to 16 MiB
      const res = await capBody(
        got(url, {
          method: req.method,
          headers,
          body: body as string | undefined,
          throwHttpErrors: false,
          followRedirect: false,
          decompress: false,
          retry: { limit: 0 },
          responseType: 'text',
          timeout: { connect: timeoutMs, socket: timeoutMs, response: timeoutMs },
        }),
        16 * 1024 * 1024,
        () => tooLarge(this.options.redactor.redact(url), 'Copr answer', 16 * 1024 * 1024),
      );
      this.debug(`copr: ← ${res.statusCode} ${req.method} ${url} in ${Date.now() - started} ms`);
      return {
        status: res.statusCode,
        statusMessage: res.statusMessage,
        contentType: String(res.headers['content-type'] ?? ''),
        body: res.body,
      };
    } catch (err) {
      if (err instanceof UsageError) throw err;
      const code = err instanceof RequestError ? (err.code ?? 'ERR') : ((err as NodeJS.ErrnoException)?.code ?? 'ERR');
      const message = (err as Error)?.message ?? String(err);
      this.debug(`copr: ← ${code} ${req.method} ${url} in ${Date.now() - started} ms`);
      return { networkError: code, message };
    }
  }

  private debug(line: string): void {
    this.options.debug?.(this.options.redactor.redact(line));
  }
}
