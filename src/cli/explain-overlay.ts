import { composeVariant } from '../compose/compose-variant.js';
import type { ObservedResolution } from '../bases/overlay/resolved-config.js';
import { UsageError } from '../findings/finding.js';
import { exitCodeForFindings } from '../findings/exit-code.js';
import { printFindings } from '../findings/report.js';
import { explainSymbol, formatExplanation } from '../kconfig/index.js';
import { isRpmArch } from '../model/arch.js';

/**
 * `kplay explain` on a fedora / centos-stream overlay: compose it against the kernel source (the
 * distribution's patches, then the variant's) and explain the symbol in the arch's first
 * non-debug config Source, as the distribution's process_configs.sh resolves it.
 */
export async function explainOverlaySymbol(
  variantPath: string,
  symbol: string,
  opts: { arch?: string; kernelSource: string; distGit?: string; json: boolean },
): Promise<number> {
  const seen: ObservedResolution[] = [];
  const composed = await composeVariant(variantPath, {
    write: false,
    render: false,
    kernelSource: opts.kernelSource,
    ...(opts.distGit ? { distGit: opts.distGit } : {}),
    observeResolution: (r) => seen.push(r),
  });
  const arches = composed.variant?.arches.list ?? [];
  const arch = opts.arch ?? arches[0];
  if (!arch || !isRpmArch(arch) || !arches.includes(arch)) throw new UsageError(`--arch ${arch}: the variant builds ${arches.join(', ')}`);
  const ofArch = seen.filter((r) => r.arch === arch);
  const pick = ofArch.find((r) => !/-debug\b/.test(r.file)) ?? ofArch[0];
  if (!pick) {
    printFindings(composed.findings);
    throw new UsageError(`cannot explain ${symbol} on ${arch}: no config Source of that arch was resolved (see the findings above)`);
  }
  const x = explainSymbol(pick.tree, pick.resolved, symbol.replace(/^CONFIG_/, ''), pick.requests);
  if (opts.json) process.stdout.write(`${JSON.stringify({ ...x, configSource: pick.file }, null, 2)}\n`);
  else
    process.stdout.write(`${formatExplanation(x)}\n(in ${pick.file}, the distribution's ${arch} config Source as the variant leaves it)\n`);
  const errors = composed.findings.filter((f) => f.severity === 'error');
  if (errors.length === 0) return 0;
  printFindings(errors);
  return exitCodeForFindings(errors);
}
