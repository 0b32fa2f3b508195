import { networkFailure } from '../net/network-failure.js';
import { tooLarge } from '../net/network-errors.js';
import { capBody, withoutCredentials } from '../net/capped-request.js';

/** Release lists, checksum lists: a few hundred KiB; more is not the document kplay asked for. */
export const MAX_SMALL_DOCUMENT_BYTES = 32 * 1024 * 1024;

/** GET a small document (release list, checksum list, repo metadata); failures become one finding naming the URL (without credentials) and what to check (network-failure.ts). */
export async function fetchBytes(url: string, timeoutMs = 30_000, maxBytes = MAX_SMALL_DOCUMENT_BYTES): Promise<Buffer> {
  // loaded here, not at start: got's import costs every command ~100 ms
  const { default: got, HTTPError, RequestError } = await import('got');
  const shown = withoutCredentials(url);
  try {
    const res = await capBody(
      got(url, {
        timeout: { request: timeoutMs },
        retry: { limit: 2, methods: ['GET'] },
        headers: { 'user-agent': 'kplay' },
        decompress: false,
        responseType: 'buffer',
      }),
      maxBytes,
      () => tooLarge(shown, 'document', maxBytes),
    );
    return res.body;
  } catch (err) {
    if (err instanceof HTTPError || err instanceof RequestError) throw networkFailure(shown, err, timeoutMs);
    throw err;
  }
}

/** fetchBytes as UTF-8 text. */
export async function fetchText(url: string, timeoutMs = 30_000): Promise<string> {
  return (await fetchBytes(url, timeoutMs)).toString('utf8');
}
