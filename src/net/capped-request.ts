import type { CancelableRequest } from 'got';

/**
 * Limits for got's promise requests (Koji XML-RPC answers, Copr answers, webhook answers, build
 * logs, release lists): the answer is cancelled as soon as its length or the bytes received pass
 * `max`, so an endless answer costs at most `max` of memory. Requests using it must pass
 * `decompress: false` (got then counts the bytes it keeps; a gzip answer would otherwise be
 * counted against its compressed length and never reported).
 */
export function capBody<T>(request: CancelableRequest<T>, max: number, onOver: () => Error): Promise<T> {
  let over = false;
  const stop = (): void => {
    if (over) return;
    over = true;
    request.cancel();
  };
  void request.on('response', (res: { headers: Record<string, string | string[] | undefined> }) => {
    const length = Number(res.headers['content-length']);
    if (Number.isFinite(length) && length > max) stop();
  });
  void request.on('downloadProgress', (p: { transferred: number }) => {
    if (p.transferred > max) stop();
  });
  return request.catch((err: unknown) => {
    if (over) throw onOver();
    throw err;
  });
}

/**
 * got's `followRedirect` for requests that carry a body or credentials: a redirect is followed
 * only to the same origin (scheme, host and port). A POST is never re-sent to another host, and
 * an https hub is never downgraded to http.
 */
export function sameOriginOnly(
  start: string,
): (response: { headers: Record<string, string | string[] | undefined>; url: string }) => boolean {
  const origin = new URL(start).origin;
  return (response) => {
    const location = response.headers.location;
    if (typeof location !== 'string') return false;
    try {
      return new URL(location, response.url).origin === origin;
    } catch {
      return false;
    }
  };
}

/**
 * A URL as kplay prints it: no user:password, no query or fragment (tokens), and of the path only
 * the first segment (webhook paths such as /services/T…/B…/secret are tokens themselves).
 */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return '(a URL that does not parse)';
  }
  const segments = u.pathname.split('/').filter(Boolean);
  const pathShown = segments.length === 0 ? '/' : `/${segments[0]}${segments.length > 1 ? '/…' : ''}`;
  const login = u.username || u.password ? '…@' : '';
  return `${u.protocol}//${login}${u.host}${pathShown}${u.search || u.hash ? '?…' : ''}`;
}

/** A URL without user:password and without its query and fragment (where tokens go); the path stays. */
export function withoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password && !u.search && !u.hash) return url;
    u.username = '';
    u.password = '';
    const tail = u.search || u.hash ? '?…' : '';
    u.search = '';
    u.hash = '';
    return `${u.href}${tail}`;
  } catch {
    return '(a URL that does not parse)';
  }
}
