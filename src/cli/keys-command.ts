import type { Command } from 'commander';
import { UsageError } from '../findings/finding.js';
import { displayPath } from '../model/safe-path.js';
import path from 'node:path';
import { pathExists } from '../fs/path-kind.js';
import { printFindings, runCommand } from '../findings/report.js';

/** The nearest folder at or above the key holding a .git, unless git ignores the key there. */
async function enclosingRepository(keyFile: string): Promise<string | undefined> {
  for (let d = path.dirname(path.resolve(keyFile)); ; d = path.dirname(d)) {
    if (await pathExists(path.join(d, '.git'))) {
      const { execa } = await import('execa');
      const ignored = await execa('git', ['-C', d, 'check-ignore', '-q', path.resolve(keyFile)], { reject: false }).catch(() => undefined);
      return ignored?.exitCode === 0 ? undefined : d;
    }
    if (path.dirname(d) === d) return undefined;
  }
}

/**
 * Where keys go without --dir: the user's data folder (XDG base directories), never the working
 * folder, which is usually the variant repository.
 */
export function defaultKeyFolder(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_DATA_HOME;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'kplay', 'keys');
  if (!env.HOME || !path.isAbsolute(env.HOME))
    throw new UsageError('kplay keys new: HOME is not set, so there is no default key folder: give --dir');
  return path.join(env.HOME, '.local', 'share', 'kplay', 'keys');
}

export function register(program: Command): void {
  const keys = program.command('keys').description('signing keys for Secure Boot and module signing (docs/signing.md)');
  keys
    .command('new')
    .description('make a SIG signing key pair (kernel image code signing + module signing) and print how to enrol it with mokutil')
    .option('--name <name>', 'base name of the files: NAME.key.pem (private, 0600), NAME.crt.pem, NAME.der', 'kplay-sig')
    .option(
      '--dir <dir>',
      'folder for the files, outside any repository, SRPM or out/ folder (default: $XDG_DATA_HOME/kplay/keys, ~/.local/share/kplay/keys)',
    )
    .option('--cn <text>', 'certificate common name (what modinfo -F signer shows)', 'kplay SIG signing key')
    .option('--org <text>', 'certificate organization')
    .option('--days <n>', 'validity in days', '3650')
    .option('--json', 'print the result as JSON on stdout', false)
    .addHelpText(
      'after',
      '\nExamples:\n  $ kplay keys new --dir ~/.local/share/kplay/keys --cn "Example SIG kernel signing"\n  $ kplay keys new --name kmods-2026 --org "Example SIG" --json',
    )
    .action(async (opts: { name: string; dir?: string; cn: string; org?: string; days: string; json: boolean }) => {
      await runCommand(async () => {
        const days = Number(opts.days);
        if (!Number.isInteger(days) || days < 1 || days > 36500)
          throw new UsageError(`--days ${opts.days}: give a whole number of days from 1 to 36500`);
        const { generateSigningKey } = await import('../signing/generate-key.js');
        const { enrolmentSteps } = await import('../signing/enrolment-steps.js');
        const k = await generateSigningKey({
          dir: opts.dir ?? defaultKeyFolder(),
          name: opts.name,
          commonName: opts.cn,
          ...(opts.org ? { organization: opts.org } : {}),
          days,
          // tests only: 2048-bit keys (the kernel's minimum) make a key in a fraction of the time
          ...(process.env.KPLAY_KEY_BITS === '2048' ? { bits: 2048 } : {}),
        });
        const files = { key: displayPath(k.keyFile), certificate: displayPath(k.certFile), der: displayPath(k.derFile) };
        const repo = await enclosingRepository(k.keyFile);
        if (repo) {
          printFindings([
            {
              code: 'W_KEY_IN_REPOSITORY',
              severity: 'warning',
              message: `the private key ${files.key} is inside the git repository ${displayPath(repo)}`,
              where: { file: files.key, line: 0, col: 0 },
              hint: 'move it out of the repository, or at least list *.key.pem in .gitignore; only NAME.crt.pem belongs there',
            },
          ]);
        }
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ files, certificate: k.facts, enrol: enrolmentSteps(files.der) }, null, 2)}\n`);
        } else {
          process.stdout.write(
            [
              `private key + certificate (mode 0600, never commit it): ${files.key}`,
              `certificate (public; name it in a variant's signing.certificate): ${files.certificate}`,
              `certificate for mokutil (DER): ${files.der}`,
              `  subject ${k.facts.subject}, serial ${k.facts.serial}`,
              `  sha256 fingerprint ${k.facts.sha256Fingerprint}, valid until ${k.facts.validTo}`,
              '',
              'Enrol it as a Machine Owner Key on each Secure Boot machine:',
              ...enrolmentSteps(files.der).map((s, i) => `  ${i + 1}. ${s}`),
              '',
            ].join('\n'),
          );
        }
        return 0;
      });
    });
}
