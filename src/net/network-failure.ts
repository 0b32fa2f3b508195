import { UsageError } from '../findings/finding.js';

/** What to check for each way a request can fail, by Node's / got's error code. */
const CAUSES: Record<string, { why: string; check: string }> = {
  ENOTFOUND: { why: 'the host name does not resolve', check: 'check the host name in the URL and this machine’s DNS' },
  EAI_AGAIN: { why: 'the host name could not be resolved now (DNS timeout)', check: 'check this machine’s DNS, then run again' },
  ECONNREFUSED: { why: 'nothing listens at that address', check: 'check the port and that the server is running' },
  ECONNRESET: { why: 'the server closed the connection', check: 'run again; if it persists, check a proxy or firewall' },
  EHOSTUNREACH: { why: 'the host cannot be reached', check: 'check the network route (VPN, firewall)' },
  ENETUNREACH: { why: 'this machine has no route to that network', check: 'check the network connection' },
  ETIMEDOUT: { why: 'the connection timed out', check: 'check the network connection or a proxy' },
  CERT_HAS_EXPIRED: { why: 'the server’s TLS certificate has expired', check: 'tell the server’s operators; do not turn off TLS checks' },
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: {
    why: 'the server’s TLS certificate is not trusted here',
    check: 'install the CA certificate system-wide',
  },
  DEPTH_ZERO_SELF_SIGNED_CERT: { why: 'the server’s TLS certificate is self-signed', check: 'install its CA certificate system-wide' },
};

/** How `--releases-url`, `--repo`, `--koji` (or a local mirror) replace the network, for the hint. */
const OFFLINE = 'a local mirror works too (file:// URLs)';

/**
 * A request that got no usable answer, as one finding naming the URL, the cause and what to
 * check: E_NETWORK_UNREACHABLE (no connection, DNS, TLS, timeout) or E_NETWORK_HTTP (an HTTP
 * error status). Never a raw `ENOTFOUND getaddrinfo …` line.
 */
export function networkFailure(url: string, err: unknown, timeoutMs: number): UsageError {
  const e = err as NodeJS.ErrnoException & { response?: { statusCode?: number } };
  const where = { file: url, line: 0, col: 0 };
  if (e?.name === 'HTTPError') {
    const status = e.response?.statusCode ?? 0;
    const check =
      status === 404 || status === 410
        ? 'check the URL: the server has no such document'
        : status === 401 || status === 403
          ? 'the server refused access: check the URL (this document should be public)'
          : status >= 500
            ? 'the server failed: run again later'
            : 'check the URL';
    const message = `${url}: the server answered HTTP ${status || '?'}`;
    return new UsageError(message, [{ code: 'E_NETWORK_HTTP', severity: 'error', message, where, hint: check }]);
  }
  const code = e?.name === 'TimeoutError' ? 'ETIMEDOUT' : (e?.code ?? '');
  const cause = CAUSES[code];
  const why =
    e?.name === 'TimeoutError'
      ? `no complete answer within ${Math.round(timeoutMs / 1000)} s`
      : (cause?.why ?? `the request failed (${code || (e as Error)?.message || 'unknown error'})`);
  const message = `${url}: ${why}${code && cause ? ` (${code})` : ''}`;
  return new UsageError(message, [
    {
      code: 'E_NETWORK_UNREACHABLE',
      severity: 'error',
      message,
      where,
      hint: `${cause?.check ?? 'check the URL and the network'}; ${OFFLINE}`,
    },
  ]);
}
