/**
 * The openssl `req` configuration of a SIG signing key: the shape of the kernel's own
 * certs/default_x509.genkey (CA:FALSE, keyUsage=digitalSignature, subject/authority key ids),
 * plus extendedKeyUsage=codeSigning so that shim / MokManager accept the same certificate for the
 * kernel image. It deliberately does NOT carry the "module signing only" EKU
 * (1.3.6.1.4.1.2312.16.1.2), which shim refuses for images.
 */
export interface KeySubject {
  /** Common name: shown by `modinfo -F signer` and `mokutil --list-enrolled`. */
  commonName: string;
  organization?: string;
}

/** A value for an openssl config line: one line, no characters the config syntax treats specially. */
export function configValue(text: string): string {
  if (!/^[\p{L}\p{N} ._@()+,:'-]{1,64}$/u.test(text)) {
    throw new RangeError(`'${text}' may hold only letters, digits, spaces and . _ @ ( ) + , : ' - (at most 64 characters)`);
  }
  return text;
}

export function renderKeyConfig(subject: KeySubject, bits = 4096): string {
  return [
    '[ req ]',
    `default_bits = ${bits}`,
    'distinguished_name = req_distinguished_name',
    'prompt = no',
    'string_mask = utf8only',
    'x509_extensions = myexts',
    '',
    '[ req_distinguished_name ]',
    ...(subject.organization ? [`O = ${configValue(subject.organization)}`] : []),
    `CN = ${configValue(subject.commonName)}`,
    '',
    '[ myexts ]',
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=digitalSignature',
    'extendedKeyUsage=codeSigning',
    'subjectKeyIdentifier=hash',
    'authorityKeyIdentifier=keyid',
    '',
  ].join('\n');
}
