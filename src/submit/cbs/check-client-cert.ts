import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Finding } from '../../findings/finding.js';

/**
 * Check the client certificate the koji CLI will log in with (`~/.centos.cert` holds the
 * certificate and its key): present, a certificate, inside its validity period. Only the file's
 * path and dates are ever reported, never its content.
 */
export interface CertCheck {
  findings: Finding[];
  /** notAfter, when the certificate could be read. */
  validTo?: Date;
}

const RENEW = 'run `centos-cert` (after `kinit YOUR_ACCOUNT@CENTOS.ORG`) to get a new ~/.centos.cert';
const WARN_BEFORE_MS = 7 * 24 * 3600 * 1000;

function firstCertificateBlock(pem: string): string | undefined {
  const m = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(pem);
  return m?.[0];
}

export function checkClientCert(certPath: string, now: Date = new Date()): CertCheck {
  const where = { file: certPath, line: 0, col: 0 };
  const fail = (code: Finding['code'], message: string): CertCheck => ({
    findings: [{ code, severity: 'error', message, where, hint: RENEW }],
  });
  let pem: string;
  try {
    pem = readFileSync(certPath, 'latin1');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail('E_CBS_CERT_MISSING', `client certificate ${certPath} does not exist`);
    return fail('E_CBS_CERT_UNREADABLE', `client certificate ${certPath} cannot be read (${code ?? 'error'})`);
  }
  const block = firstCertificateBlock(pem);
  if (!block) return fail('E_CBS_CERT_INVALID', `${certPath} holds no PEM certificate`);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(block);
  } catch {
    return fail('E_CBS_CERT_INVALID', `${certPath} holds a certificate that cannot be parsed`);
  }
  const validTo = new Date(cert.validTo);
  const validFrom = new Date(cert.validFrom);
  if (Number.isNaN(validTo.getTime())) return fail('E_CBS_CERT_INVALID', `${certPath}: unreadable expiry date`);
  if (now.getTime() > validTo.getTime()) {
    return { ...fail('E_CBS_CERT_EXPIRED', `client certificate ${certPath} expired on ${validTo.toISOString()}`), validTo };
  }
  if (!Number.isNaN(validFrom.getTime()) && now.getTime() < validFrom.getTime()) {
    return {
      ...fail(
        'E_CBS_CERT_NOT_YET_VALID',
        `client certificate ${certPath} is not valid before ${validFrom.toISOString()} (check the clock)`,
      ),
      validTo,
    };
  }
  const findings: Finding[] = [];
  if (validTo.getTime() - now.getTime() < WARN_BEFORE_MS) {
    findings.push({
      code: 'W_CBS_CERT_EXPIRES_SOON',
      severity: 'warning',
      message: `client certificate ${certPath} expires on ${validTo.toISOString()}`,
      where,
      hint: RENEW,
    });
  }
  return { findings, validTo };
}
