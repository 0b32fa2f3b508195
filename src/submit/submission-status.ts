import os from 'node:os';
import { execa } from 'execa';
import { UsageError, type Finding } from '../findings/finding.js';
import { cbsRecordPath, readCbsRecord, writeCbsRecord, type CbsTaskRecord } from './cbs/cbs-task-record.js';
import { builtByTask, watchError } from './cbs/run-cbs-submit.js';
import { findExecutable } from './cbs/find-executable.js';
import { formatCommandLine, kojiCommand, type KojiCommand } from './cbs/koji-build-command.js';
import { kojiHub } from './cbs/koji-hub.js';
import { taskStateWord } from './cbs/koji-task-states.js';
import { readKojiProfile, type KojiProfile } from './cbs/read-koji-config.js';
import { taskInfoUrl } from './cbs/task-urls.js';
import { hubClientFor } from './cbs/watch-recorded-task.js';
import { snapshotTask, taskLabel } from './cbs/watch-task.js';
import { buildOutcome, isBuildFinished } from './copr/build-state.js';
import { withCoprFindings } from './copr/copr-backend.js';
import { anonymousCoprClient, connectCopr } from './copr/copr-connect.js';
import { CoprError } from './copr/copr-error.js';
import type { CoprOutput } from './copr/copr-output.js';
import { fetchBuildSnapshot } from './copr/watch-build.js';
import { listSubmitStates } from './copr/submit-state.js';
import { withoutCredentials } from '../net/capped-request.js';

/** One recorded submission as `kplay status` reports it. */
export interface SubmissionStatus {
  service: 'copr' | 'cbs';
  id: number;
  /** Where it runs: `owner/project` or the Koji target. */
  where: string;
  url: string;
  state: string;
  finished: boolean;
  ok: boolean;
  parts: Array<{ name: string; state: string; url?: string }>;
  recordFile: string;
  /** CBS: the build the hub made from the task (its NVR has the dist tag), once it is known. */
  build?: { id: number; nvr: string };
}

interface KojiEnv {
  home: string;
  sysconfDir: string;
}

function kojiEnv(): KojiEnv {
  return { home: os.homedir(), sysconfDir: process.env.KPLAY_KOJI_SYSCONFDIR || '/etc' };
}

/** The profile a record names, when it still points at the record's hub; else the record's hub alone. */
export function profileForRecord(record: CbsTaskRecord, env: KojiEnv = kojiEnv(), userConfig = record.kojiConfig): KojiProfile {
  let profile: KojiProfile | undefined;
  try {
    profile = readKojiProfile(record.profile, { home: env.home, sysconfDir: env.sysconfDir, userConfig });
  } catch {
    profile = undefined;
  }
  if (profile && profile.server === record.server) return profile;
  // the task lives on the hub it was submitted to, whatever the profile says now
  return {
    name: record.profile,
    server: record.server,
    weburl: record.weburl,
    cert: '',
    serverca: profile?.serverca ?? '',
    ...(profile?.noSslVerify ? { noSslVerify: true } : {}),
    pollIntervalS: 6,
    maxRetries: 3,
    retryIntervalS: 2,
    timeoutS: 300,
    where: { file: cbsRecordPath('.'), line: 0, col: 0 },
    files: [],
  };
}

/** The state of every build recorded in `stateDir` (Copr builds and the CBS task), read anonymously. */
export async function submissionStatus(stateDir: string, out: CoprOutput, opts: { kojiConfig?: string } = {}): Promise<SubmissionStatus[]> {
  const found: SubmissionStatus[] = [];
  const settings = (await import('./copr/copr-settings.js')).coprSettingsFromEnv();
  const { SecretRedactor } = await import('./copr/secret-redactor.js');
  for (const { file, state } of await listSubmitStates(stateDir)) {
    if (state.buildId === undefined) continue;
    const client = anonymousCoprClient(state.coprUrl, settings, new SecretRedactor(), out);
    const snap = await fetchBuildSnapshot(client, state.buildId);
    found.push({
      service: 'copr',
      id: state.buildId,
      where: `${state.owner}/${state.project}`,
      url: `${state.coprUrl}/coprs/build/${state.buildId}`,
      state: snap.state,
      finished: isBuildFinished(snap),
      ok: buildOutcome(snap).ok,
      parts: snap.chroots.map((c) => ({ name: c.name, state: c.state, ...(c.resultUrl ? { url: c.resultUrl } : {}) })),
      recordFile: file,
    });
  }
  const record = await readCbsRecord(stateDir);
  if (record) {
    const profile = profileForRecord(record, kojiEnv(), opts.kojiConfig ?? record.kojiConfig);
    // what the hub answers is network input: an unreachable hub, a fault or an answer of the wrong
    // shape (nil task, children that are no list, ids past 2^53) is a finding, exit 2, not exit 3
    const fromHub = async <T>(ask: () => Promise<T>): Promise<T> => {
      try {
        return await ask();
      } catch (err) {
        const mapped = watchError(err, record.taskId, cbsRecordPath(stateDir));
        if (mapped !== err || err instanceof UsageError) throw mapped;
        if (err instanceof TypeError || err instanceof RangeError || err instanceof SyntaxError) {
          const message = `the hub ${withoutCredentials(profile.server)} answered something that is not a task: ${err.message.split('\n')[0]}`;
          throw new UsageError(message, [
            { code: 'E_CBS_HUB_ANSWER', severity: 'error', message, where: { file: cbsRecordPath(stateDir), line: 0, col: 0 } },
          ]);
        }
        throw err;
      }
    };
    const snap = await fromHub(() => snapshotTask(kojiHub(hubClientFor(profile, profile.retryIntervalS * 1000)), record.taskId));
    const word = taskStateWord(snap.root.state);
    let build = record.build;
    if (!build && word === 'succeeded' && !record.scratch) {
      build = await fromHub(() => builtByTask(profile, record.taskId, profile.retryIntervalS * 1000));
      // the record keeps what the hub said, so promote and download need not ask again
      if (build) await writeCbsRecord(stateDir, { ...record, lastState: word, build });
    }
    found.push({
      service: 'cbs',
      id: record.taskId,
      where: `${record.target}${record.scratch ? ' (scratch)' : ''}`,
      url: taskInfoUrl(record.weburl, record.taskId),
      state: word,
      finished: ['succeeded', 'failed', 'canceled'].includes(word),
      ok: word === 'succeeded',
      parts: snap.children.map((c) => ({ name: `${taskLabel(c)} (task ${c.id})`, state: taskStateWord(c.state) })),
      recordFile: cbsRecordPath(stateDir),
      ...(build ? { build } : {}),
    });
  }
  return found;
}

/** `kplay cancel`: cancel the recorded Copr build(s) (API, with the copr-cli credentials) or CBS task (`koji cancel`). */
export async function cancelSubmission(
  stateDir: string,
  opts: { service?: 'copr' | 'cbs'; coprConfig?: string; kojiConfig?: string; dryRun: boolean; say: (line: string) => void },
): Promise<number> {
  const copr = opts.service === 'cbs' ? [] : (await listSubmitStates(stateDir)).filter((s) => s.state.buildId !== undefined);
  const cbs = opts.service === 'copr' ? undefined : await readCbsRecord(stateDir);
  if (!copr.length && !cbs) throw nothingRecorded(stateDir, opts.service);
  let exit = 0;
  for (const { state } of copr) {
    const id = state.buildId!;
    if (opts.dryRun) {
      opts.say(`would send PUT ${state.coprUrl}/api_3/build/cancel/${id} (Copr build ${id} of ${state.owner}/${state.project})`);
      continue;
    }
    exit = Math.max(
      exit,
      await withCoprFindings(async (out, settings, redactor) => {
        const session = await connectCopr(
          opts.coprConfig,
          { ...settings, urlOverride: settings.urlOverride ?? state.coprUrl },
          redactor,
          out,
        );
        try {
          await session.client.cancelBuild(id);
        } catch (err) {
          // Copr answers 409 "Cannot cancel build N" for a build that has ended
          if (err instanceof CoprError && err.status === 409) {
            out.findings([
              {
                code: 'E_COPR_CANCEL_FINISHED',
                severity: 'error',
                message: `Copr build ${id} has already ended: nothing to cancel (${err.message})`,
              },
            ]);
            return 1;
          }
          throw err;
        }
        out.result(`canceled Copr build ${id}: ${state.coprUrl}/coprs/build/${id}`);
        return 0;
      }),
    );
  }
  if (cbs) {
    const command = kojiCliCommand(cbs.profile, opts.kojiConfig ?? cbs.kojiConfig, ['cancel', String(cbs.taskId)]);
    if (opts.dryRun) opts.say(`would run: ${formatCommandLine(command ?? { program: 'cbs', args: ['cancel', String(cbs.taskId)] })}`);
    else
      exit = Math.max(exit, await runKojiCli(command, `canceled CBS task ${cbs.taskId}: ${taskInfoUrl(cbs.weburl, cbs.taskId)}`, opts.say));
  }
  return exit;
}

function nothingRecorded(stateDir: string, service?: string): UsageError {
  const message = `no ${service ? `${service} ` : ''}submission is recorded in ${stateDir}`;
  return new UsageError(message, [
    {
      code: 'E_SUBMIT_NOT_RECORDED',
      severity: 'error',
      message,
      hint: 'kplay submit records its builds there; pass --state-dir DIR for an --srpm submission',
    },
  ]);
}

function kojiCliCommand(profile: string, userConfig: string | undefined, args: string[]): KojiCommand | undefined {
  return kojiCommand(profile, userConfig, args, { cbs: findExecutable('cbs'), koji: findExecutable('koji') });
}

/** The koji subcommand of an argv: the first word after the global options (`-p NAME`, `-c FILE` take a value). */
export function kojiSubcommand(args: string[]): string {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-p' || a === '--profile' || a === '-c' || a === '--config') i++;
    else if (!a.startsWith('-')) return a;
  }
  return '(no subcommand)';
}

/** Run the koji CLI (it logs in its own way: certificate or Kerberos); its refusal becomes a finding. */
async function runKojiCli(command: KojiCommand | undefined, done: string, say: (line: string) => void): Promise<number> {
  if (!command) {
    const message = 'neither `cbs` nor `koji` is installed';
    throw new UsageError(message, [
      { code: 'E_CBS_NO_CLI', severity: 'error', message, hint: 'install the koji client: `dnf install centos-packager` (or `koji`)' },
    ]);
  }
  say(`running: ${formatCommandLine(command)}`);
  const r = await execa(command.executable ?? command.program, command.args, { reject: false, stdin: 'ignore', timeout: 10 * 60_000 });
  if (r.exitCode === 0) {
    if (String(r.stdout).trim()) say(String(r.stdout).trim());
    say(done);
    return 0;
  }
  const said = `${String(r.stderr)}\n${String(r.stdout)}`.trim().split('\n').filter(Boolean).pop() ?? `exit ${r.exitCode}`;
  const finding: Finding = {
    code: 'E_CBS_CLI_FAILED',
    severity: 'error',
    message: `\`${command.program} ${kojiSubcommand(command.args)}\` failed: ${said}`,
  };
  const { printFindings } = await import('../findings/report.js');
  printFindings([finding]);
  return 1;
}

/** What `kplay promote --cbs TAG` does: tag (or untag) a real build's NVR with the koji CLI. */
export interface PromoteRequest {
  tag: string;
  /** Explicit NVR; else the one of the SRPM the recorded CBS task built. */
  nvr?: string;
  stateDir?: string;
  untag: boolean;
  profile?: string;
  kojiConfig?: string;
  dryRun: boolean;
  say: (line: string) => void;
}

/**
 * The build a recorded task made: from the record when a watch (or status) already asked the hub,
 * else from the hub now (listBuilds(taskID=…)), never from the SRPM's file name: kojid rebuilds
 * the SRPM in the buildroot, so the hub's release carries the target's dist tag (`1.el9s`).
 */
export async function recordedBuild(
  record: CbsTaskRecord,
  stateDir: string,
  kojiConfig?: string,
  persist = true,
): Promise<{ id: number; nvr: string }> {
  if (record.build) return record.build;
  const profile = profileForRecord(record, kojiEnv(), kojiConfig);
  let builds;
  try {
    builds = await kojiHub(hubClientFor(profile, profile.retryIntervalS * 1000)).buildsOfTask(record.taskId);
  } catch (err) {
    const message = `the hub ${record.server} could not say which build task ${record.taskId} made: ${(err as Error).message}`;
    throw new UsageError(message, [
      { code: 'E_CBS_HUB_UNREACHABLE', severity: 'error', message, hint: 'run the command again, or name the build with --nvr' },
    ]);
  }
  const b = builds[0];
  if (!b) {
    const message = `the hub ${record.server} has no build made by task ${record.taskId}${record.lastState ? ` (last seen ${record.lastState})` : ''}`;
    throw new UsageError(message, [
      {
        code: 'E_CBS_NO_BUILD',
        severity: 'error',
        message,
        hint: '`kplay status` shows the task; a build exists once the task succeeded (pass --nvr to name another build)',
      },
    ]);
  }
  const build = { id: b.id, nvr: b.nvr };
  if (persist) await writeCbsRecord(stateDir, { ...record, build });
  return build;
}

export async function promoteBuild(req: PromoteRequest): Promise<number> {
  if (!/^[\w.+-]+$/.test(req.tag)) throw new UsageError(`"${req.tag}" is not a Koji tag name`);
  let nvr = req.nvr;
  let profile = req.profile;
  let kojiConfig = req.kojiConfig;
  if (!nvr) {
    const record = req.stateDir ? await readCbsRecord(req.stateDir) : undefined;
    if (!record) throw nothingRecorded(req.stateDir ?? '(no folder)', 'cbs');
    if (record.scratch) {
      const message = `task ${record.taskId} was a scratch build: scratch builds are never tagged, so there is nothing to promote`;
      throw new UsageError(message, [
        { code: 'E_CBS_PROMOTE_SCRATCH', severity: 'error', message, hint: 'submit a real build (--no-scratch) first' },
      ]);
    }
    profile ??= record.profile;
    kojiConfig ??= record.kojiConfig;
    nvr = (await recordedBuild(record, req.stateDir!, kojiConfig, !req.dryRun)).nvr;
  }
  // a leading '-' would reach the koji CLI as an option (promote --nvr -a-1-1)
  if (!/^[\w.+~^][\w.+~^-]*-[\w.+~^]+-[\w.+~^]+$/.test(nvr)) throw new UsageError(`"${nvr}" is not a name-version-release`);
  if (!/^[A-Za-z0-9_][\w.+-]*$/.test(req.tag)) throw new UsageError(`"${req.tag}" is not a Koji tag name`);
  profile ??= 'cbs';
  if (!req.untag && !/-(testing|release)$/.test(req.tag)) {
    req.say(`note: SIG builds usually move -candidate → -testing → -release; ${req.tag} is neither -testing nor -release`);
  }
  const args = [req.untag ? 'untag-build' : 'tag-build', ...(req.untag ? [] : ['--nowait']), req.tag, nvr];
  const command = kojiCliCommand(profile, kojiConfig, args);
  if (req.dryRun) {
    req.say(
      `dry run: would run ${formatCommandLine(command ?? { program: profile === 'cbs' ? 'cbs' : 'koji', args: profile === 'cbs' ? args : ['-p', profile, ...args] })}`,
    );
    return 0;
  }
  return runKojiCli(command, `${req.untag ? 'untagged' : 'tagged'} ${nvr} ${req.untag ? 'from' : 'into'} ${req.tag}`, req.say);
}
