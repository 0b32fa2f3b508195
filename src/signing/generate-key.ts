import { constants, rmSync } from 'node:fs';
import { chmod, lstat, mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { UsageError, type Finding } from '../findings/finding.js';
import { cleanupOnSignal, processAlive } from '../fs/cleanup-on-signal.js';
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

function keyFinding(code: 'E_KEY_EXISTS' | 'E_KEY_FOLDER' | 'E_KEY_LOCKED', file: string, message: string, hint?: string): Finding {
  return { code, severity: 'error', message, where: { file, line: 0, col: 0 }, ...(hint ? { hint } : {}) };
}

/** A key folder kplay cannot use (a file, read-only, full): E_KEY_FOLDER, exit 2, nothing left. */
function folderError(dir: string, err: unknown): UsageError {
  const e = err as NodeJS.ErrnoException;
  const why: Record<string, string> = {
    ENOTDIR: 'a part of it is a file, not a folder',
    EEXIST: 'it is a file, not a folder',
    EACCES: 'it is not writable',
    EPERM: 'it is not writable',
    EROFS: 'it is on a read-only file system',
    ENOSPC: 'its file system is full',
    EDQUOT: 'its disk quota is used up',
    ELOOP: 'a file of the key set is a symbolic link',
  };
  const message = `cannot write the key set into ${dir}: ${why[e.code ?? ''] ?? e.message}; nothing was left there`;
  return new UsageError(message, [keyFinding('E_KEY_FOLDER', dir, message, 'give --dir a writable folder with some free space')]);
}

/**
 * Create `file` with exactly `mode` (whatever the umask) and write `data`: O_CREAT|O_EXCL never
 * writes through an existing file or a (dangling) link, O_NOFOLLOW refuses a link outright.
 * `created` learns the name before a byte is written, so a clean-up removes a half-written file.
 */
async function writeNew(file: string, data: Buffer, mode: number, created: string[]): Promise<void> {
  const fh = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  created.push(file);
  try {
    await fh.chmod(mode);
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * The key folder's lock `.NAME.lock` (created exclusively, holding the pid): a second run on the
 * same name fails at once with E_KEY_LOCKED; a lock whose run is gone is taken over.
 */
async function lockKeyName(dir: string, name: string): Promise<string> {
  const lock = path.join(dir, `.${name}.lock`);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(lock, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      await fh.writeFile(String(process.pid));
      await fh.close();
      return lock;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
    const age = Date.now() - ((await lstat(lock).catch(() => undefined))?.mtimeMs ?? Date.now());
    if ((holder && !processAlive(holder)) || (!holder && age > 5000)) {
      await rm(lock, { force: true });
      continue;
    }
    break;
  }
  const message = `another kplay keys new is writing ${name} in ${dir}`;
  throw new UsageError(message, [
    keyFinding('E_KEY_LOCKED', lock, message, `wait for it to finish, or remove ${lock} if no kplay is running`),
  ]);
}

/**
 * Make a SIG signing key pair with openssl (the kernel's own `openssl req -x509` recipe from
 * certs/Makefile), directly in the target folder: under the name's lock, openssl works in a
 * private (0700) folder beside the keys, and the three files are then created exclusively
 * (never through a link, never over a file) with umask-independent modes. An error or a signal
 * (SIGINT, SIGTERM, SIGHUP) removes everything the run made: a run leaves a complete, matching
 * set or nothing.
 */
export async function generateSigningKey(opts: GenerateKeyOptions): Promise<GeneratedKey> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(opts.name))
    throw new UsageError(`key name '${opts.name}' may hold only letters, digits, '.', '_' and '-'`);
  const dir = path.resolve(opts.dir);
  const keyFile = path.join(dir, `${opts.name}.key.pem`);
  const certFile = path.join(dir, `${opts.name}.crt.pem`);
  const derFile = path.join(dir, `${opts.name}.der`);
  let config: string;
  try {
    config = renderKeyConfig(opts, opts.bits ?? 4096);
  } catch (err) {
    throw new UsageError(`cannot use that subject: ${(err as Error).message}`);
  }
  const refuseExisting = async (): Promise<void> => {
    for (const f of [keyFile, certFile, derFile]) {
      // lstat: a dangling link is there too (and would be written through)
      if (await lstat(f).catch(() => undefined)) {
        const message = `${f} already exists: kplay never overwrites a key`;
        throw new UsageError(message, [keyFinding('E_KEY_EXISTS', f, message, 'choose another --name or folder')], 1);
      }
    }
  };
  await refuseExisting();
  let lock: string;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (!(await lstat(dir)).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    lock = await lockKeyName(dir, opts.name);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw folderError(dir, err);
  }
  const work = path.join(dir, `.${opts.name}.keygen-${process.pid}`);
  const created: string[] = [];
  let done = false;
  const cleanup = (): void => {
    if (!done) for (const f of created) rmSync(f, { force: true });
    rmSync(work, { recursive: true, force: true });
    rmSync(lock, { force: true });
  };
  const unregister = cleanupOnSignal(cleanup);
  try {
    await refuseExisting();
    await mkdir(work, { mode: 0o700 });
    await chmod(work, 0o700);
    const cfg = path.join(work, 'x509.genkey');
    const tmpKey = path.join(work, 'key.pem');
    const tmpCert = path.join(work, 'cert.pem');
    const tmpDer = path.join(work, 'cert.der');
    await writeFile(cfg, config, { mode: 0o600 });
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
    await runOpenssl(['x509', '-in', tmpCert, '-outform', 'DER', '-out', tmpDer]);
    const certPem = await readFile(tmpCert);
    await writeNew(keyFile, Buffer.concat([await readFile(tmpKey), certPem]), 0o600, created);
    await writeNew(certFile, certPem, 0o644, created);
    await writeNew(derFile, await readFile(tmpDer), 0o644, created);
    const facts = await certificateFacts(certFile);
    done = true;
    return { keyFile, certFile, derFile, facts };
  } catch (err) {
    if (err instanceof UsageError && !err.findings.length && /^openssl /.test(err.message)) {
      // openssl works inside the key folder: a full or read-only folder fails it
      const message = `cannot make the key set in ${dir}: ${err.message}; nothing was left there`;
      throw new UsageError(message, [keyFinding('E_KEY_FOLDER', dir, message)]);
    }
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      const message = `a file of the key set ${opts.name} appeared in ${dir} while kplay was writing it: kplay never overwrites a key`;
      throw new UsageError(message, [keyFinding('E_KEY_EXISTS', dir, message, 'choose another --name or folder')], 1);
    }
    if (code) throw folderError(dir, err);
    throw err;
  } finally {
    cleanup();
    unregister();
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
