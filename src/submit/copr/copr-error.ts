/** What kind of failure a Copr request ended in; decides retries and the message. */
export type CoprFailureKind =
  /** 401: the token is bad or expired. */
  | 'auth'
  /** A 4xx answer from Copr itself: the request was refused and sending it again will not help. */
  | 'refused'
  /** 5xx or a proxy error page after every retry. */
  | 'server'
  /** No answer: connection refused, reset, timed out, after every retry. */
  | 'network'
  /** A create request whose fate is unknown (connection lost or proxy error after the upload). */
  | 'ambiguous';

/**
 * A failed Copr request, with a message for people. Messages are built from redacted text only:
 * no token, no Authorization header.
 */
export class CoprError extends Error {
  constructor(
    message: string,
    readonly kind: CoprFailureKind,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'CoprError';
  }
}
