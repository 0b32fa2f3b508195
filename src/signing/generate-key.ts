import { chmod, mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { UsageError } from '../findings/finding.js';
import { pathExists } from '../fs/path-kind.js';
import { renderKeyConfig, type KeySubject } from './key-config.js';
import { certificateFacts, type CertificateFacts } from '../load/certificate-facts.js';

export interface GeneratedKey {
  /** Private key followed by its certificate (PEM), mode 0600: the kernel's signing_key.pem shape. */
  keyFile: string;
  /** The certificate alone (PEM): public, may go into a repository and a variant's `signing:`. */
  certFile: string;
  /** The certificate in DER, for `mokutil --import`. */
  derFile: string;
  facts: CertificateFacts;
}

export interface GenerateKeyOptions extends KeySubject {
  /** Folder to write into (created mode 0700 when missing). */
  dir: string;
  /** Base name of the files (NAME.key.pem, NAME.crt.pem, NAME.der). */
  name: string;
  days: number;
  bits?: number;
}

/**
 * Make a SIG signing key pair with openssl (the kernel's own `openssl req -x509` recipe from
 * certs/Makefile). The private key is written only to `NAME.key.pem`, created with mode 0600
 * before a byte is written; refuses to overwrite an existing key.
 */
export async function generateSigningKey(opts: GenerateKeyOptions): Promise<GeneratedKey> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(opts.name))
    throw new UsageError(`key name '${opts.name}' may hold only letters, digits, '.', '_' and '-'`);
  const dir = path.resolve(opts.dir);
  const keyFile = path.join(dir, `${opts.name}.key.pem`);
  const certFile = path.join(dir, `${opts.name}.crt.pem`);
  const derFile = path.join(dir, `${opts.name}.der`);
  for (const f of [keyFile, certFile, derFile]) {
    if (await pathExists(f)) throw new UsageError(`${f} already exists: kplay never overwrites a key (choose another --name or folder)`);
  }
  let config: string;
  try {
    config = renderKeyConfig(opts, opts.bits ?? 4096);
  } catch (err) {
    throw new UsageError(`cannot use that subject: ${(err as Error).message}`);
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const work = await mkdtemp(path.join(os.tmpdir(), 'kplay-keygen-'));
  try {
    await chmod(work, 0o700);
    const cfg = path.join(work, 'x509.genkey');
    const tmpKey = path.join(work, 'key.pem');
    const tmpCert = path.join(work, 'cert.pem');
    await writeFile(cfg, config);
    // openssl writes the key itself; umask 077 through mode of the folder, and we copy with 0600
    await runOpenssl([
      'req',
      '-new',
      '-nodes',
      '-utf8',
      '-sha256',
      '-days',
      String(opts.days),
      '-batch',
      '-x509',
      '-config',
      cfg,
      '-outform',
      'PEM',
      '-keyout',
      tmpKey,
      '-out',
      tmpCert,
    ]);
    await runOpenssl(['x509', '-in', tmpCert, '-outform', 'DER', '-out', derFile]);
    const certPem = await readFile(tmpCert);
    const handle = await open(keyFile, 'wx', 0o600);
    try {
      await handle.writeFile(Buffer.concat([await readFile(tmpKey), certPem]));
    } finally {
      await handle.close();
    }
    await chmod(keyFile, 0o600);
    await writeFile(certFile, certPem, { mode: 0o644 });
    return { keyFile, certFile, derFile, facts: await certificateFacts(certFile) };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Run openssl; its stderr never carries key bytes, but we keep only the last line anyway. */
export async function runOpenssl(args: string[], input?: Buffer): Promise<Buffer> {
  try {
    const r = await execa('openssl', args, { encoding: 'buffer', ...(input ? { input } : {}), stripFinalNewline: false });
    return Buffer.from(r.stdout);
  } catch (err) {
    const e = err as { code?: string; stderr?: Uint8Array; shortMessage?: string };
    if (e.code === 'ENOENT')
      throw new UsageError('openssl is not installed (Debian: apt-get install openssl; Fedora: dnf install openssl)');
    const last =
      Buffer.from(e.stderr ?? [])
        .toString('utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .pop() ??
      e.shortMessage ??
      'failed';
    throw new UsageError(`openssl ${args[0]} failed: ${last}`);
  }
}
