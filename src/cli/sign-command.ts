import type { Command } from 'commander';
import { constants, mkdtempSync, rmSync } from 'node:fs';
import { copyFile, link, lstat, mkdir, mkdtemp, rename, rm, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UsageError, type Finding } from '../findings/finding.js';
import { cleanupOnSignal } from '../fs/cleanup-on-signal.js';
import { displayPath } from '../model/safe-path.js';
import { printFindings, runCommand } from '../findings/report.js';
import type { RebuildPlan } from '../signing/rebuild-spec.js';

interface SignOptions {
  key?: string;
  cert?: string;
  hash: string;
  out: string;
  rpmsign?: string;
  verify: boolean;
  json: boolean;
  force: boolean;
}

function outExists(final: string): UsageError {
  const message = `${displayPath(final)} is already there: kplay sign does not replace it`;
  return new UsageError(
    message,
    [
      {
        code: 'E_SIGN_OUT_EXISTS',
        severity: 'error',
        message,
        where: { file: displayPath(final), line: 0, col: 0 },
        hint: 'choose a new --out folder, or pass --force to replace the files (links are replaced, never written through)',
      },
    ],
    1,
  );
}

/**
 * Every temporary folder of this run (kplay's own and those of rpmbuild, openssl, cpio) is made
 * below one scratch folder, removed at the end and on SIGINT, SIGTERM or SIGHUP, together with
 * the signed RPMs already placed in --out by this run.
 */
async function withScratch<T>(placed: string[], body: () => Promise<T>): Promise<T> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'kplay-sign-run-'));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = scratch;
  const cleanup = (): void => {
    rmSync(scratch, { recursive: true, force: true });
  };
  const unregister = cleanupOnSignal(() => {
    cleanup();
    for (const f of placed) rmSync(f, { force: true });
  });
  try {
    return await body();
  } finally {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    cleanup();
    unregister();
  }
}

/**
 * Put the signed RPM `from` at `final`: through a new temporary name in --out (O_EXCL), then
 * link() (which never replaces a file or a link) or, with --force, rename() (which replaces the
 * name itself, never the file a link points to).
 */
async function place(from: string, final: string, force: boolean, placed: string[]): Promise<void> {
  const tmp = path.join(path.dirname(final), `.${path.basename(final)}.kplay-${process.pid}`);
  placed.push(tmp);
  await copyFile(from, tmp, constants.COPYFILE_EXCL);
  try {
    if (force) {
      const s = await lstat(final).catch(() => undefined);
      if (s?.isDirectory()) throw outExists(final);
      await rename(tmp, final);
    } else {
      await link(tmp, final).catch((err: NodeJS.ErrnoException) => {
        throw err.code === 'EEXIST' ? outExists(final) : err;
      });
      placed.push(final);
      await unlink(tmp);
    }
  } finally {
    await rm(tmp, { force: true });
  }
  if (force) placed.push(final);
}

export function register(program: Command): void {
  program
    .command('sign')
    .description(
      "sign the kernel image (sbsign) and every module (the kernel's sign-file format) inside built RPMs, and rebuild them; --verify reports what is signed by which key",
    )
    .argument('<files...>', 'binary RPMs (or, with --verify, also single .ko / EFI files)')
    .option('--key <file>', 'PEM private key (NAME.key.pem from kplay keys new)')
    .option('--cert <file>', 'PEM certificate; with --verify: also check every signature against it')
    .option('--hash <algo>', 'module signature digest: sha256, sha384 or sha512', 'sha256')
    .option('--out <dir>', 'folder for the signed RPMs', 'signed')
    .option('--rpmsign <gpg-key-id>', 'also sign the rebuilt RPMs with rpmsign --addsign')
    .option('--verify', 'only report signatures (with --cert: check them)', false)
    .option('--force', 'replace signed RPMs already in --out (links there are replaced, never written through)', false)
    .option('--json', 'print the result as JSON on stdout', false)
    .addHelpText(
      'after',
      '\nExamples:\n  $ kplay sign --key ~/keys/kplay-sig.key.pem --cert ~/keys/kplay-sig.crt.pem --out signed/ results/*.x86_64.rpm\n  $ kplay sign --verify --cert ~/keys/kplay-sig.crt.pem signed/*.rpm',
    )
    .action(async (files: string[], opts: SignOptions) => {
      const placed: string[] = [];
      await runCommand(() =>
        withScratch(placed, async () => {
          const { verifyRpm, signRpm, rpmsignFiles, planRebuild } = await import('../signing/sign-rpm.js');
          const { pathKind } = await import('../fs/path-kind.js');
          for (const f of files) if ((await pathKind(f)) !== 'file') throw new UsageError(`${f} does not exist or is not a file`);
          if (opts.verify) {
            const report = [];
            for (const f of files) report.push({ file: displayPath(f), entries: await verifyRpm(f, opts.cert) });
            // an image that is neither EFI nor a ppc64le/s390x one has no signature kplay knows to check
            const bad = report.some((r) => r.entries.some((e) => (!e.signed && e.form !== 'not-pe') || e.validWith === false || e.problem));
            if (opts.json) process.stdout.write(`${JSON.stringify({ files: report }, null, 2)}\n`);
            else {
              for (const r of report) {
                process.stdout.write(`${r.file}\n`);
                if (!r.entries.length) process.stdout.write('  no kernel image or module in it\n');
                for (const e of r.entries) {
                  const who =
                    e.form === 'not-pe'
                      ? 'not an EFI image (no Authenticode signature applies)'
                      : e.signed
                        ? `signed by ${e.signers.map((s) => `'${s}'`).join(', ') || '(unnamed)'}${e.sigKey ? ` key ${e.sigKey}` : ''}${e.hash ? ` ${e.hash}` : ''}`
                        : 'UNSIGNED';
                  const gz =
                    e.form === 'gzip-pe'
                      ? ' (gzipped PE, checked decompressed)'
                      : e.form === 'appended'
                        ? ' (appended signature, ppc64le/s390x)'
                        : '';
                  const check =
                    e.validWith === undefined
                      ? ''
                      : e.validWith
                        ? ', verifies with the certificate'
                        : ', does NOT verify with the certificate';
                  process.stdout.write(`  ${e.kind.padEnd(6)} ${e.path}${gz}: ${who}${check}${e.problem ? ` (${e.problem})` : ''}\n`);
                }
              }
            }
            return bad ? 1 : 0;
          }
          if (!opts.key || !opts.cert) throw new UsageError('kplay sign needs --key and --cert (or --verify)');
          if (!['sha256', 'sha384', 'sha512'].includes(opts.hash))
            throw new UsageError(`--hash ${opts.hash}: use sha256, sha384 or sha512`);
          for (const f of [opts.key, opts.cert])
            if ((await pathKind(f)) !== 'file') throw new UsageError(`${f} does not exist or is not a file`);
          const { readCertificateOnly } = await import('../load/certificate-facts.js');
          await readCertificateOnly(opts.cert);
          // fail before unpacking anything when the key and certificate are not a pair
          const { moduleSignature } = await import('../signing/sign-module.js');
          await moduleSignature(Buffer.from('kplay key check'), {
            key: path.resolve(opts.key),
            cert: path.resolve(opts.cert),
            hash: 'sha256',
          }).catch((err: unknown) => {
            if (err instanceof UsageError && /does not match|mismatch/.test(err.message))
              throw new UsageError(`${opts.key} is not the private key of ${opts.cert}`);
            throw err;
          });
          for (const f of files)
            if (!f.endsWith('.rpm') || f.endsWith('.src.rpm')) throw new UsageError(`${f}: kplay sign takes binary RPMs`);
          const out = path.resolve(opts.out);
          const seen = new Map<string, string>();
          for (const f of files) {
            const earlier = seen.get(path.basename(f));
            if (earlier !== undefined && path.resolve(earlier) !== path.resolve(f))
              throw new UsageError(
                `${displayPath(f)} and ${displayPath(earlier)} have the same file name: --out would keep only one of them`,
              );
            seen.set(path.basename(f), f);
          }
          for (const f of files)
            if (path.resolve(f) === path.join(out, path.basename(f)))
              throw new UsageError(`--out ${displayPath(opts.out)} would overwrite the input ${displayPath(f)}: choose another folder`);
          // before anything is unpacked: a name already in --out is a conflict unless --force
          if (!opts.force)
            for (const f of files) {
              const final = path.join(out, path.basename(f));
              if (await lstat(final).catch(() => undefined)) throw outExists(final);
            }
          // every header must be representable before anything is signed or written (E_SIGN_HEADER)
          const plans = new Map<string, RebuildPlan>();
          for (const f of files) plans.set(f, await planRebuild(f));
          const findings: Finding[] = [];
          const results = [];
          // what only a payload shows is found while signing: the RPMs reach --out only when all are done
          const staging = await mkdtemp(path.join(os.tmpdir(), 'kplay-signed-'));
          try {
            for (const f of files) {
              results.push(
                await signRpm(
                  f,
                  { key: path.resolve(opts.key), cert: path.resolve(opts.cert), hash: opts.hash as 'sha256' },
                  staging,
                  findings,
                  plans.get(f),
                ),
              );
            }
            await mkdir(out, { recursive: true });
            try {
              for (const r of results) {
                const final = path.join(out, path.basename(r.output));
                await place(r.output, final, opts.force, placed);
                r.output = final;
              }
            } catch (err) {
              // all or nothing: what this run placed goes again
              for (const f of placed) await rm(f, { force: true });
              throw err;
            }
          } finally {
            await rm(staging, { recursive: true, force: true });
          }
          if (opts.rpmsign)
            await rpmsignFiles(
              results.map((r) => r.output),
              opts.rpmsign,
            );
          if (opts.json) {
            process.stdout.write(
              `${JSON.stringify({ signed: results.map((r) => ({ ...r, input: displayPath(r.input), output: displayPath(r.output) })), findings }, null, 2)}\n`,
            );
          } else {
            printFindings(findings);
            for (const r of results) {
              const images = r.signed.filter((s) => s.kind === 'image').length;
              const modules = r.signed.filter((s) => s.kind === 'module');
              const replaced = r.signed.filter((s) => s.replaced || s.replacedImageSigners?.length).length;
              process.stdout.write(
                `${displayPath(r.output)}: ${r.signed.length ? `${images} image(s), ${modules.length} module(s) signed${replaced ? ` (${replaced} replaced an earlier signature)` : ''}` : 'nothing to sign, copied'}\n`,
              );
            }
          }
          placed.length = 0;
          return 0;
        }),
      );
    });
}
