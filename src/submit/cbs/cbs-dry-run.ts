import { withoutCredentials } from '../../net/capped-request.js';
import { printFindings } from '../../findings/report.js';
import type { Finding } from '../../findings/finding.js';
import type { SubmitContext } from '../submit-backend.js';
import { cbsRecordPath, type CbsTaskRecord } from './cbs-task-record.js';
import { formatCommandLine, kojiBuildCommand, type KojiCommand } from './koji-build-command.js';
import type { KojiProfile } from './read-koji-config.js';
import type { CbsRequest } from './resolve-cbs-request.js';

/**
 * `--dry-run`: the exact command line that would run (or the task that would be resumed), where
 * the record would go, and every XML-RPC call the watch would make. Problems are warnings.
 */
export interface CbsDryRun {
  ctx: SubmitContext;
  req: CbsRequest;
  profile?: KojiProfile;
  command?: KojiCommand;
  resume?: CbsTaskRecord;
  pollIntervalMs: number;
  wait: boolean;
  warnings: Finding[];
  /** How the koji CLI will log in. */
  login?: string;
}

export function printCbsDryRun(say: (line: string) => void, d: CbsDryRun): void {
  const { ctx, req, profile, command, resume } = d;
  say('dry run: nothing is submitted, nothing is written');
  if (profile)
    say(`koji profile ${profile.name}: hub ${withoutCredentials(profile.server)} (from ${profile.files.join(', ') || 'defaults'})`);
  if (profile?.serverca) say(`hub certificate checked against serverca ${profile.serverca}`);
  if (d.login) say(d.login);
  const record = cbsRecordPath(ctx.stateDir);
  const id = resume ? String(resume.taskId) : 'TASK_ID';
  if (resume) {
    say(`would resume watching task ${resume.taskId} (recorded in ${record}); pass --force to submit again`);
  } else {
    const shown = command ?? kojiBuildCommand({ ...req, srpmPath: ctx.srpmPath }, { cbs: 'cbs' })!;
    say(`would run: ${formatCommandLine(shown)}`);
    say(`would parse "Created task: N" from its output and record the task in ${record}`);
  }
  const hubUrl = profile?.server ?? '(hub of the profile)';
  say(`would ${d.wait ? `poll every ${d.pollIntervalMs / 1000} s` : 'ask once'} (anonymous XML-RPC POST to ${hubUrl}):`);
  say(`  getTaskInfo(${id}, request=False)`);
  say(`  getTaskChildren(${id})`);
  say('  getTaskResult(FAILED_TASK_ID)   for each failed task, to show why it failed');
  if (!req.scratch) say(`  listBuilds(taskID=${id})   once it succeeded: the NVR the hub built (recorded for promote)`);
  if (profile) say(`task page: ${profile.weburl}/taskinfo?taskID=${id}`);
  if (d.warnings.length) printFindings(d.warnings.map((f) => ({ ...f, severity: 'warning' as const })));
}
