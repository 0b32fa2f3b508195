import type { Command } from 'commander';
import { copyFile, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UsageError, type Finding } from '../findings/finding.js';
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
    .option('--json', 'print the result as JSON on stdout', false)
    .addHelpText(
      'after',
      '\nExamples:\n  $ kplay sign --key ~/keys/kplay-sig.key.pem --cert ~/keys/kplay-sig.crt.pem --out signed/ results/*.x86_64.rpm\n  $ kplay sign --verify --cert ~/keys/kplay-sig.crt.pem signed/*.rpm',
    )
    .action(async (files: string[], opts: SignOptions) => {
      await runCommand(async () => {
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
        if (!['sha256', 'sha384', 'sha512'].includes(opts.hash)) throw new UsageError(`--hash ${opts.hash}: use sha256, sha384 or sha512`);
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
          for (const r of results) {
            const final = path.join(out, path.basename(r.output));
            await rename(r.output, final).catch(async () => copyFile(r.output, final));
            r.output = final;
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
        return 0;
      });
    });
}
