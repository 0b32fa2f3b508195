import { UsageError } from '../findings/finding.js';

/** GET a small document (release list, checksum list, repo metadata); failures become UsageErrors naming the URL. */
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
    if (err instanceof HTTPError) throw new UsageError(`${url}: HTTP ${err.response.statusCode}`);
    if (err instanceof RequestError) throw new UsageError(`${url}: ${err.code ?? ''} ${err.message}`.trim());
    throw err;
  }
}

/** fetchBytes as UTF-8 text. */
export async function fetchText(url: string, timeoutMs = 30_000): Promise<string> {
  return (await fetchBytes(url, timeoutMs)).toString('utf8');
}
