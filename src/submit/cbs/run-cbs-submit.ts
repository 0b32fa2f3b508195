import { withoutCredentials } from '../../net/capped-request.js';
import { existsSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Finding } from '../../findings/finding.js';
import { UsageError } from '../../findings/finding.js';
import { printFindings } from '../../findings/report.js';
import type { SubmitContext } from '../submit-backend.js';
import { printCbsDryRun } from './cbs-dry-run.js';
import { cbsResultJson } from './cbs-result-json.js';
import { cbsRecordPath, readCbsRecord, recordMatches, sha256File, writeCbsRecord, type CbsTaskRecord } from './cbs-task-record.js';
import { checkClientCert } from './check-client-cert.js';
import { findExecutable } from './find-executable.js';
import { formatCommandLine, kojiBuildCommand } from './koji-build-command.js';
import { KojiFault } from '../../xmlrpc/koji-faults.js';
import { KojiAnswerError } from './koji-task-info.js';
import { taskStateWord } from './koji-task-states.js';
import { readKojiProfile, type KojiProfile } from './read-koji-config.js';
import { kojiBuildFlags, resolveCbsRequest, type CbsRequest } from './resolve-cbs-request.js';
import { runKojiBuild } from './run-koji-build.js';
import { taskInfoUrl, taskOutputUrl } from './task-urls.js';
import { describeTask, listrReporter, plainLineReporter, type WatchReporter } from './watch-reporter.js';
import { hubClientFor, watchRecordedTask } from './watch-recorded-task.js';
import { kojiHub } from './koji-hub.js';
import { taskLabel, TaskNotFoundError, type WatchResult } from './watch-task.js';
import { HubCertificateError, HubUnreachableError } from '../../xmlrpc/xmlrpc-client.js';
import { buildLogTails, cbsWarnings } from './cbs-checks.js';
import { readSrpmIdentity, srpmIdentityFromFileName } from '../../rpm/read-srpm-identity.js';
// a failed build exits 1 like a conflict, an unusable request 2 (the statuses of src/findings/exit-code.ts)
import { EXIT_CONFLICT as EXIT_FAILED, EXIT_OK, EXIT_USAGE as EXIT_UNUSABLE } from '../../findings/exit-code.js';

const DEFAULT_WATCH_TIMEOUT_MS = 48 * 3600 * 1000;

/** What the CBS submission reads from its surroundings (tests replace it). */
export interface CbsEnvironment {
  home: string;
  /** Folder with koji.conf and koji.conf.d (KPLAY_KOJI_SYSCONFDIR, default /etc). */
  sysconfDir: string;
  path: string | undefined;
  pollIntervalMs?: number;
  retryIntervalMs?: number;
  watchTimeoutMs: number;
  stdoutIsTTY: boolean;
  now: () => Date;
}

function envNumber(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

export function cbsEnvironmentFromProcess(): CbsEnvironment {
  return {
    home: os.homedir(),
    sysconfDir: process.env.KPLAY_KOJI_SYSCONFDIR || '/etc',
    path: process.env.PATH,
    pollIntervalMs: envNumber('KPLAY_POLL_INTERVAL_MS'),
    retryIntervalMs: envNumber('KPLAY_RETRY_INTERVAL_MS'),
    watchTimeoutMs: envNumber('KPLAY_WATCH_TIMEOUT_MS') ?? DEFAULT_WATCH_TIMEOUT_MS,
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    now: () => new Date(),
  };
}

/**
 * How the koji CLI will log in, by koji's own rule (cli/koji_cli/lib.py `activate_session`): SSL
 * when authtype is ssl, or when there is no authtype and the cert FILE EXISTS; password when
 * authtype says so; noauth; else Kerberos (GSSAPI). kplay checks only the certificate: a Kerberos
 * or password login is the CLI's business (kinit first), never blocked here.
 */
export type KojiLogin = 'ssl' | 'kerberos' | 'password' | 'noauth';

export function kojiLoginOf(profile: KojiProfile): KojiLogin {
  const t = profile.authtype;
  if (t === 'noauth') return 'noauth';
  if (t === 'ssl' || (!t && profile.cert !== '' && isFile(profile.cert))) return 'ssl';
  if (t === 'password') return 'password';
  return 'kerberos';
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function loginNote(login: KojiLogin, profile: KojiProfile | undefined): string {
  switch (login) {
    case 'ssl':
      return `login: client certificate ${profile?.cert || '(none)'}`;
    case 'kerberos':
      return `login: Kerberos (GSSAPI), done by the koji CLI${profile && !profile.authtype ? ` (the profile names no cert file that exists${profile.cert ? `: ${profile.cert} is missing` : ''})` : ''}: run \`kinit\` first if it fails`;
    case 'password':
      return 'login: user and password, done by the koji CLI';
    case 'noauth':
      return 'login: none (authtype = noauth)';
  }
}

/** authtype = ssl with no cert line and no ~/.koji/client.crt: koji's ssl_login has no file to use. */
function noCertLine(profile: KojiProfile): UsageError {
  return fail(
    'E_CBS_CERT_MISSING',
    `koji profile ${profile.name} says authtype = ssl but names no cert, and koji's default ~/.koji/client.crt does not exist`,
    'add `cert = ~/.centos.cert` (CBS) to the profile, or run `centos-cert`',
    { where: profile.where },
  );
}

/** The build a finished build task made, from the hub (listBuilds(taskID=…)); undefined when it has none. */
export async function builtByTask(
  profile: KojiProfile,
  taskId: number,
  retryIntervalMs: number,
): Promise<{ id: number; nvr: string } | undefined> {
  try {
    const builds = await kojiHub(hubClientFor(profile, retryIntervalMs)).buildsOfTask(taskId);
    const b = builds[0];
    return b ? { id: b.id, nvr: b.nvr } : undefined;
  } catch {
    // the record works without it: promote asks again
    return undefined;
  }
}

function fail(code: Finding['code'], message: string, hint?: string, extra: Partial<Finding> = {}): UsageError {
  return new UsageError(message, [{ code, severity: 'error', message, hint, ...extra }]);
}

export function watchError(err: unknown, taskId: number, recordFile: string): unknown {
  const resume = `task ${taskId} is recorded in ${recordFile}; run the same command again to resume watching`;
  if (err instanceof HubCertificateError) {
    return fail('E_CBS_HUB_CERT', err.message, `set serverca in the koji profile to the CA that signed the hub's certificate; ${resume}`);
  }
  if (err instanceof HubUnreachableError) return fail('E_CBS_HUB_UNREACHABLE', err.message, resume);
  if (err instanceof KojiFault) return fail('E_CBS_HUB_FAULT', `the hub answered ${err.message}`, resume);
  if (err instanceof TaskNotFoundError) {
    return fail('E_CBS_TASK_UNKNOWN', err.message, `the task recorded in ${recordFile} is not on this hub; pass --force to submit again`);
  }
  if (err instanceof KojiAnswerError) return fail('E_CBS_HUB_ANSWER', err.message, resume);
  return err;
}

const TARGET_CODES = new Set(['E_CBS_TARGET_UNKNOWN', 'E_CBS_TARGET_BROKEN', 'E_CBS_TAG_LOCKED']);

/** A refused target that came from the variant points at `targets.cbs` in the variant file. */
function pointAtVariantTarget(err: unknown, req: CbsRequest): unknown {
  if (!(err instanceof UsageError) || !req.where) return err;
  const findings = err.findings.map((f) => (TARGET_CODES.has(f.code) && !f.where ? { ...f, where: req.where } : f));
  return new UsageError(err.message, findings);
}

interface Printer {
  say: (line: string) => void;
}

function failureFindings(result: WatchResult, taskId: number): Finding[] {
  if (result.outcome === 'canceled') {
    return [{ code: 'E_CBS_TASK_CANCELED', severity: 'error', message: `task ${taskId} was canceled` }];
  }
  if (!result.failures.length) {
    return [{ code: 'E_CBS_BUILD_FAILED', severity: 'error', message: `task ${taskId} failed` }];
  }
  return result.failures.map((f) => ({
    code: 'E_CBS_BUILD_FAILED',
    severity: 'error' as const,
    message: `${taskLabel(f.task)} (task ${f.task.id}) failed: ${f.reason}`,
    arch: f.task.arch !== 'noarch' ? f.task.arch : undefined,
    hint: `log: ${f.logUrl}`,
  }));
}

/** `kplay submit --cbs`: submit through the koji CLI (or resume a recorded task), then watch. */
export async function runCbsSubmit(ctx: SubmitContext, env: CbsEnvironment = cbsEnvironmentFromProcess()): Promise<number> {
  const out = ctx.json ? process.stderr : process.stdout;
  const p: Printer = { say: (line) => void out.write(`${line}\n`) };
  const req = resolveCbsRequest(ctx.options, ctx.targets?.cbs);
  if (!existsSync(ctx.srpmPath)) {
    throw fail('E_CBS_SRPM_MISSING', `SRPM ${ctx.srpmPath} does not exist`);
  }
  const sha256 = await sha256File(ctx.srpmPath);
  const loc = { home: env.home, sysconfDir: env.sysconfDir, userConfig: req.userConfig };
  const warnings: Finding[] = [];
  let profile: KojiProfile | undefined;
  try {
    profile = readKojiProfile(req.profile, loc);
  } catch (err) {
    if (!(ctx.dryRun && err instanceof UsageError)) throw err;
    warnings.push(...err.findings);
  }
  const recordFile = cbsRecordPath(ctx.stateDir);
  const previous = await readCbsRecord(ctx.stateDir);
  const buildFlags = kojiBuildFlags(req.buildOptions);
  const resume = previous && !ctx.force && recordMatches(previous, { ...req, sha256, buildFlags }) ? previous : undefined;
  if (resume && profile && resume.server !== profile.server) {
    // the task id means nothing on another hub: never watch (or report) a stranger's task
    throw fail(
      'E_CBS_HUB_CHANGED',
      `task ${resume.taskId} in ${recordFile} was submitted to the hub ${withoutCredentials(resume.server)}, but koji profile ${profile.name} now points at ${withoutCredentials(profile.server)}`,
      "put the profile's server back to resume watching, or pass --force to submit again to the new hub",
    );
  }
  const command = kojiBuildCommand(
    { ...req, srpmPath: ctx.srpmPath },
    { cbs: findExecutable('cbs', env.path), koji: findExecutable('koji', env.path) },
  );
  const noCli = fail(
    'E_CBS_NO_CLI',
    'neither `cbs` nor `koji` is installed',
    'install the koji client and the CBS configuration: `dnf install centos-packager` (or `koji`)',
  );
  const login = profile ? kojiLoginOf(profile) : undefined;
  const certCheck = profile && login === 'ssl' ? checkClientCert(profile.cert, env.now()) : { findings: [] };
  const pollIntervalMs = env.pollIntervalMs ?? (profile?.pollIntervalS ?? 6) * 1000;

  const identity = resume ? undefined : await readSrpmIdentity(ctx.srpmPath).catch(() => srpmIdentityFromFileName(ctx.srpmPath));
  if (ctx.dryRun) {
    if (!resume) {
      if (!command) warnings.push(...noCli.findings);
      warnings.push(...certCheck.findings);
      if (profile && login === 'ssl' && profile.cert === '') warnings.push(...noCertLine(profile).findings);
      // the same checks as the real run: the kmods target and the NVR the hub may already have
      if (profile) {
        warnings.push(
          ...(await cbsWarnings({ req, profile, identity, retryIntervalMs: env.retryIntervalMs ?? profile.retryIntervalS * 1000 })),
        );
      }
    }
    printCbsDryRun((line) => p.say(line), {
      ctx,
      req,
      profile,
      command,
      resume,
      pollIntervalMs,
      wait: ctx.wait ?? env.stdoutIsTTY,
      warnings,
      ...(login ? { login: loginNote(login, profile) } : {}),
    });
    return EXIT_OK;
  }
  profile = profile!;

  let record: CbsTaskRecord;
  if (resume) {
    record = resume;
    p.say(
      `resuming task ${record.taskId} (recorded in ${recordFile}; pass --force to submit again): ${taskInfoUrl(profile.weburl, record.taskId)}`,
    );
  } else {
    if (!command) throw noCli;
    if (login === 'ssl' && profile.cert === '') throw noCertLine(profile);
    const certErrors = certCheck.findings.filter((f) => f.severity === 'error');
    if (certErrors.length) throw new UsageError(certErrors[0]!.message, certErrors);
    if (certCheck.findings.length) printFindings(certCheck.findings);
    p.say(loginNote(login!, profile));
    const warned = await cbsWarnings({ req, profile, identity, retryIntervalMs: env.retryIntervalMs ?? profile.retryIntervalS * 1000 });
    if (warned.length) printFindings(warned);
    if (previous && !ctx.force) {
      p.say(`task ${previous.taskId} recorded in ${recordFile} was for another SRPM, target or kind; submitting anew`);
    }
    p.say(`submitting ${path.basename(ctx.srpmPath)} to ${req.target}${req.scratch ? ' (scratch)' : ''}: ${formatCommandLine(command)}`);
    const taskId = await runKojiBuild(command, req.target, login).catch((err: unknown) => {
      throw pointAtVariantTarget(err, req);
    });
    record = {
      version: 1,
      taskId,
      target: req.target,
      profile: req.profile,
      ...(req.userConfig ? { kojiConfig: path.resolve(req.userConfig) } : {}),
      scratch: req.scratch,
      ...(req.archOverride ? { archOverride: req.archOverride } : {}),
      ...(req.failFast ? { failFast: true } : {}),
      ...(req.skipTag ? { skipTag: true } : {}),
      ...(buildFlags.length ? { buildFlags } : {}),
      server: profile.server,
      weburl: profile.weburl,
      srpm: { file: path.basename(ctx.srpmPath), sha256 },
      submittedAt: env.now().toISOString(),
    };
    await writeCbsRecord(ctx.stateDir, record);
    p.say(`Created task ${taskId}: ${taskInfoUrl(profile.weburl, taskId)}`);
  }

  const wait = ctx.wait ?? env.stdoutIsTTY;
  if (!wait && !resume) {
    p.say('not watching: pass --wait to follow the build (running the same command again resumes it)');
    if (ctx.json) process.stdout.write(`${JSON.stringify(cbsResultJson(record, profile))}\n`);
    return EXIT_OK;
  }

  const title = `CBS task ${record.taskId} (${record.target}${record.scratch ? ', scratch' : ''})`;
  const reporter: WatchReporter =
    wait && env.stdoutIsTTY && !ctx.json
      ? listrReporter(title)
      : plainLineReporter(
          (line) => p.say(line),
          (line) => void process.stderr.write(`kplay: ${line}\n`),
        );
  let result: WatchResult;
  try {
    result = await watchRecordedTask({
      profile,
      taskId: record.taskId,
      reporter,
      pollIntervalMs,
      retryIntervalMs: env.retryIntervalMs ?? profile.retryIntervalS * 1000,
      maxPolls: wait ? Math.ceil(env.watchTimeoutMs / Math.max(1, pollIntervalMs)) + 1 : 1,
    });
  } catch (err) {
    await reporter.finish(false, `${title}: watching stopped`);
    throw watchError(err, record.taskId, recordFile);
  }
  const word = taskStateWord(result.snapshot.root.state);
  await reporter.finish(result.outcome === 'succeeded' || result.outcome === 'running', `${title}: ${word}`);
  record = { ...record, lastState: word };
  if (result.outcome === 'succeeded' && !record.scratch && !record.build) {
    // the NVR the hub built (kojid rebuilt the SRPM with the target's dist tag), never a guess from the file name
    const built = await builtByTask(profile, record.taskId, env.retryIntervalMs ?? profile.retryIntervalS * 1000);
    if (built) record = { ...record, build: built };
  }
  await writeCbsRecord(ctx.stateDir, record);
  if (ctx.json) process.stdout.write(`${JSON.stringify(cbsResultJson(record, profile, result))}\n`);

  switch (result.outcome) {
    case 'succeeded':
      if (record.build)
        p.say(`built ${record.build.nvr} (build ${record.build.id}): ${profile.weburl}/buildinfo?buildID=${record.build.id}`);
      if (profile.topurl) p.say(`output: ${taskOutputUrl(profile.topurl, record.taskId)}`);
      return EXIT_OK;
    case 'running':
      if (!wait) {
        p.say(`${describeTask(result.snapshot.root)}; pass --wait to follow it`);
        return EXIT_OK;
      }
      printFindings([
        {
          code: 'E_CBS_WATCH_TIMEOUT',
          severity: 'error',
          message: `task ${record.taskId} is still ${word} after ${Math.round(env.watchTimeoutMs / 60000)} minutes of watching`,
          hint: 'run the same command again to resume watching',
        },
      ]);
      return EXIT_UNUSABLE;
    default: {
      const findings = failureFindings(result, record.taskId);
      if (profile.topurl) {
        // the failed arch's build.log and root.log tails, as a maintainer would open them first
        const tails = await buildLogTails(profile, result);
        for (const f of findings) {
          const tail = f.arch ? tails.get(f.arch) : tails.size === 1 ? [...tails.values()][0] : undefined;
          if (tail) f.hint = `${f.hint ?? ''}\n${tail}`;
        }
      }
      printFindings(findings);
      return EXIT_FAILED;
    }
  }
}
