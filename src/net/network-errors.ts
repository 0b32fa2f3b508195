import { UsageError } from '../findings/finding.js';

/** The document (or its decompressed form) is larger than kplay reads: E_NETWORK_TOO_LARGE, exit 2. */
export function tooLarge(url: string, what: string, limit: number, decompressed = false): UsageError {
  const message = `${url}: the ${what} is larger than ${Math.round(limit / 1024 / 1024)} MiB${decompressed ? ' once decompressed' : ''}; kplay stopped reading it`;
  return new UsageError(message, [
    {
      code: 'E_NETWORK_TOO_LARGE',
      severity: 'error',
      message,
      where: { file: url, line: 0, col: 0 },
      hint: 'check the URL: this is not the repository or hub kplay expects (or a compression bomb)',
    },
  ]);
}

/** A document kplay cannot read (corrupt compression, not XML): E_NETWORK_MALFORMED, exit 2. */
export function malformed(url: string, what: string, why: string): UsageError {
  const message = `${url}: cannot read the ${what}: ${why}`;
  return new UsageError(message, [{ code: 'E_NETWORK_MALFORMED', severity: 'error', message, where: { file: url, line: 0, col: 0 } }]);
}
