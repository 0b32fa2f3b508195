import { mkdtemp, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../findings/finding.js';
import { runOpenssl } from './generate-key.js';
import { compressModule, compressionOf, decompressModule, moduleRefusal } from './module-compression.js';
import { appendModuleSignature, splitModuleSignature } from './module-signature.js';
import { pkcs7Signer, type Pkcs7Signer } from './pkcs7-signer.js';

export interface SigningKey {
  /** PEM file holding the private key (it may also hold the certificate). */
  key: string;
  /** PEM file holding the certificate. */
  cert: string;
  hash: 'sha256' | 'sha384' | 'sha512';
}

/**
 * The PKCS#7 signature scripts/sign-file.c makes: CMS_sign + CMS_add1_signer with
 * CMS_NOCERTS | CMS_BINARY | CMS_DETACHED | CMS_NOSMIMECAP | CMS_NOATTR, the signer named by
 * issuer and serial; DER.
 */
export async function moduleSignature(body: Buffer, key: SigningKey): Promise<Buffer> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'kplay-modsig-'));
  try {
    await chmod(work, 0o700);
    const input = path.join(work, 'module');
    const output = path.join(work, 'module.p7s');
    await writeFile(input, body);
    // an encrypted key's passphrase comes from KBUILD_SIGN_PIN, as for the kernel's sign-file
    const pin = process.env.KBUILD_SIGN_PIN !== undefined ? ['-passin', 'env:KBUILD_SIGN_PIN'] : [];
    await runOpenssl([
      'cms',
      '-sign',
      '-binary',
      '-noattr',
      '-nocerts',
      '-nosmimecap',
      '-md',
      key.hash,
      '-outform',
      'DER',
      '-in',
      input,
      '-signer',
      key.cert,
      '-inkey',
      key.key,
      ...pin,
      '-out',
      output,
    ]);
    return await readFile(output);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export interface ModuleSignResult {
  /** Had a signature before (replaced: a module carries exactly one). */
  replaced?: Pkcs7Signer;
  signer: Pkcs7Signer;
}

/** Sign a module's bytes (uncompressed): any earlier signature is removed first. */
export async function signModuleBytes(
  module: Buffer,
  key: SigningKey,
  what: string,
): Promise<{ signed: Buffer; result: ModuleSignResult }> {
  const split = splitModuleSignature(module);
  if (split.malformed) throw moduleRefusal(what, `${split.malformed}; not signing over it`);
  // the earlier signature is read before anything is signed: a malformed one is this module's finding
  let replaced: Pkcs7Signer | undefined;
  if (split.signature) {
    try {
      replaced = pkcs7Signer(split.signature);
    } catch (err) {
      throw moduleRefusal(what, `its signature block holds no readable PKCS#7 (${(err as Error).message}); not signing over it`);
    }
  }
  const sig = await moduleSignature(split.body, key);
  const result: ModuleSignResult = { signer: pkcs7Signer(sig) };
  if (replaced) result.replaced = replaced;
  return { signed: appendModuleSignature(split.body, sig), result };
}

/** Sign a module file in place: decompress, sign, compress again as modules_install does. */
export async function signModuleFile(file: string, key: SigningKey, what = file): Promise<ModuleSignResult> {
  const kind = compressionOf(file);
  if (!kind) throw new UsageError(`${what} is not a kernel module (.ko, .ko.xz, .ko.zst, .ko.gz)`);
  const plain = await decompressModule(kind, await readFile(file), what);
  const { signed, result } = await signModuleBytes(plain, key, what);
  await writeFile(file, await compressModule(kind, signed, what));
  return result;
}

export interface ModuleSignatureReport {
  signed: boolean;
  signer?: Pkcs7Signer;
  /** With a certificate to check against: the signature verifies with it. */
  validWith?: boolean;
  problem?: string;
}

/** Who signed a module, and (given a certificate) whether the signature checks with it. */
export async function inspectModule(file: string, cert?: string, what = file): Promise<ModuleSignatureReport> {
  const kind = compressionOf(file);
  if (!kind) throw new UsageError(`${what} is not a kernel module`);
  return inspectAppendedSignature(await decompressModule(kind, await readFile(file), what), cert);
}

/**
 * The appended signature of uncompressed bytes (a module, or a ppc64le/s390x kernel image that
 * RHEL signs the same way): who signed, and (given a certificate) whether it checks with it.
 */
export async function inspectAppendedSignature(bytes: Buffer, cert?: string): Promise<ModuleSignatureReport> {
  const split = splitModuleSignature(bytes);
  if (split.malformed) return { signed: false, problem: split.malformed };
  if (!split.signature) return { signed: false };
  let signer: Pkcs7Signer;
  try {
    signer = pkcs7Signer(split.signature);
  } catch (err) {
    return { signed: true, problem: `unreadable PKCS#7: ${(err as Error).message}` };
  }
  if (!cert) return { signed: true, signer };
  const work = await mkdtemp(path.join(os.tmpdir(), 'kplay-modverify-'));
  try {
    const body = path.join(work, 'module');
    const sig = path.join(work, 'module.p7s');
    await writeFile(body, split.body);
    await writeFile(sig, split.signature);
    try {
      // -noverify: the kernel checks the signature against its keyring, not a certificate chain
      await runOpenssl([
        'cms',
        '-verify',
        '-binary',
        '-inform',
        'DER',
        '-in',
        sig,
        '-content',
        body,
        '-certfile',
        cert,
        '-nointern',
        '-noverify',
        '-out',
        path.join(work, 'out'),
      ]);
      return { signed: true, signer, validWith: true };
    } catch {
      return { signed: true, signer, validWith: false };
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
