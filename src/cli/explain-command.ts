import type { Command } from 'commander';
import { kernelOrgVariant, kmodVariant } from '../bases/index.js';
import { composeVariant } from '../compose/compose-variant.js';
import { resolveVariantConfigs } from '../compose/resolve-kconfig.js';
import { checkFeaturePatches, seriesChangesKconfig } from '../compose/check-feature-patches.js';
import { mergedRequests } from '../config/merge-config.js';
import { UsageError, type Finding } from '../findings/finding.js';
import { exitCodeForFindings } from '../findings/exit-code.js';
import type { AppliedSeries } from '../bases/patched-kconfig-source.js';
import { explainSymbol, formatExplanation } from '../kconfig/index.js';
import { isRpmArch } from '../model/arch.js';
import { printFindings, runCommand } from '../findings/report.js';
import { distGitOption, kernelSourceOption } from './shared-options.js';
import { explainOverlaySymbol } from './explain-overlay.js';

export function register(program: Command): void {
  program
    .command('explain')
    .description(
      'explain a config symbol of a variant: its value, the dependency/select/default chain that produced it, and who set each symbol involved',
    )
    .argument('<variant>', 'variant file')
    .argument('<symbol>', 'CONFIG_X (or X)')
    .option('--arch <arch>', "RPM arch (default: the variant's first)")
    .addOption(kernelSourceOption('the base kernel as a folder or source tarball'))
    .addOption(distGitOption())
    .option('--json', 'print the explanation as JSON on stdout', false)
    .addHelpText(
      'after',
      '\nExamples:\n  $ kplay explain variants/playground.yml CONFIG_WIREGUARD --arch x86_64 --kernel-source /usr/src/linux-source-6.1.tar.xz\n  $ kplay explain variants/fedora-playground.yml CONFIG_OVERLAY_FS --dist-git ~/fedora/kernel --kernel-source linux-6.17.7.tar.xz',
    )
    .action(
      async (variantPath: string, symbol: string, opts: { arch?: string; kernelSource?: string; distGit?: string; json: boolean }) => {
        await runCommand(async () => {
          const kernelSource = opts.kernelSource;
          if (!kernelSource)
            throw new UsageError('explain needs the base kernel: pass --kernel-source <tree-or-tarball> (or set KPLAY_KERNEL_SOURCE)');
          const composed = await composeVariant(variantPath, {
            write: false,
            render: false,
            ...(opts.distGit ? { distGit: opts.distGit } : {}),
          });
          if (!composed.variant || !composed.merged) {
            printFindings(composed.findings);
            throw new UsageError(`cannot explain: ${variantPath} does not load`);
          }
          const variant = kernelOrgVariant(composed.variant);
          if (!variant) {
            if (kmodVariant(composed.variant))
              throw new UsageError(
                `explain works on kernel and overlay variants; ${variantPath} is a kmod package (use compose --kernel-devel)`,
              );
            return explainOverlaySymbol(variantPath, symbol, { ...opts, kernelSource });
          }
          const arch = opts.arch ?? variant.arches.list[0]!;
          if (!isRpmArch(arch) || !variant.arches.list.includes(arch))
            throw new UsageError(`--arch ${arch}: the variant builds ${variant.arches.list.join(', ')}`);
          const merged = composed.merged.filter((m) => m.arch === arch);
          // the features' patches may add or change the symbol: explain it as they leave the tree
          let applied: AppliedSeries | undefined;
          let patchErrors: Finding[] = [];
          if (composed.resolved && seriesChangesKconfig(composed.resolved)) {
            const check = await checkFeaturePatches(composed.resolved, kernelSource);
            applied = check.applied;
            // a patch that does not apply leaves its Kconfig changes out of the explanation: say so
            patchErrors = check.findings.filter((f) => f.severity === 'error');
          }
          const k = await resolveVariantConfigs(variant, merged, kernelSource, applied ? { applied } : {});
          const r = k.resolutions[0];
          if (!r) throw new UsageError(`cannot resolve ${arch}: ${k.skipped.join('; ')}`);
          const x = explainSymbol(r.tree, r.resolved, symbol.replace(/^CONFIG_/, ''), mergedRequests(merged[0]!));
          if (opts.json) process.stdout.write(`${JSON.stringify(x, null, 2)}\n`);
          else process.stdout.write(`${formatExplanation(x)}\n`);
          if (patchErrors.length === 0) return 0;
          printFindings(patchErrors);
          return exitCodeForFindings(patchErrors);
        });
      },
    );
}
