import got, { HTTPError, RequestError } from 'got';
import type { BreakReport } from './break-report.js';

/**
 * POST a break report as JSON to a webhook: `{ text, title, report }` (`text` is what chat
 * webhooks such as Mattermost or Slack show). Never throws: a failure is returned as a sentence
 * for the caller to print, since a notification that cannot be delivered must not hide the break.
 * Query strings (which often hold tokens) are left out of messages.
 */
export async function postWebhook(url: string, report: BreakReport, timeoutMs = 15_000): Promise<{ ok: true; status: number } | { ok: false; error: string }> {
  const shown = url.replace(/[?#].*$/, '');
  try {
    const r = await got.post(url, { json: { text: `${report.title}\n\n${report.text}`, title: report.title, report }, timeout: { request: timeoutMs }, retry: { limit: 1, methods: ['POST'] }, headers: { 'user-agent': 'kplay' } });
    return { ok: true, status: r.statusCode };
  } catch (err) {
    if (err instanceof HTTPError) return { ok: false, error: `webhook ${shown}: HTTP ${err.response.statusCode}` };
    if (err instanceof RequestError) return { ok: false, error: `webhook ${shown}: ${err.code ?? err.message}` };
    return { ok: false, error: `webhook ${shown}: ${(err as Error).message}` };
  }
}
