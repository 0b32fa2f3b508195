import got, { RequestError } from 'got';
import { capBody, sameOriginOnly, withoutCredentials } from '../net/capped-request.js';
import { tooLarge } from '../net/network-errors.js';
import { decodeMethodResponse, XmlRpcFormatError } from './decode-xmlrpc.js';
import { encodeMethodCall } from './encode-xmlrpc.js';
import { FAULT_SERVER_OFFLINE, KojiFault } from './koji-faults.js';
import type { XmlRpcValue } from './xmlrpc-value.js';

export interface XmlRpcClientOptions {
  /** The hub URL (`server` of the koji profile). */
  url: string;
  /** Per request. */
  timeoutMs: number;
  /** Transport retries per call (koji's `max_retries`). */
  maxRetries: number;
  /** First wait before a retry; doubles per try up to 4 times this (koji's `retry_interval`). */
  retryIntervalMs: number;
  /** PEM of the CA that signed the hub's certificate (the profile's `serverca`). */
  serverCa?: Buffer;
  /** The profile's `no_ssl_verify` without a `serverca`: koji sends verify=False. */
  noSslVerify?: boolean;
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (info: RetryInfo) => void;
}

export interface RetryInfo {
  method: string;
  /** 1 for the first retry. */
  attempt: number;
  maxRetries: number;
  reason: string;
  delayMs: number;
}

/** The hub could not be reached (or stayed offline) through every retry. */
export class HubUnreachableError extends Error {
  constructor(
    readonly url: string,
    readonly method: string,
    readonly attempts: number,
    readonly reason: string,
  ) {
    super(
      `could not reach the Koji hub ${withoutCredentials(url)} (${method}, ${attempts} ${attempts === 1 ? 'try' : 'tries'}): ${reason}`,
    );
    this.name = 'HubUnreachableError';
  }
}

/**
 * The hub's TLS certificate could not be verified (or a client certificate problem): koji gives up
 * at once on these (koji/__init__.py `is_requests_cert_error`: "There's no point in retrying").
 */
export class HubCertificateError extends Error {
  constructor(
    readonly url: string,
    readonly code: string,
    readonly detail: string,
  ) {
    super(`the TLS certificate of the Koji hub ${withoutCredentials(url)} could not be verified: ${detail} (${code})`);
    this.name = 'HubCertificateError';
  }
}

/** Node's TLS verification failures (the `certificate verify failed` / `expired` / `doesn't match` of koji's list). */
const CERT_ERROR_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
]);

export function isCertificateError(code: string | undefined): boolean {
  return code !== undefined && CERT_ERROR_CODES.has(code);
}

/** A Koji answer larger than this is not one kplay reads (listTasks of a big build is a few MiB). */
export const MAX_KOJI_ANSWER_BYTES = 32 * 1024 * 1024;

/** A failure that a retry may cure, or not. */
class CallFailure {
  constructor(
    readonly retryable: boolean,
    readonly reason: string,
    readonly fault?: KojiFault,
  ) {}
}

export interface XmlRpcClient {
  readonly url: string;
  call(method: string, params: readonly XmlRpcValue[]): Promise<XmlRpcValue>;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function transportReason(err: RequestError): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset by the server';
    case 'ETIMEDOUT':
      return 'timed out';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found';
    case 'EPIPE':
      return 'connection closed while sending';
    default:
      return err.code ? `${err.code}` : (err.message.split('\n')[0] ?? 'request failed');
  }
}

/** Anonymous XML-RPC over got; faults become KojiFault, transport trouble is retried with backoff. */
export function createXmlRpcClient(opts: XmlRpcClientOptions): XmlRpcClient {
  const sleep = opts.sleep ?? sleepFor;

  async function attempt(method: string, body: string): Promise<XmlRpcValue | CallFailure> {
    let status: number;
    let statusMessage: string | undefined;
    let text: string;
    try {
      // the answer is capped and a redirect is followed only on the hub's own origin
      const res = await capBody(
        got.post(opts.url, {
          body,
          headers: { 'content-type': 'text/xml', accept: 'text/xml' },
          timeout: { request: opts.timeoutMs },
          retry: { limit: 0 },
          throwHttpErrors: false,
          followRedirect: sameOriginOnly(opts.url),
          decompress: false,
          responseType: 'text',
          ...(opts.serverCa
            ? { https: { certificateAuthority: opts.serverCa } }
            : opts.noSslVerify
              ? { https: { rejectUnauthorized: false } }
              : {}),
        }),
        MAX_KOJI_ANSWER_BYTES,
        () => tooLarge(withoutCredentials(opts.url), `answer to ${method}`, MAX_KOJI_ANSWER_BYTES),
      );
      status = res.statusCode;
      statusMessage = res.statusMessage;
      text = res.body;
    } catch (err) {
      if (err instanceof RequestError && isCertificateError(err.code)) {
        throw new HubCertificateError(opts.url, err.code, err.message.split('\n')[0] ?? err.code);
      }
      if (err instanceof RequestError) return new CallFailure(true, transportReason(err));
      throw err;
    }
    if (status >= 300 && status < 400)
      return new CallFailure(false, `HTTP ${status}: the hub redirects to another host; kplay does not send the call there`);
    if (status !== 200) {
      const retryable = status >= 500 || status === 408 || status === 429;
      const hint = retryable ? '' : ' (check `server` in the koji profile)';
      return new CallFailure(retryable, `HTTP ${status}${statusMessage ? ` ${statusMessage}` : ''}${hint}`);
    }
    let decoded;
    try {
      decoded = decodeMethodResponse(text);
    } catch (err) {
      if (err instanceof XmlRpcFormatError) {
        return new CallFailure(true, `the answer is not XML-RPC (${err.message}); a proxy may be answering for the hub`);
      }
      throw err;
    }
    if (decoded.kind === 'fault') {
      const fault = new KojiFault(method, decoded.faultCode, decoded.faultString);
      return new CallFailure(decoded.faultCode === FAULT_SERVER_OFFLINE, fault.message, fault);
    }
    return decoded.value;
  }

  return {
    url: opts.url,
    async call(method, params) {
      const body = encodeMethodCall(method, params);
      const maxRetries = Math.max(0, opts.maxRetries);
      for (let tries = 1; ; tries++) {
        const result = await attempt(method, body);
        if (!(result instanceof CallFailure)) return result;
        if (!result.retryable) {
          if (result.fault) throw result.fault;
          throw new HubUnreachableError(opts.url, method, tries, result.reason);
        }
        if (tries > maxRetries) {
          if (result.fault) throw result.fault;
          throw new HubUnreachableError(opts.url, method, tries, result.reason);
        }
        const delayMs = Math.min(opts.retryIntervalMs * 2 ** (tries - 1), opts.retryIntervalMs * 4);
        opts.onRetry?.({ method, attempt: tries, maxRetries, reason: result.reason, delayMs });
        await sleep(delayMs);
      }
    },
  };
}
