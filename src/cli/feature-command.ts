import type { Command } from 'commander';
import path from 'node:path';
import { findRepositoryRoot } from '../compose/find-root.js';
import { scaffoldFeature } from '../lint/scaffold-feature.js';
import { runCommand } from '../findings/report.js';

const collect = (value: string, previous: string[]) => [...previous, value];

export function register(program: Command): void {
  const feature = program.command('feature').description('work with feature folders');
  feature
    .command('new')
    .description('create features/<name>/ with feature.yml, a config fragment, patches/ + series and a README stub')
    .argument('<name>', 'feature name, e.g. wireguard or deprecated-drivers/mptsas')
    .option('--summary <text>', 'one-line summary')
    .option('--kernel <range>', 'supported kernel versions, e.g. ">=6.1 <6.9"')
    .option('--from-patch <file>', 'copy a patch into patches/ and series (repeatable)', collect, [])
    .option('--config <CONFIG_X=v>', 'add a config value to the fragment (repeatable)', collect, [])
    .option(
      '--for-kernel <major.minor>',
      "put the --from-patch patches in patches/<major.minor>/ (used only on that kernel series; add '+' for it and later, e.g. 6.12+)",
    )
    .option('--root <dir>', 'repository root (default: found from the working directory)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ kplay feature new bbr --kernel ">=5.4" --config CONFIG_TCP_CONG_BBR=m --summary "TCP BBR congestion control"\n  $ kplay feature new ovl-fix --kernel ">=6.1" --from-patch fix-6.12.patch --for-kernel 6.12+',
    )
    .action(
      async (
        name: string,
        opts: { summary?: string; kernel?: string; fromPatch: string[]; config: string[]; forKernel?: string; root?: string },
      ) => {
        await runCommand(async () => {
          const root = opts.root ? path.resolve(opts.root) : await findRepositoryRoot(path.resolve('x'));
          const files = await scaffoldFeature(root, name, {
            summary: opts.summary,
            kernel: opts.kernel,
            patches: opts.fromPatch,
            config: opts.config,
            ...(opts.forKernel ? { forKernel: opts.forKernel } : {}),
          });
          process.stdout.write(
            `created ${files.length} file(s):\n${files.map((f) => `  ${f}`).join('\n')}\nnext: edit features/${name}/config, then run 'kplay check features/${name}'\n`,
          );
          return 0;
        });
      },
    );
}
