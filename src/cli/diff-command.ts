import type { Command } from 'commander';
import { composeVariant } from '../compose/compose-variant.js';
import { UsageError } from '../findings/finding.js';
import { isRpmArch } from '../model/arch.js';
import { diffVariants, type BaseSummary } from '../lint/diff-variants.js';
import { printFindings, runCommand } from '../findings/report.js';

export function register(program: Command): void {
  program
    .command('diff')
    .description(
      'compare two variants: base and arches, features added or removed, config values that differ (with who set them), patches that differ',
    )
    .argument('<a>', 'first variant file')
    .argument('<b>', 'second variant file')
    .option('--arch <arch>', 'compare one RPM arch only')
    .option('--json', 'print JSON on stdout', false)
    .addHelpText('after', '\nExample:\n  $ kplay diff variants/playground.yml variants/playground-plus.yml --arch x86_64')
    .action(async (a: string, b: string, opts: { arch?: string; json: boolean }) => {
      await runCommand(async () => {
        if (opts.arch && !isRpmArch(opts.arch))
          throw new UsageError(`--arch ${opts.arch}: not an RPM arch (x86_64, aarch64, ppc64le, s390x, riscv64)`);
        const [ra, rb] = [
          await composeVariant(a, { write: false, render: false }),
          await composeVariant(b, { write: false, render: false }),
        ];
        for (const r of [ra, rb]) {
          if (!r.resolved || !r.merged) {
            printFindings(r.findings);
            throw new UsageError(`cannot compare: ${r === ra ? a : b} does not load`);
          }
        }
        const d = diffVariants(ra, rb, opts.arch && isRpmArch(opts.arch) ? [opts.arch] : undefined);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(d, null, 2)}\n`);
          return 0;
        }
        const out: string[] = [`--- ${a}`, `+++ ${b}`];
        if (d.base) {
          const show = (x: BaseSummary) => `base ${x.kind} ${x.version} from ${x.from}   (${x.at})`;
          out.push(`- ${show(d.base.a)}`, `+ ${show(d.base.b)}`);
        }
        for (const x of d.archesRemoved) out.push(`- arch ${x}`);
        for (const x of d.archesAdded) out.push(`+ arch ${x}`);
        for (const f of d.featuresRemoved) out.push(`- feature ${f}`);
        for (const f of d.featuresAdded) out.push(`+ feature ${f}`);
        for (const c of d.config) {
          if (c.a) out.push(`- [${c.arch}] ${c.symbol}=${c.a.value}   (${c.a.by}, ${c.a.at})`);
          if (c.b) out.push(`+ [${c.arch}] ${c.symbol}=${c.b.value}   (${c.b.by}, ${c.b.at})`);
        }
        for (const p of d.patchesRemoved) out.push(`- patch ${p}`);
        for (const p of d.patchesAdded) out.push(`+ patch ${p}`);
        for (const p of d.patchesChanged) out.push(`~ patch ${p} (content differs)`);
        if (out.length === 2) out.push('(no differences in base, arches, features, requested config or patches)');
        process.stdout.write(`${out.join('\n')}\n`);
        return 0;
      });
    });
}
