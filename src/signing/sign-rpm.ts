import { chmod, copyFile, lstat, lutimes, mkdir, mkdtemp, readdir, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { UsageError, type Finding } from '../findings/finding.js';
import { displayPath } from '../model/safe-path.js';
import { inspectKernelImage, imageForm, recomputeHmac, signKernelImage } from './kernel-image.js';
import { readRpmHeader } from './rpm-header.js';
import {
  extractPayload,
  hardLinkedSignable,
  isKernelImagePath,
  isModulePath,
  PayloadRefused,
  payloadContentMismatch,
  payloadFiles,
  payloadLinks,
  payloadMismatch,
} from './rpm-payload.js';
import { firstUnderLink, RebuildRefused, rebuildSpec, type RebuildPlan } from './rebuild-spec.js';
import { inspectAppendedSignature, inspectModule, signModuleBytes, signModuleFile, type SigningKey } from './sign-module.js';
import type { Pkcs7Signer } from './pkcs7-signer.js';

export interface SignedFile {
  path: string;
  kind: 'image' | 'module';
  signer?: string;
  sigKey?: string;
  /** The module carried another signature, now replaced. */
  replaced?: Pkcs7Signer;
  /** The image was gzipped (arm64 `Image.gz`): signed uncompressed, then gzipped again. */
  compressed?: 'gzip';
  /** Subjects of the Authenticode signatures the image carried before (removed, not kept). */
  replacedImageSigners?: string[];
  /** A ppc64le/s390x image: signed with an appended signature (sign-file's format), not Authenticode. */
  appended?: true;
}

/**
 * Arches whose kernel image is no EFI image and is signed the way modules are (an appended PKCS#7
 * signature: RHEL's kernel.spec signs the s390x and ppc64le image with sign-file / rpm-sign
 * --lkmsign; the s390x IPL and kexec and the ppc64le secure-boot kexec check it).
 */
export const APPENDED_SIGNATURE_ARCHES: ReadonlySet<string> = new Set(['ppc64le', 's390x']);

export interface SignRpmResult {
  input: string;
  output: string;
  signed: SignedFile[];
  /** What differs from the input besides the signed files' bytes, digests and sizes. */
  differences: string[];
}

async function rpmbuildRebuild(specText: string, work: string, payload: string, plan: RebuildPlan): Promise<string> {
  const spec = path.join(work, 'rebuild.spec');
  await writeFile(spec, specText);
  const rpmdir = path.join(work, 'rpms');
  const args = [
    '-bb',
    '--nodeps',
    '--quiet',
    '--target',
    plan.arch,
    '--define',
    `_topdir ${path.join(work, 'top')}`,
    '--define',
    `_rpmdir ${rpmdir}`,
    '--define',
    '_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm',
    '--define',
    `kplay_payload ${payload}`,
    // BUILDTIME comes back from SOURCE_DATE_EPOCH; mtimes are restored from the header, so they
    // must not be clamped to it (files written after the build's first second are later than it)
    ...(plan.buildTime ? ['--define', 'use_source_date_epoch_as_buildtime 1', '--define', 'clamp_mtime_to_source_date_epoch 0'] : []),
    ...(plan.buildHost ? ['--define', `_buildhost ${plan.buildHost}`] : []),
    spec,
  ];
  try {
    await execa('rpmbuild', args, { env: plan.buildTime ? { SOURCE_DATE_EPOCH: String(plan.buildTime) } : {}, all: true });
  } catch (err) {
    const e = err as { code?: string; all?: string };
    if (e.code === 'ENOENT') throw new UsageError('rpmbuild is not installed (Debian package rpm)');
    const lines = String(e.all ?? '')
      .split('\n')
      .filter((l) => /error|Error/.test(l))
      .slice(-3)
      .join('; ');
    throw new UsageError(`rebuilding ${plan.name} failed: ${lines || 'rpmbuild failed'}`);
  }
  const built = (await readdir(rpmdir, { recursive: true }))
    .filter((f) => String(f).endsWith('.rpm'))
    .map((f) => path.join(rpmdir, String(f)));
  if (built.length !== 1) throw new Error(`rpmbuild made ${built.length} packages, expected 1`);
  return built[0]!;
}

/**
 * The rebuild spec of an RPM, from its header; a header value the spec cannot carry exactly
 * (E_SIGN_HEADER) stops kplay sign with one finding naming the RPM and the field. `kplay sign`
 * plans every RPM before it signs any, so a refused one leaves --out untouched.
 */
export async function planRebuild(rpm: string): Promise<RebuildPlan> {
  const header = await readRpmHeader(rpm);
  try {
    return rebuildSpec(header, path.basename(rpm));
  } catch (err) {
    if (!(err instanceof RebuildRefused)) throw err;
    throw headerRefusal(rpm, err.message);
  }
}

function headerRefusal(rpm: string, problem: string): UsageError {
  const message = `${problem}; kplay sign cannot rebuild this RPM with the same header, so it signs nothing`;
  return new UsageError(`${displayPath(rpm)}: ${message}`, [
    { code: 'E_SIGN_HEADER', severity: 'error', where: { file: displayPath(rpm), line: 0, col: 0 }, message },
  ]);
}

/**
 * The FIPS hmac beside a signed image (`.vmlinuz.hmac` next to `vmlinuz`, as Fedora/RHEL ship it)
 * is made again for the signed bytes with the key that made it; one kplay cannot reproduce stays
 * and is a warning (W_SIGN_HMAC_STALE).
 */
async function refreshHmac(image: string, before: Buffer, rpm: string, what: string, findings: Finding[]): Promise<void> {
  const hmac = path.join(path.dirname(image), `.${path.basename(image)}.hmac`);
  const kind = await lstat(hmac).catch(() => undefined);
  if (!kind) return;
  const text = kind.isFile() ? await readFile(hmac, 'utf8') : '';
  const updated = recomputeHmac(text, before, await readFile(image));
  if (updated !== undefined) {
    await writeFile(hmac, updated);
    findings.push({
      code: 'N_SIGN_HMAC_UPDATED',
      severity: 'note',
      where: { file: displayPath(rpm), line: 0, col: 0 },
      message: `${what}: .${path.basename(image)}.hmac made again for the signed image (same HMAC key and file name)`,
    });
    return;
  }
  findings.push({
    code: 'W_SIGN_HMAC_STALE',
    severity: 'warning',
    where: { file: displayPath(rpm), line: 0, col: 0 },
    message: `${what}: .${path.basename(image)}.hmac does not match the unsigned image with a known sha512hmac key; left as it was, FIPS mode will reject the signed image`,
    hint: 'regenerate it on a trusted machine (sha512hmac) or rebuild with the key (--define kplay_sign_key)',
  });
}

/**
 * Re-sign a binary RPM built elsewhere (Copr, CBS): unpack its payload, sign every kernel image
 * (sbsign) and every module (sign-file's format; compressed again afterwards), and build the RPM
 * again from a spec generated out of its header, so names, versions, dependencies, scriptlets,
 * file attributes and changelog stay as they were.
 */
export async function signRpm(
  rpm: string,
  key: SigningKey,
  outDir: string,
  findings: Finding[],
  /** The RPM's planRebuild(), when the caller already made it (its header is then not read again). */
  planned?: RebuildPlan,
): Promise<SignRpmResult> {
  const plan = planned ?? (await planRebuild(rpm));
  const work = await mkdtemp(path.join(os.tmpdir(), 'kplay-sign-'));
  try {
    await chmod(work, 0o700);
    const payload = path.join(work, 'payload');
    await mkdir(payload);
    const entries = await extractPayload(rpm, payload).catch((err: unknown) => {
      throw err instanceof PayloadRefused ? headerRefusal(rpm, err.message) : err;
    });
    // what is signed and packed is exactly what the header lists (and the signer saw)
    const linked = hardLinkedSignable(entries);
    if (linked) {
      const message = `${linked}; kplay signs nothing`;
      throw new UsageError(`${displayPath(rpm)}: ${message}`, [
        { code: 'E_SIGN_MODULE', severity: 'error', where: { file: displayPath(rpm), line: 0, col: 0 }, message },
      ]);
    }
    const mismatch = payloadMismatch(entries, plan.payload) ?? (await payloadContentMismatch(payload, plan.contents, plan.digestAlgorithm));
    if (mismatch) throw headerRefusal(rpm, mismatch);
    const signed: SignedFile[] = [];
    for (const p of await payloadFiles(payload)) {
      const abs = path.join(payload, p);
      const what = `${displayPath(rpm)}:${p}`;
      if (isModulePath(p)) {
        const r = await signModuleFile(abs, key, what);
        signed.push({
          path: p,
          kind: 'module',
          signer: r.signer.signer,
          sigKey: r.signer.sigKey,
          ...(r.replaced ? { replaced: r.replaced } : {}),
        });
      } else if (isKernelImagePath(p)) {
        if ((await imageForm(abs, what)) === 'not-pe') {
          if (APPENDED_SIGNATURE_ARCHES.has(plan.arch)) {
            const before = await readFile(abs);
            const { signed: bytes, result } = await signModuleBytes(before, key, what);
            await writeFile(abs, bytes);
            signed.push({
              path: p,
              kind: 'image',
              appended: true,
              signer: result.signer.signer,
              sigKey: result.signer.sigKey,
              ...(result.replaced ? { replaced: result.replaced } : {}),
            });
            await refreshHmac(abs, before, rpm, what, findings);
            continue;
          }
          findings.push({
            code: 'N_SIGN_IMAGE_NOT_PE',
            severity: 'note',
            where: { file: displayPath(rpm), line: 0, col: 0 },
            message: `${what} is not a PE/COFF image, plain or gzipped, and the package is ${plan.arch}: left unsigned (kplay signs EFI images with Authenticode, and ppc64le/s390x images with an appended signature)`,
          });
          continue;
        }
        const before = await readFile(abs);
        const r = await signKernelImage(abs, key, what);
        signed.push({
          path: p,
          kind: 'image',
          ...(r.form === 'gzip-pe' ? { compressed: 'gzip' as const } : {}),
          ...(r.replaced.length ? { replacedImageSigners: r.replaced } : {}),
        });
        await refreshHmac(abs, before, rpm, what, findings);
      }
    }
    if (!signed.length) {
      // nothing to sign (kernel-devel, headers, docs): the same file, so signed/ holds the whole set
      await mkdir(outDir, { recursive: true });
      const output = path.join(outDir, path.basename(rpm));
      if (path.resolve(output) === path.resolve(rpm))
        throw new UsageError(`--out ${displayPath(outDir)} would overwrite the input ${displayPath(rpm)}: choose another folder`);
      await copyFile(rpm, output);
      findings.push({
        code: 'N_SIGN_NOTHING',
        severity: 'note',
        where: { file: displayPath(rpm), line: 0, col: 0 },
        message: 'no kernel image or module in this RPM: copied unchanged',
      });
      return { input: rpm, output, signed, differences: [] };
    }
    // the payload may hold links the header does not admit to: a listed file below one would be
    // stamped (utimes) and read (rpmbuild) through it, outside the package
    const underLink = firstUnderLink(plan.mtimes.keys(), await payloadLinks(payload));
    if (underLink) throw headerRefusal(rpm, underLink);
    // the header's mtimes, deepest first, so signing leaves no trace but the signed bytes
    for (const [p, t] of [...plan.mtimes.entries()].sort((a, b) => b[0].length - a[0].length)) {
      const abs = path.join(payload, p);
      const kind = await lstat(abs).catch(() => undefined);
      // a link's own time (cp -a and rpmbuild keep it); utimes would stamp where it points
      if (kind) await (kind.isSymbolicLink() ? lutimes : utimes)(abs, t, t);
    }
    const built = await rpmbuildRebuild(plan.spec, work, payload, plan);
    await mkdir(outDir, { recursive: true });
    const output = path.join(outDir, path.basename(rpm));
    if (path.resolve(output) === path.resolve(rpm))
      throw new UsageError(`--out ${displayPath(outDir)} would overwrite the input ${displayPath(rpm)}: choose another folder`);
    await rename(built, output).catch(async () => copyFile(built, output));
    const differences = [
      'the signature header (rpmsign the result again if the input was GPG-signed)',
      'file digests and sizes of the signed files',
      'payload digest, archive size and header checksums',
    ];
    differences.push(
      'the recorded mtime of %ghost files (rpmbuild stamps them with its own clock)',
      'the CONFIG, FIND_REQUIRES and FIND_PROVIDES sense bits and the per-file index of generated dependencies (listed explicitly, no longer generated)',
      'file classes (libmagic) and the tags naming the rebuilding rpm (RPMVERSION, PLATFORM, OPTFLAGS)',
    );
    if (!plan.sourceRpmKept) differences.push('SOURCERPM (the source package has another version-release)');
    return { input: rpm, output, signed, differences };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** `rpmsign --addsign` with a GPG key id (the key itself stays in the builder's gpg agent). */
export async function rpmsignFiles(files: string[], keyId: string): Promise<void> {
  if (!/^[A-Za-z0-9@._<> -]{1,128}$/.test(keyId)) throw new UsageError(`--rpmsign '${keyId}' is not a GPG key id or user id`);
  try {
    await execa('rpmsign', ['--addsign', '--define', `_gpg_name ${keyId}`, ...files], { all: true });
  } catch (err) {
    const e = err as { code?: string; all?: string };
    if (e.code === 'ENOENT') throw new UsageError('rpmsign is not installed (Debian package rpm; Fedora rpm-sign)');
    throw new UsageError(
      `rpmsign failed: ${
        String(e.all ?? '')
          .trim()
          .split('\n')
          .pop() ?? ''
      }`,
    );
  }
}

export interface VerifyEntry {
  path: string;
  kind: 'image' | 'module';
  signed: boolean;
  signers: string[];
  sigKey?: string;
  hash?: string;
  validWith?: boolean;
  problem?: string;
  /**
   * Images: 'pe', 'gzip-pe' (checked decompressed), 'appended' (a ppc64le/s390x image: an appended
   * signature, signed or not), or 'not-pe' (no signature kplay knows applies).
   */
  form?: 'pe' | 'gzip-pe' | 'appended' | 'not-pe';
}

/** What in an RPM (or a single module or image) is signed, and by whom. */
export async function verifyRpm(rpm: string, cert?: string): Promise<VerifyEntry[]> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'kplay-verify-'));
  try {
    let root = work;
    let files: string[];
    let arch: string | undefined;
    if (rpm.endsWith('.rpm')) {
      // the package's arch decides whether a non-EFI image must carry an appended signature; an
      // unreadable header is the payload reader's refusal below, not a crash here
      const q = await execa('rpm', ['-qp', '--nosignature', '--nodigest', '--qf', '%{ARCH}', rpm], { reject: false });
      arch = q.exitCode === 0 ? String(q.stdout).trim() : undefined;
      await extractPayload(rpm, work).catch((err: unknown) => {
        throw err instanceof PayloadRefused ? new UsageError(`${displayPath(rpm)}: ${err.message}`) : err;
      });
      files = await payloadFiles(work);
    } else {
      root = path.dirname(path.resolve(rpm));
      files = [`/${path.basename(rpm)}`];
    }
    const out: VerifyEntry[] = [];
    for (const p of files) {
      const abs = path.join(root, p);
      if (isModulePath(p)) {
        const r = await inspectModule(abs, cert, p);
        out.push({
          path: p,
          kind: 'module',
          signed: r.signed,
          signers: r.signer ? [r.signer.signer] : [],
          ...(r.signer ? { sigKey: r.signer.sigKey, hash: r.signer.hashAlgorithm } : {}),
          ...(r.validWith !== undefined ? { validWith: r.validWith } : {}),
          ...(r.problem ? { problem: r.problem } : {}),
        });
      } else if (isKernelImagePath(p) || /\.efi(\.stub)?$/.test(p)) {
        // every image is listed: a gzipped PE (arm64 Image.gz) is checked decompressed; one that is
        // no EFI image at all (ppc64le vmlinux, s390x) is listed as such and is no failure
        const r = await inspectKernelImage(abs, cert, p);
        if (r.form === 'not-pe') {
          if (!isKernelImagePath(p)) continue;
          // a ppc64le/s390x image (or any image that carries one): the appended signature
          const a = await inspectAppendedSignature(await readFile(abs), cert);
          if (a.signed || a.problem || (arch !== undefined && APPENDED_SIGNATURE_ARCHES.has(arch)))
            out.push({
              path: p,
              kind: 'image',
              signed: a.signed,
              signers: a.signer ? [a.signer.signer] : [],
              ...(a.signer ? { sigKey: a.signer.sigKey, hash: a.signer.hashAlgorithm } : {}),
              form: 'appended',
              ...(a.validWith !== undefined ? { validWith: a.validWith } : {}),
              ...(a.problem ? { problem: a.problem } : {}),
            });
          else out.push({ path: p, kind: 'image', signed: false, signers: [], form: 'not-pe' });
          continue;
        }
        out.push({
          path: p,
          kind: 'image',
          signed: r.signatures.length > 0,
          signers: r.signatures.map((s) => s.subject),
          form: r.form,
          ...(r.validWith !== undefined ? { validWith: r.validWith } : {}),
        });
      }
    }
    return out;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
