import type { Command } from 'commander';
import { statSync } from 'node:fs';
import path from 'node:path';
import { checkKabi } from '../kabi/check-kabi.js';
import { parseKabiStablelist } from '../kabi/kabi-stablelist.js';
import { parseModuleSymvers } from '../kabi/module-symvers.js';
import { readModuleVersions } from '../kabi/module-versions.js';
import { KabiInputs } from '../kabi/kabi-inputs.js';
import { exitStatusForFindings } from '../findings/exit-code.js';
import { UsageError, type Finding } from '../findings/finding.js';
import { inputReadFinding, MAX_INPUT_BYTES, readInputFileSync } from '../model/read-input-file.js';
import { displayPath } from '../model/safe-path.js';
import { printFindings, printSummary, runCommand } from '../findings/report.js';

/**
 * An input file through the one reader that refuses FIFOs, devices, folders and files over
 * MAX_INPUT_BYTES (E_INPUT_KIND, exit 2) instead of hanging or failing with EISDIR/ENOMEM.
 */
function readInput(file: string, what: string): string {
  const abs = path.resolve(file);
  const r = readInputFileSync(abs);
  if (r.ok) return r.bytes.toString('utf8');
  if (r.reason === 'missing') throw new UsageError(`${what} ${file} does not exist`);
  const f = inputReadFinding(abs, r, what);
  throw new UsageError(f.message, [f]);
}

/** A module is handed to modprobe only when it is a regular file (a FIFO would block it). */
function checkModuleFile(file: string): void {
  const abs = path.resolve(file);
  let s;
  try {
    s = statSync(abs);
  } catch {
    throw new UsageError(`module ${file} does not exist`);
  }
  const reason = s.isDirectory() ? 'directory' : !s.isFile() ? 'not-regular' : s.size > MAX_INPUT_BYTES ? 'too-large' : undefined;
  if (reason) {
    const f = inputReadFinding(abs, { ok: false, reason }, 'module');
    throw new UsageError(f.message, [f]);
  }
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
  const stablelist = opts.stablelist ? parseKabiStablelist(readInput(opts.stablelist, '--stablelist')) : undefined;
  const findings: Finding[] = [];
  const checked: Array<{ module: string; symbols: number }> = [];
  for (const given of modules) {
    for (const m of await inputs.modules(given)) {
      if (!given.endsWith('.rpm')) checkModuleFile(m.file);
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
