import { serialAsSigKey } from '../load/certificate-facts.js';

/**
 * Just enough DER to say who signed a module: the first SignerInfo of a CMS/PKCS#7 SignedData
 * (RFC 5652): its issuer CN and serial (what `modinfo -F signer` / `-F sig_key` show), or its
 * subjectKeyIdentifier, and the digest algorithm.
 */
interface Tlv {
  tag: number;
  start: number;
  /** Offset of the content. */
  body: number;
  end: number;
}

function readTlv(buf: Buffer, at: number): Tlv {
  const tag = buf[at]!;
  let len = buf[at + 1]!;
  let body = at + 2;
  if (len & 0x80) {
    const bytes = len & 0x7f;
    if (bytes === 0 || bytes > 4) throw new RangeError('unsupported DER length');
    len = 0;
    for (let i = 0; i < bytes; i++) len = len * 256 + buf[body + i]!;
    body += bytes;
  }
  const end = body + len;
  if (end > buf.length) throw new RangeError('DER element runs past the end');
  return { tag, start: at, body, end };
}

function children(buf: Buffer, t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = t.body; at < t.end;) {
    const c = readTlv(buf, at);
    out.push(c);
    at = c.end;
  }
  return out;
}

function oid(buf: Buffer, t: Tlv): string {
  const b = buf.subarray(t.body, t.end);
  const parts = [Math.floor(b[0]! / 40), b[0]! % 40];
  let v = 0;
  for (const byte of b.subarray(1)) {
    v = v * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

const DIGESTS: Record<string, string> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '1.3.14.3.2.26': 'sha1',
};

export interface Pkcs7Signer {
  /** Issuer CN (sign-file identifies the signer by issuer and serial). */
  signer: string;
  /** Serial as modinfo's sig_key (or the subjectKeyIdentifier when signed with -k). */
  sigKey: string;
  hashAlgorithm: string;
}

export function pkcs7Signer(der: Buffer): Pkcs7Signer {
  const contentInfo = readTlv(der, 0);
  const [, explicit] = children(der, contentInfo);
  if (!explicit) throw new RangeError('not a PKCS#7 ContentInfo');
  const signedData = children(der, explicit)[0]!;
  const parts = children(der, signedData);
  const signerInfos = parts[parts.length - 1]!;
  const signerInfo = children(der, signerInfos)[0];
  if (!signerInfo) throw new RangeError('PKCS#7 without a SignerInfo');
  const [, sid, digestAlg] = children(der, signerInfo);
  const hashAlgorithm = DIGESTS[oid(der, children(der, digestAlg!)[0]!)] ?? 'unknown';
  if (sid!.tag === 0x80) {
    return { signer: '', sigKey: serialAsSigKey(der.subarray(sid!.body, sid!.end).toString('hex')), hashAlgorithm };
  }
  const [issuer, serial] = children(der, sid!);
  let signer = '';
  for (const rdn of children(der, issuer!)) {
    for (const atv of children(der, rdn)) {
      const [type, value] = children(der, atv);
      if (oid(der, type!) === '2.5.4.3') signer = der.subarray(value!.body, value!.end).toString('utf8');
    }
  }
  let serialBytes = der.subarray(serial!.body, serial!.end);
  while (serialBytes.length > 1 && serialBytes[0] === 0) serialBytes = serialBytes.subarray(1);
  return { signer, sigKey: serialAsSigKey(serialBytes.toString('hex')), hashAlgorithm };
}
