import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { UsageError } from '../findings/finding.js';
import { displayPath } from '../model/safe-path.js';

/** What kplay says about a certificate: never more than what is public in it. */
export interface CertificateFacts {
  subject: string;
  /** The subject's CN: what `modinfo -F signer` shows for a module signed with it. */
  commonName: string;
  issuerCommonName: string;
  /** Serial in the colon-separated upper-case hex `modinfo -F sig_key` prints. */
  serial: string;
  sha256Fingerprint: string;
  validTo: string;
  extendedKeyUsage: string[];
}

const PRIVATE_KEY_PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

function commonNameOf(dn: string): string {
  return (
    dn
      .split('\n')
      .find((l) => l.startsWith('CN='))
      ?.slice(3) ?? ''
  );
}

/** modinfo prints a serial as colon-separated hex bytes (no leading zero byte). */
export function serialAsSigKey(serialHex: string): string {
  let hex = serialHex.replace(/[^0-9A-Fa-f]/g, '').toUpperCase();
  if (hex.length % 2) hex = `0${hex}`;
  return (hex.match(/../g) ?? []).join(':');
}

export function factsOf(cert: X509Certificate): CertificateFacts {
  return {
    subject: cert.subject.split('\n').join(', '),
    commonName: commonNameOf(cert.subject),
    issuerCommonName: commonNameOf(cert.issuer),
    serial: serialAsSigKey(cert.serialNumber),
    sha256Fingerprint: cert.fingerprint256,
    validTo: new Date(cert.validTo).toISOString(),
    // node names the extendedKeyUsage OIDs `keyUsage`
    extendedKeyUsage: cert.keyUsage ?? [],
  };
}

/**
 * Read a PEM certificate file that must hold certificates only: a private key in it is refused
 * (it would end up in an SRPM), and nothing of the key is echoed.
 */
export async function readCertificateOnly(file: string): Promise<{ pem: string; cert: X509Certificate }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read certificate ${displayPath(file)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (PRIVATE_KEY_PEM.test(text))
    throw new UsageError(`${displayPath(file)} holds a private key: give the certificate alone (NAME.crt.pem from kplay keys new)`);
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
  if (!blocks?.length) throw new UsageError(`${displayPath(file)} holds no PEM certificate`);
  try {
    return { pem: `${blocks.join('\n')}\n`, cert: new X509Certificate(blocks[0]) };
  } catch (err) {
    throw new UsageError(`${displayPath(file)}: not a readable certificate (${(err as Error).message})`);
  }
}

/** Facts of the first certificate in a PEM file that may also hold a key (the key is not read). */
export async function certificateFacts(file: string): Promise<CertificateFacts> {
  const text = await readFile(file, 'utf8');
  const block = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/)?.[0];
  if (!block) throw new UsageError(`${displayPath(file)} holds no PEM certificate`);
  return factsOf(new X509Certificate(block));
}
