/** Tunables read from the environment (tests shorten every wait); each has a production default. */
export interface CoprSettings {
  /** KPLAY_COPR_URL: overrides `copr_url` of the config file. */
  urlOverride?: string;
  /** KPLAY_POLL_INTERVAL_MS: between two looks at a watched build (copr-cli uses 30 s). */
  pollIntervalMs: number;
  /** KPLAY_WATCH_MAX_MS: stop watching after this long (the build goes on); default: build timeout + 2 days of queueing. */
  watchMaxMs?: number;
  /** KPLAY_COPR_RETRIES: extra attempts of a request that may be retried. */
  retries: number;
  /** KPLAY_RETRY_BASE_MS: first backoff delay, doubled each retry. */
  retryBaseMs: number;
  /** KPLAY_HTTP_TIMEOUT_MS: connect / idle / wait-for-answer timeout of one request. */
  httpTimeoutMs: number;
  /** KPLAY_DEBUG: log every request and answer (redacted) on stderr. */
  debug: boolean;
}

function positive(value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value);
  return Number.isFinite(n) && n >= min ? n : fallback;
}

export function coprSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): CoprSettings {
  return {
    urlOverride: env.KPLAY_COPR_URL?.trim() || undefined,
    pollIntervalMs: positive(env.KPLAY_POLL_INTERVAL_MS, 30_000, 1),
    watchMaxMs: env.KPLAY_WATCH_MAX_MS ? positive(env.KPLAY_WATCH_MAX_MS, 0, 1) || undefined : undefined,
    retries: Math.floor(positive(env.KPLAY_COPR_RETRIES, 4)),
    retryBaseMs: positive(env.KPLAY_RETRY_BASE_MS, 1_000),
    httpTimeoutMs: positive(env.KPLAY_HTTP_TIMEOUT_MS, 300_000, 1),
    debug: Boolean(env.KPLAY_DEBUG),
  };
}
