/**
 * The kernel's appended module signature (include/linux/module_signature.h, scripts/sign-file.c):
 *
 *   module bytes | PKCS#7 DER (detached, no certs, no signed attributes) | struct module_signature | magic
 *
 * struct module_signature is 12 bytes: algo, hash, id_type (2 = PKEY_ID_PKCS7), signer_len,
 * key_id_len, 3 pad bytes (all 0 for PKCS#7), then sig_len as a big-endian u32.
 */
export const MODULE_SIG_MAGIC = Buffer.from('~Module signature appended~\n', 'latin1');
export const MODULE_SIG_INFO_SIZE = 12;
const PKEY_ID_PKCS7 = 2;

export interface SplitModule {
  /** The module without any signature. */
  body: Buffer;
  /** The PKCS#7 DER signature, when the module was signed. */
  signature?: Buffer;
  /** Signature block present but not PKCS#7 or not consistent (id_type, lengths). */
  malformed?: string;
}

/** Append a PKCS#7 signature to an unsigned module, exactly as sign-file does. */
export function appendModuleSignature(body: Buffer, pkcs7Der: Buffer): Buffer {
  const info = Buffer.alloc(MODULE_SIG_INFO_SIZE);
  info[2] = PKEY_ID_PKCS7;
  info.writeUInt32BE(pkcs7Der.length, 8);
  return Buffer.concat([body, pkcs7Der, info, MODULE_SIG_MAGIC]);
}

/** Split a module into its body and its appended signature (mod_check_sig's checks). */
export function splitModuleSignature(module: Buffer): SplitModule {
  const n = module.length;
  if (n < MODULE_SIG_MAGIC.length + MODULE_SIG_INFO_SIZE || !module.subarray(n - MODULE_SIG_MAGIC.length).equals(MODULE_SIG_MAGIC)) {
    return { body: module };
  }
  const infoAt = n - MODULE_SIG_MAGIC.length - MODULE_SIG_INFO_SIZE;
  const info = module.subarray(infoAt, infoAt + MODULE_SIG_INFO_SIZE);
  const sigLen = info.readUInt32BE(8);
  if (info[2] !== PKEY_ID_PKCS7) return { body: module, malformed: `signature id_type ${info[2]} is not PKCS#7` };
  if (info[0] || info[1] || info[3] || info[4] || info[5] || info[6] || info[7]) return { body: module, malformed: 'PKCS#7 signature block with non-zero algo/hash/signer/key id fields' };
  if (sigLen === 0 || sigLen > infoAt) return { body: module, malformed: `signature length ${sigLen} does not fit the file` };
  return { body: module.subarray(0, infoAt - sigLen), signature: module.subarray(infoAt - sigLen, infoAt) };
}
