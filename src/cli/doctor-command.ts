import type { Command } from 'commander';
import { checkMachine } from '../doctor/check-machine.js';
import { installCommand, thisPackageManager } from '../doctor/install-command.js';
import { runCommand } from '../findings/report.js';

export function register(program: Command): void {
  program
    .command('doctor')
    .description(
      'check this machine for what each command needs (rpm tools, sandbox, QEMU, kernel trees, credentials files) and print the install command',
    )
    .option('--json', 'print the report as JSON on stdout', false)
    .addHelpText(
      'after',
      '\nExample:\n  $ kplay doctor\n\nExit status: 0 everything the commands need is here, 1 something is missing (the install command is printed).\nCredentials files are checked for presence and mode only; their content is never read or printed.',
    )
    .action(async (opts: { json: boolean }) => {
      await runCommand(() => {
        const report = checkMachine();
        const pm = thisPackageManager();
        const missing = report.requirements.filter((r) => r.missing.length && !r.requirement.optional);
        const missingOptional = report.requirements.filter((r) => r.missing.length && r.requirement.optional);
        const packages = [...missing, ...missingOptional]
          .map((r) => (pm === 'dnf' ? r.requirement.dnf : r.requirement.apt))
          .filter(Boolean);
        const root = typeof process.getuid === 'function' && process.getuid() === 0;
        const install = pm && packages.length ? installCommand(pm, packages, root) : undefined;
        if (opts.json) {
          process.stdout.write(
            `${JSON.stringify(
              {
                requirements: report.requirements.map((r) => ({
                  name: r.requirement.name,
                  neededBy: r.requirement.neededBy,
                  optional: Boolean(r.requirement.optional),
                  ok: r.missing.length === 0,
                  missing: r.missing,
                })),
                credentials: report.credentials,
                kernelTrees: report.kernelTrees,
                install,
              },
              null,
              2,
            )}\n`,
          );
        } else {
          const out = (s: string) => process.stdout.write(`${s}\n`);
          for (const r of report.requirements) {
            const mark = r.missing.length === 0 ? '✔' : r.requirement.optional ? '·' : '✖';
            const what = r.missing.length ? ` — missing ${r.missing.join(', ')}` : '';
            out(`${mark} ${r.requirement.name}${what} (for ${r.requirement.neededBy.join('; ')})`);
            if (r.missing.length && r.requirement.manual && !(pm === 'dnf' ? r.requirement.dnf : r.requirement.apt))
              out(`    ${r.requirement.manual}`);
          }
          for (const c of report.credentials) {
            const state = !c.present ? 'not found' : c.readableByOthers ? `found, but others can read it: chmod 600 ${c.path}` : 'found';
            out(`${c.present && !c.readableByOthers ? '✔' : '·'} ${c.name} ${c.path}: ${state} (for ${c.neededBy})`);
          }
          out(
            report.kernelTrees.length
              ? `✔ kernel source tarballs for --kernel-source: ${report.kernelTrees.join(', ')}`
              : '· no kernel source tarball in /usr/src (Debian: apt-get install linux-source-6.12; or pass any kernel.org tarball with --kernel-source)',
          );
          if (install) out(`\nto install what is missing:\n  ${install}`);
          else if (packages.length)
            out(`\nmissing packages: ${packages.join(' ')} (unknown distribution: install them with its package manager)`);
          else if (!missing.length) out('\nevery command has what it needs');
        }
        return Promise.resolve(missing.length ? 1 : 0);
      });
    });
}
