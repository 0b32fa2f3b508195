import type { Command } from 'commander';
import { submitStateDir } from '../submit/state-dir.js';
import { runCommand } from '../findings/report.js';

export function register(program: Command): void {
  program
    .command('status')
    .description('show the state of the Copr build(s) and CBS task that kplay submit recorded for a variant (anonymous, sends nothing)')
    .argument('[variant]', 'variant file, e.g. variants/playground.yml')
    .option('--out <dir>', 'output folder of the variant (default out/<variant>)')
    .option('--state-dir <dir>', "folder holding the records (for kplay submit --srpm: the SRPM's folder or its --out)")
    .option('--koji-config <file>', 'koji config file to read instead of ~/.koji/config{.d} (default: the one kplay submit recorded)')
    .option('--json', 'print the result as JSON on stdout', false)
    .addHelpText('after', '\nExamples:\n  $ kplay status variants/playground.yml\n  $ kplay status --state-dir out/srpms --json')
    .action(async (variant: string | undefined, opts: { out?: string; stateDir?: string; kojiConfig?: string; json: boolean }) => {
      await runCommand(async () => {
        const { submissionStatus } = await import('../submit/submission-status.js');
        const { withCoprFindings } = await import('../submit/copr/copr-backend.js');
        const { UsageError } = await import('../findings/finding.js');
        const stateDir = await submitStateDir(variant, opts);
        return withCoprFindings(async (out) => {
          const list = await submissionStatus(stateDir, out, opts);
          if (!list.length) {
            const message = `no submission is recorded in ${stateDir}`;
            throw new UsageError(message, [
              {
                code: 'E_SUBMIT_NOT_RECORDED',
                severity: 'error',
                message,
                hint: 'kplay submit records its builds there; pass --state-dir DIR for an --srpm submission',
              },
            ]);
          }
          if (opts.json) out.result(JSON.stringify(list, null, 2));
          else {
            for (const s of list) {
              out.result(`${s.service} ${s.service === 'copr' ? 'build' : 'task'} ${s.id} (${s.where}): ${s.state}  ${s.url}`);
              if (s.build) out.result(`  built ${s.build.nvr} (build ${s.build.id})`);
              for (const p of s.parts) out.result(`  ${p.name}: ${p.state}${p.url ? `  ${p.url}` : ''}`);
            }
          }
          // 0 while all is well (running or succeeded), 1 once something failed or was canceled
          return list.some((s) => s.finished && !s.ok) ? 1 : 0;
        });
      });
    });
}
