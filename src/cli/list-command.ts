import type { Command } from 'commander';
import path from 'node:path';
import { UsageError } from '../findings/finding.js';
import { findRepositoryRoot } from '../compose/find-root.js';
import { listFeatures, listVariants } from '../lint/list-catalogue.js';
import { runCommand } from '../findings/report.js';

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function register(program: Command): void {
  program
    .command('list')
    .description('list the features (summary, kernel range, arches, patches, which variants use them) or the variants')
    .argument('[what]', 'features or variants', 'features')
    .option('--root <dir>', 'repository root (default: found from the working directory)')
    .option('--json', 'print JSON on stdout', false)
    .addHelpText('after', '\nExamples:\n  $ kplay list\n  $ kplay list variants --json')
    .action(async (what: string, opts: { root?: string; json: boolean }) => {
      await runCommand(async () => {
        const root = opts.root ? path.resolve(opts.root) : await findRepositoryRoot(path.resolve('x'));
        if (what === 'features') {
          const rows = await listFeatures(root);
          if (opts.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
          else
            process.stdout.write(
              `${table([['FEATURE', 'KERNEL', 'ARCHES', 'PATCHES', 'USED BY', 'SUMMARY'], ...rows.map((r) => [r.name + (r.problems ? ' (!)' : ''), r.kernel, r.arches, String(r.patches), r.usedBy.join(',') || '-', r.summary])])}\n`,
            );
        } else if (what === 'variants') {
          const rows = await listVariants(root);
          if (opts.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
          else
            process.stdout.write(
              `${table([['VARIANT', 'FILE', 'BASE', 'ARCHES', 'FEATURES', 'SUMMARY'], ...rows.map((r) => [r.name + (r.problems ? ' (!)' : ''), r.file, r.base, r.arches.join(','), String(r.features.length), r.summary])])}\n`,
            );
        } else {
          throw new UsageError(`'${what}' is not something kplay lists: use features or variants`);
        }
        return 0;
      });
    });
}
