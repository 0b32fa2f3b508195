import { Option, type Command } from 'commander';
import path from 'node:path';
import { printFindings, printSummary, runCommand } from '../findings/report.js';
import { UsageError } from '../findings/finding.js';
import { isRpmArch } from '../model/arch.js';
import { kernelSourceOption } from './shared-options.js';

interface TryCliOptions {
  arch?: string;
  kernelSource?: string;
  boot: boolean;
  config: 'smoke' | 'full';
  jobs?: string;
  keep: boolean;
  root?: string;
  json: boolean;
  accel?: 'kvm' | 'tcg';
  buildTimeout?: string;
  bootTimeout?: string;
  unsandboxedITrustTheInputs?: boolean;
}

function positive(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} takes a whole number above 0, not '${v}'`);
  return n;
}

export function register(program: Command): void {
  program
    .command('try')
    .description(
      "build the variant's patched kernel with a small smoke config in a sandbox, and with --boot boot it in QEMU and run each feature's modules and test: lines",
    )
    .argument('<variant>', 'variant file (variants/<name>.yml)')
    .addOption(kernelSourceOption('the kernel tree or release tarball to patch and build (its release picks the patches)'))
    .option('--arch <arch>', "arch to build and boot (default: this machine's)")
    .option('--boot', 'boot the kernel in QEMU (KVM when it works, TCG otherwise) and run the smoke tests', false)
    .addOption(
      new Option('--config <kind>', "smoke: tinyconfig + kvm_guest.config + the variant's values; full: the variant's own config (slow)")
        .choices(['smoke', 'full'])
        .default('smoke'),
    )
    .option('-j, --jobs <n>', 'make -j (default: the number of CPUs)')
    .option('--keep', 'keep the work folder (patched tree, build, initramfs, console log) and print where', false)
    .option('--build-timeout <seconds>', 'wall clock for the kernel build (default 10800)')
    .option('--boot-timeout <seconds>', 'seconds the guest may take to boot, before the tests (default 180)')
    .addOption(new Option('--accel <accel>', 'force the QEMU accelerator').choices(['kvm', 'tcg']))
    .option('--root <dir>', 'repository root holding features/ (default: found from the variant)')
    .option('--unsandboxed-i-trust-the-inputs', 'build without bubblewrap when it is missing: the patches and Makefiles then run as you')
    .option('--json', 'print the report as JSON on stdout', false)
    .addHelpText(
      'after',
      '\nExamples:\n  $ kplay try variants/playground.yml --kernel-source /usr/src/linux-source-6.12.tar.xz\n  $ kplay try variants/playground.yml --kernel-source /usr/src/linux-source-6.12.tar.xz --boot --json',
    )
    .action(async (variant: string, opts: TryCliOptions) => {
      await runCommand(async () => {
        if (opts.arch !== undefined && !isRpmArch(opts.arch))
          throw new UsageError(`--arch ${opts.arch} is not an RPM arch (x86_64, aarch64, ...)`);
        const { runTry } = await import('../try/run-try.js');
        if (opts.unsandboxedITrustTheInputs) (await import('../sandbox/run-sandboxed.js')).allowUnsandboxed(true);
        const buildTimeout = positive('--build-timeout', opts.buildTimeout);
        const bootTimeout = positive('--boot-timeout', opts.bootTimeout);
        const jobs = positive('--jobs', opts.jobs);
        const controller = new AbortController();
        const report = await runTry(variant, {
          ...(opts.arch ? { arch: opts.arch } : {}),
          ...(opts.kernelSource ? { kernelSource: path.resolve(opts.kernelSource) } : {}),
          boot: opts.boot,
          config: opts.config,
          keep: opts.keep,
          ...(opts.root ? { root: opts.root } : {}),
          ...(jobs ? { jobs } : {}),
          ...(buildTimeout ? { buildTimeoutMs: buildTimeout * 1000 } : {}),
          ...(bootTimeout ? { bootSeconds: bootTimeout } : {}),
          ...(opts.accel ? { accel: opts.accel } : {}),
          signal: controller.signal,
          onStep: opts.json ? undefined : (s) => process.stderr.write(`kplay try: ${s}\n`),
        });
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        } else {
          printFindings(report.findings);
          const { reportLines } = await import('../try/try-report.js');
          for (const l of reportLines(report)) process.stdout.write(`${l}\n`);
          printSummary(report.findings, `tried ${report.variant} (${report.arch})`);
        }
        return report.exitCode;
      });
    });
}
