import { Command, Option } from 'commander';
import path from 'node:path';
import { UsageError } from '../findings/finding.js';
import { loadVariantOrThrow } from '../load/load-variant.js';
import type { Targets } from '../model/types.js';
import { prepareSrpm } from '../rpm/prepare-srpm.js';
import { submitBackends } from '../submit/backends.js';
import type { SubmitBackend } from '../submit/submit-backend.js';
import { printFindings, runCommand } from '../findings/report.js';

export async function register(program: Command): Promise<void> {
  const backends: SubmitBackend[] = await Promise.all(submitBackends.map((load) => load()));
  const cmd = program
    .command('submit')
    .description('build the SRPM of a variant (or take --srpm) and submit it to Copr or CBS, then watch the build')
    .argument('[variant]', 'variant file, e.g. variants/playground.yml')
    .option('--srpm <file>', 'submit this SRPM instead of building one (a variant given too supplies its targets)')
    .option('--out <dir>', 'output folder of the composed variant (default out/<variant>)')
    .option('--sources-dir <dir>', "folder holding source tarballs already downloaded (verified against the variant's digests)")
    .option(
      '--kernel-source <tree-or-tarball>',
      'check the variant against this kernel before building the SRPM (default: the base tarball the SRPM carries)',
    )
    .option('--no-check', 'skip the Kconfig and patch checks before building the SRPM (warned about)')
    .option('--no-prep-check', "skip running the SRPM's own %prep (rpmbuild -bp in the sandbox) before submitting (warned about)")
    .option('--dry-run', 'print every request that would be made, send nothing', false)
    .addOption(new Option('--wait', 'watch the build until it ends (default when stdout is a terminal)'))
    .addOption(new Option('--no-wait', 'return after submitting'))
    .option('--force', 'submit a new build even if a previous one is recorded for this output', false)
    .option('--json', 'print the result as JSON on stdout', false)
    .addHelpText(
      'after',
      '\nExamples:\n  $ kplay submit variants/playground.yml --copr --dry-run\n  $ kplay submit variants/playground.yml --copr owner/project --chroot fedora-rawhide-x86_64 --wait\n  $ kplay submit variants/playground.yml --cbs kmods9s-packages-main-el9s --scratch --wait',
    );
  for (const b of backends) b.addOptions(cmd);
  cmd.action(async (variant: string | undefined, opts: Record<string, unknown>) => {
    await runCommand(async () => {
      const chosen = backends.filter((b) => opts[b.flag] !== undefined && opts[b.flag] !== false);
      if (chosen.length !== 1) {
        const flags = backends.map((b) => `--${b.flag}`).join(' or ') || '(no build service is available)';
        throw new UsageError(`choose exactly one build service: ${flags}`);
      }
      const backend = chosen[0]!;
      let srpmPath: string;
      let variantName: string;
      let targets: Targets | undefined;
      let stateDir: string;
      if (!opts.srpm && !variant) throw new UsageError('name a variant file (e.g. variants/playground.yml) or pass --srpm FILE');
      // the variant's targets (also with --srpm), so the backend can check names before the long SRPM build
      const loaded = variant ? (await loadVariantOrThrow(variant)).variant : undefined;
      if (loaded) targets = loaded.targets;
      await backend.preflight?.({ targets, options: opts, dryRun: Boolean(opts.dryRun) });
      if (typeof opts.srpm === 'string') {
        srpmPath = path.resolve(opts.srpm);
        // a given SRPM proves itself too, before anything is sent (the dry run included)
        const { proveSrpmFile } = await import('../rpm/prove-srpm.js');
        printFindings(
          await proveSrpmFile(srpmPath, { prepCheck: opts.prepCheck !== false, ...(loaded ? { arches: loaded.arches.list } : {}) }),
        );
        variantName = path.basename(srpmPath).replace(/\.src\.rpm$/, '');
        stateDir = typeof opts.out === 'string' ? path.resolve(opts.out) : path.dirname(srpmPath);
      } else {
        const prepared = await prepareSrpm(variant!, {
          out: opts.out as string | undefined,
          sourcesDir: opts.sourcesDir as string | undefined,
          kernelSource: opts.kernelSource as string | undefined,
          noCheck: opts.check === false,
          prepCheck: opts.prepCheck !== false,
        });
        printFindings(prepared.compose.findings);
        ({ srpmPath, variantName, targets } = prepared);
        stateDir = prepared.outDir;
      }
      return backend.run({
        srpmPath,
        variantPath: variant,
        variantName,
        targets,
        stateDir,
        dryRun: Boolean(opts.dryRun),
        wait: opts.wait as boolean | undefined,
        force: Boolean(opts.force),
        json: Boolean(opts.json),
        options: opts,
      });
    });
  });
}
