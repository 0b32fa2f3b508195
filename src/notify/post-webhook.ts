import got, { HTTPError, RequestError } from 'got';
import { capBody, redactUrl, sameOriginOnly } from '../net/capped-request.js';
import type { BreakReport } from './break-report.js';

/** A webhook's answer is a status line and a few bytes; more is not a webhook. */
export const MAX_WEBHOOK_ANSWER_BYTES = 1024 * 1024;

/**
 * POST a break report as JSON to a webhook: `{ text, title, report }` (`text` is what chat
 * webhooks such as Mattermost or Slack show). Never throws: a failure is returned as a sentence
 * for the caller to print, since a notification that cannot be delivered must not hide the break.
 * The URL is printed without user:password, query or the path after its first segment (webhook
 * paths are tokens); a redirect is followed only to the same origin, so the report and the
 * credentials never go to another host; the answer is read up to 1 MiB.
 */
export async function postWebhook(
  url: string,
  report: BreakReport,
  timeoutMs = 15_000,
): Promise<{ ok: true; status: number } | { ok: false; error: string }> {
  const shown = redactUrl(url);
  let tooLarge = false;
  try {
    const r = await capBody(
      got.post(url, {
        json: { text: `${report.title}\n\n${report.text}`, title: report.title, report },
        timeout: { request: timeoutMs },
        retry: { limit: 1, methods: ['POST'] },
        headers: { 'user-agent': 'kplay' },
        followRedirect: sameOriginOnly(url),
        decompress: false,
      }),
      MAX_WEBHOOK_ANSWER_BYTES,
      () => {
        tooLarge = true;
        return new Error('too large');
      },
    );
    if (r.statusCode >= 300 && r.statusCode < 400)
      return { ok: false, error: `webhook ${shown}: HTTP ${r.statusCode} redirects to another host; kplay does not send the report there` };
    return { ok: true, status: r.statusCode };
  } catch (err) {
    if (tooLarge) return { ok: false, error: `webhook ${shown}: the answer is larger than 1 MiB; kplay stopped reading it` };
    if (err instanceof HTTPError) return { ok: false, error: `webhook ${shown}: HTTP ${err.response.statusCode}` };
    if (err instanceof RequestError) return { ok: false, error: `webhook ${shown}: ${err.code ?? 'request failed'}` };
    return { ok: false, error: `webhook ${shown}: request failed` };
  }
}
