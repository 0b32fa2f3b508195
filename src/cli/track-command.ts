import type { Command } from 'commander';
import path from 'node:path';
import { findRepositoryRoot } from '../compose/find-root.js';
import { UsageError } from '../findings/finding.js';
import { loadVariant } from '../load/load-variant.js';
import { displayPath } from '../model/safe-path.js';
import { KernelOrg } from '../releases/resolve-base.js';
import { formatFeatureChange } from '../track/feature-changes.js';
import { trackVariant, type TrackResult } from '../track/track-variant.js';
import { EXIT_INTERNAL } from '../findings/exit-code.js';
import { printFindings, runCommand } from '../findings/report.js';
import { prepareSrpm } from '../rpm/prepare-srpm.js';
import { submitSrpm } from '../submit/submit-srpm.js';
import { KojiTagSource } from '../releases/koji-tag.js';
import { RepoMetadataSource } from '../releases/repo-metadata.js';
import type { DistributionKernelSource } from '../releases/distribution-kernels.js';
import { trackKmodVariant } from '../track/track-kmod.js';
import { notifyBreak } from './notify-break.js';

/** Exit statuses of `kplay track`, for CI. */
export const TRACK_EXIT = { upToDate: 0, broken: 1, usage: 2, bumped: 3, submitFailed: 4, unchecked: 5 } as const;

interface TrackCliOptions {
  follow?: string;
  state?: string;
  root?: string;
  submit?: string | boolean;
  dryRun: boolean;
  json: boolean;
  releasesUrl?: string;
  kernelCdn?: string;
  repo?: string;
  koji?: string;
  kojiTag?: string;
  kojiPackage?: string;
  kernelSource?: string;
  kernelDevel?: string;
  unchecked: boolean;
  out?: string;
  webhook?: string;
  report?: string;
}

async function submitService(variantPath: string, asked: string | boolean): Promise<string> {
  if (typeof asked === 'string') {
    if (asked !== 'copr' && asked !== 'cbs') throw new UsageError(`--submit ${asked}: choose copr or cbs`);
    return asked;
  }
  const { variant } = await loadVariant(variantPath);
  const declared = Object.keys(variant?.targets ?? {}).filter((k) => k === 'copr' || k === 'cbs');
  if (declared.length !== 1)
    throw new UsageError(
      `--submit: the variant declares ${declared.length ? declared.join(' and ') : 'no'} target(s); say which with --submit copr or --submit cbs`,
    );
  return declared[0]!;
}

/** `kplay submit <variant> --<service>` in process: its findings printed, its failure an exit status (never a throw). */
async function submitQuietly(variantPath: string, service: string): Promise<number> {
  try {
    const prepared = await prepareSrpm(variantPath);
    printFindings(prepared.compose.findings);
    return await submitSrpm({
      service,
      srpmPath: prepared.srpmPath,
      variantPath,
      variantName: prepared.variantName,
      targets: prepared.targets,
      stateDir: prepared.outDir,
    });
  } catch (err) {
    if (err instanceof UsageError) {
      if (err.findings.length) printFindings(err.findings);
      else process.stderr.write(`kplay: error: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`kplay: internal error: ${(err as Error)?.message ?? String(err)}\n`);
    return EXIT_INTERNAL;
  }
}

export function register(program: Command): void {
  program
    .command('track')
    .description('follow kernel.org releases: compose and check the variant on a new release, and bump its base when nothing breaks')
    .argument('<variant>', 'a vanilla variant file, e.g. variants/playground.yml')
    .option(
      '--follow <release>',
      "what to follow: latest-stable, longterm, mainline or a series like 6.12.x (default: the variant's own series)",
    )
    .option(
      '--state <file>',
      'state file remembering the last release seen per variant (default .kplay/track-state.json under the repository root)',
    )
    .option('--root <dir>', 'repository root holding features/ (default: found from the variant)')
    .option('--submit [service]', 'after a bump, build the SRPM and submit it (copr or cbs; default the one target the variant declares)')
    .option('--dry-run', 'check and report, but do not rewrite the variant or submit', false)
    .option('--releases-url <url>', "kernel.org's release list (default $KPLAY_RELEASES_URL or https://www.kernel.org/releases.json)")
    .option('--kernel-cdn <url>', 'kernel tarball tree (default $KPLAY_KERNEL_CDN or https://cdn.kernel.org/pub/linux/kernel)')
    .option(
      '--repo <url>',
      'kmod variants: follow the kernel-devel packages of this repository (the folder holding repodata/, e.g. a CentOS Stream BaseOS or AppStream URL)',
    )
    .option(
      '--koji <hub-url>',
      'kmod variants: follow the kernel builds of a Koji tag (with --koji-tag), e.g. https://cbs.centos.org/kojihub',
    )
    .option('--koji-tag <tag>', 'the Koji tag to list (listTagged)')
    .option('--koji-package <name>', 'the package whose builds are listed in the tag', 'kernel')
    .option(
      '--kernel-source <tree-or-tarball>',
      "kmod variants: the new kernel's source for the folder, patch and Kconfig checks; {kernel} stands for its version-release",
    )
    .option(
      '--kernel-devel <tree-or-rpm>',
      "kmod variants: the new kernel's kernel-devel for the compile test and kABI check; {kernel} stands for its version-release",
    )
    .option(
      '--unchecked',
      'kmod variants: bump even when a check could not run (no --kernel-source/--kernel-devel for the new kernel); the changelog entry and the report say so',
      false,
    )
    .option('--out <dir>', 'kmod variants: where the package rebuilt for the new kernel is written (default out/<variant>)')
    .option(
      '--report <file>',
      'when the new kernel breaks the variant: write the break report (JSON, with a ready-to-paste issue text) here',
    )
    .option('--webhook <url>', 'when the new kernel breaks the variant: POST the break report as JSON to this URL')
    .option('--json', 'print the result as JSON on stdout', false)
    .addHelpText(
      'after',
      '\nExit status: 0 nothing new, 1 the new release breaks the variant (not bumped), 2 unusable input,\n' +
        '3 the variant was bumped to the new release (or would be, with --dry-run), 4 bumped but the submission failed,\n' +
        '5 kmod variants: no error, but a check did not run on the new kernel (not bumped; give the trees, or --unchecked).\n' +
        '\nExamples:\n  $ kplay track variants/playground.yml\n  $ kplay track variants/playground.yml --follow 6.12.x --submit\n' +
        '  $ kplay track variants/kmod-wireguard.yml --repo https://mirror.stream.centos.org/10-stream/AppStream/x86_64/os --kernel-devel /usr/src/kernels/{kernel}.x86_64 --webhook https://chat.example.org/hooks/kmods',
    )
    .action(async (variantPath: string, opts: TrackCliOptions) => {
      await runCommand(async () => {
        const root = opts.root ? path.resolve(opts.root) : await findRepositoryRoot(variantPath);
        const statePath = path.resolve(opts.state ?? path.join(root, '.kplay', 'track-state.json'));
        const service = opts.submit !== undefined && opts.submit !== false ? await submitService(variantPath, opts.submit) : undefined;
        const distribution = distributionSource(opts);
        const result = distribution
          ? await trackKmodVariant(variantPath, {
              source: distribution,
              statePath,
              ...(opts.root ? { root } : {}),
              ...(opts.kernelSource ? { kernelSource: opts.kernelSource } : {}),
              ...(opts.kernelDevel ? { kernelDevel: opts.kernelDevel } : {}),
              ...(opts.out ? { out: opts.out } : {}),
              unchecked: opts.unchecked,
              dryRun: opts.dryRun,
              log: (line) => process.stderr.write(`${line}\n`),
            })
          : await trackVariant(variantPath, {
              kernelOrg: new KernelOrg({
                ...(opts.releasesUrl ? { releasesUrl: opts.releasesUrl } : {}),
                ...(opts.kernelCdn ? { cdn: opts.kernelCdn } : {}),
              }),
              statePath,
              ...(opts.follow ? { follow: opts.follow } : {}),
              ...(opts.root ? { root } : {}),
              dryRun: opts.dryRun,
              log: (line) => process.stderr.write(`${line}\n`),
            });
        const notified = result.outcome === 'broken' ? await notifyBreak(result, variantPath, opts) : undefined;
        let exit: number = exitFor(result);
        let submitted: number | undefined;
        if (result.outcome === 'bumped' && service) {
          process.stderr.write(`${result.variant}: submitting to ${service}\n`);
          submitted = await submitQuietly(variantPath, service);
          if (submitted !== 0) exit = TRACK_EXIT.submitFailed;
        }
        if (opts.json) {
          process.stdout.write(
            `${JSON.stringify({ ...result, exitCode: exit, ...(submitted !== undefined ? { submitExitCode: submitted } : {}), ...(notified ? { breakReport: notified } : {}) }, null, 2)}\n`,
          );
        } else {
          printReport(result, statePath);
          if (notified) process.stdout.write(`\n${notified.title}\n\n${notified.text}`);
        }
        return exit;
      });
    });
}

/** --repo or --koji/--koji-tag: a distribution's kernels instead of kernel.org's releases. */
function distributionSource(opts: TrackCliOptions): DistributionKernelSource | undefined {
  if (opts.repo && opts.koji) throw new UsageError('give --repo or --koji, not both');
  if (opts.koji && !opts.kojiTag) throw new UsageError('--koji needs --koji-tag <tag>');
  if (opts.kojiTag && !opts.koji) throw new UsageError('--koji-tag needs --koji <hub-url>');
  if ((opts.repo || opts.koji) && opts.follow)
    throw new UsageError('--follow selects kernel.org releases; with --repo or --koji the newest kernel of the same series is followed');
  if (opts.repo) return new RepoMetadataSource(opts.repo);
  if (opts.koji) return new KojiTagSource(opts.koji, opts.kojiTag!, opts.kojiPackage ?? 'kernel');
  return undefined;
}

function exitFor(r: TrackResult): number {
  switch (r.outcome) {
    case 'up-to-date':
      return TRACK_EXIT.upToDate;
    case 'broken':
      return TRACK_EXIT.broken;
    case 'unchecked':
      return TRACK_EXIT.unchecked;
    default:
      return TRACK_EXIT.bumped;
  }
}

function printReport(r: TrackResult, statePath: string): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  if (r.outcome === 'up-to-date') {
    out(`${r.variant}: up to date (${r.follow} is ${r.release})`);
    return;
  }
  printFindings(r.findings);
  out(`${r.variant}: ${r.current} -> ${r.release} (${r.follow})`);
  const kmod = r as TrackResult & { spec?: string; skipped?: string[]; baseline?: string };
  if (r.changes.length) for (const c of r.changes) out(`  ${formatFeatureChange(c)}`);
  else if (kmod.baseline?.startsWith('none')) out(`  what changed is not known: baseline ${kmod.baseline}`);
  else out('  no feature changed');
  if (kmod.baseline && r.changes.length) out(`  (compared with the baseline of ${r.current}: ${kmod.baseline})`);
  for (const s of kmod.skipped ?? []) out(`  not checked: ${s}`);
  const spec = kmod.spec;
  if (r.outcome === 'bumped' && spec)
    out(
      `bumped ${r.rewritten}: kmod.kernel-version ${r.release}${kmod.skipped?.length ? ' UNCHECKED (--unchecked)' : ''}; rebuilt ${displayPath(spec)}`,
    );
  else if (r.outcome === 'bumped') out(`bumped ${r.rewritten}: base.version ${r.release}, source ${r.newSource?.url}`);
  else if (r.outcome === 'green-not-written')
    out(
      kmod.skipped?.length
        ? `${r.release} has no errors but was NOT fully checked (--unchecked); --dry-run: ${r.variantFile} left as it is`
        : `${r.release} is green; --dry-run: ${r.variantFile} left as it is`,
    );
  else if (r.outcome === 'unchecked')
    out(
      `${r.release} was not checked (${(kmod.skipped ?? []).length} check(s) skipped): ${r.variantFile} left at ${r.current}; give --kernel-source and --kernel-devel for the new kernel, or bump with --unchecked`,
    );
  else out(`${r.release} breaks ${r.variant}: ${r.variantFile} left at ${r.current}`);
  out(`state: ${displayPath(statePath)}`);
}
