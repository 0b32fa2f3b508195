import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { checkKabi } from '../kabi/check-kabi.js';
import { parseKabiStablelist } from '../kabi/kabi-stablelist.js';
import { parseModuleSymvers } from '../kabi/module-symvers.js';
import { readModuleVersions } from '../kabi/module-versions.js';
import { KabiInputs } from '../kabi/kabi-inputs.js';
import { exitStatusForFindings } from '../findings/exit-code.js';
import { UsageError, type Finding } from '../findings/finding.js';
import { pathExists } from '../fs/path-kind.js';
import { displayPath } from '../model/safe-path.js';
import { printFindings, printSummary, runCommand } from '../findings/report.js';

async function readInput(file: string, what: string): Promise<string> {
  if (!(await pathExists(file))) throw new UsageError(`${what} ${file} does not exist`);
  return readFile(file, 'utf8');
}

export function register(program: Command): void {
  program
    .command('kabi')
    .description(
      "check built modules against a kernel's exports: every symbol they need must be in its Module.symvers with the same CRC (and, optionally, on a kABI stablelist)",
    )
    .argument('<modules...>', 'built modules (.ko, .ko.xz) or kmod RPMs, e.g. the kmod package of the previous kernel')
    .requiredOption(
      '--symvers <file>',
      "the target kernel's exports: a Module.symvers (plain, .xz, .gz), a kernel-devel folder (/usr/src/kernels/<kver>), or a kernel-devel / kernel-core RPM",
    )
    .option('--stablelist <file>', "the distribution's kABI stablelist (kabi_stablelist_<arch>)")
    .option('--json', 'print the findings as JSON on stdout', false)
    .addHelpText(
      'after',
      '\nExamples:\n  $ kplay kabi wireguard.ko --symvers /usr/src/kernels/5.14.0-580.el9.x86_64/Module.symvers\n  $ kplay kabi extra/*.ko.xz --symvers Module.symvers --stablelist kabi_stablelist_x86_64\n\nExit status: 0 the modules load into that kernel, 1 a symbol is missing or changed, 2 unusable input.',
    )
    .action(async (modules: string[], opts: { symvers: string; stablelist?: string; json: boolean }) => {
      await runCommand(async () => {
        const inputs = new KabiInputs();
        try {
          return await runKabi(modules, opts, inputs);
        } finally {
          await inputs.dispose();
        }
      });
    });
}

async function runKabi(
  modules: string[],
  opts: { symvers: string; stablelist?: string; json: boolean },
  inputs: KabiInputs,
): Promise<number> {
  const exports = parseModuleSymvers(await inputs.symvers(opts.symvers));
  if (!exports.size) throw new UsageError(`--symvers ${opts.symvers}: no exported symbols in it (not a Module.symvers)`);
  const stablelist = opts.stablelist ? parseKabiStablelist(await readInput(opts.stablelist, '--stablelist')) : undefined;
  const findings: Finding[] = [];
  const checked: Array<{ module: string; symbols: number }> = [];
  for (const given of modules) {
    for (const m of await inputs.modules(given)) {
      const needs = await readModuleVersions(m.file);
      checked.push({ module: m.label, symbols: needs.length });
      findings.push(
        ...checkKabi({
          module: path.basename(m.file),
          needs,
          exports,
          exportsLabel: displayPath(opts.symvers),
          where: { file: m.label, line: 0, col: 0 },
          ...(stablelist ? { stablelist, stablelistLabel: displayPath(opts.stablelist!) } : {}),
        }),
      );
    }
  }
  const exitCode = exitStatusForFindings(findings);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ symvers: displayPath(opts.symvers), modules: checked, exitCode, findings }, null, 2)}\n`);
  } else {
    printFindings(findings);
    for (const c of checked) process.stdout.write(`${c.module}: ${c.symbols} versioned symbol(s) checked\n`);
    printSummary(findings, 'kabi');
  }
  return exitCode;
}
