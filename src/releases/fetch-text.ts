import { networkFailure } from './network-failure.js';

/** GET a small document (release list, checksum list, repo metadata); failures become one finding naming the URL and what to check (network-failure.ts). */
export async function fetchBytes(url: string, timeoutMs = 30_000): Promise<Buffer> {
  // loaded here, not at start: got's import costs every command ~100 ms
  const { default: got, HTTPError, RequestError } = await import('got');
  try {
    return await got(url, {
      timeout: { request: timeoutMs },
      retry: { limit: 2, methods: ['GET'] },
      headers: { 'user-agent': 'kplay' },
    }).buffer();
  } catch (err) {
    if (err instanceof HTTPError || err instanceof RequestError) throw networkFailure(url, err, timeoutMs);
    throw err;
  }
}

/** fetchBytes as UTF-8 text. */
export async function fetchText(url: string, timeoutMs = 30_000): Promise<string> {
  return (await fetchBytes(url, timeoutMs)).toString('utf8');
}
