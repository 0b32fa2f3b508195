import { CoprError } from './copr-error.js';
import type { CoprRequest } from './copr-request.js';

/** What came back for one attempt: an HTTP answer, or a transport error code. */
export type AttemptResult =
  { status: number; statusMessage?: string; contentType?: string; body: string } | { networkError: string; message: string };

export type AttemptVerdict = { action: 'done'; value: unknown } | { action: 'retry' | 'fail'; error: CoprError };

/** Transport errors that mean the request never reached the server: safe to resend even a create. */
const NOT_SENT_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Proxy answers that may come after the server already acted on a create. */
const GATEWAY_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

export interface ResponseContext {
  url: string;
  coprUrl: string;
  configFile?: string;
}

/**
 * Decide what one attempt means: a value, a retry, or a final error. Pure, so every fault path
 * (401, HTML 5xx, a connection cut after an upload) is tested without a server.
 */
export function judgeAttempt(req: CoprRequest, result: AttemptResult, ctx: ResponseContext): AttemptVerdict {
  const what = `${req.method} ${ctx.url}`;
  if ('networkError' in result) {
    const notSent = NOT_SENT_CODES.has(result.networkError);
    if (!req.idempotent && !notSent) {
      return {
        action: 'fail',
        error: new CoprError(
          `${what}: the connection failed after the request was sent (${result.networkError}); Copr may or may not have created the build`,
          'ambiguous',
        ),
      };
    }
    return { action: 'retry', error: new CoprError(`${what}: no answer from Copr (${result.networkError}: ${result.message})`, 'network') };
  }
  const { status } = result;
  const parsed = parseJson(result.body);
  if (status >= 200 && status < 300) {
    if (parsed === undefined) {
      return {
        action: 'fail',
        error: new CoprError(`${what}: HTTP ${status} but the answer is not JSON: ${describeBody(result.body)}`, 'server', status),
      };
    }
    return { action: 'done', value: parsed };
  }
  const jsonMessage = errorMessageOf(parsed);
  if (status === 401) {
    const where = ctx.configFile ? ` and save it in ${ctx.configFile}` : '';
    return {
      action: 'fail',
      error: new CoprError(
        `Copr refused the API token (HTTP 401${jsonMessage ? `: ${jsonMessage}` : ''}); it is wrong or expired: get a new one at ${ctx.coprUrl}/api${where}`,
        'auth',
        status,
      ),
    };
  }
  const detail =
    jsonMessage ??
    `the server answered with ${looksLikeHtml(result.body) ? 'an HTML page' : 'a non-JSON body'} instead of JSON: ${describeBody(result.body)}`;
  const statusText = `HTTP ${status}${result.statusMessage ? ` ${result.statusMessage}` : ''}`;
  if (status >= 500 || status === 408 || status === 429) {
    if (!req.idempotent && GATEWAY_STATUSES.has(status)) {
      return {
        action: 'fail',
        error: new CoprError(`${what}: ${statusText}: ${detail}; Copr may or may not have created the build`, 'ambiguous', status),
      };
    }
    const hint = jsonMessage ? '' : '; Copr or its proxy may be down or overloaded, try again later';
    return {
      action: req.idempotent ? 'retry' : 'fail',
      error: new CoprError(`${what}: ${statusText}: ${detail}${hint}`, 'server', status),
    };
  }
  return { action: 'fail', error: new CoprError(`${what}: ${statusText}: ${detail}`, 'refused', status) };
}

function parseJson(body: string): unknown {
  if (!body.trim()) return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

function errorMessageOf(parsed: unknown): string | undefined {
  if (parsed && typeof parsed === 'object' && 'error' in parsed) {
    const e = parsed.error;
    return typeof e === 'string' ? e : JSON.stringify(e);
  }
  return undefined;
}

function looksLikeHtml(body: string): boolean {
  return /<(?:!doctype|html|head|body|title|h1)\b/i.test(body);
}

/** A short, readable digest of a non-JSON body: an HTML page's title and heading, or its first words. */
export function describeBody(body: string): string {
  if (!body.trim()) return '(empty body)';
  let text = body;
  if (looksLikeHtml(body)) {
    const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(body)?.[1];
    const h1 = /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(body)?.[1];
    text = [title, h1].filter(Boolean).join(' – ') || body.replace(/<[^>]*>/g, ' ');
  }
  text = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return JSON.stringify(text.length > 160 ? `${text.slice(0, 157)}...` : text);
}
