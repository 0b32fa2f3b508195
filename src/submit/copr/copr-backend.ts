import type { Command } from 'commander';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UsageError } from '../../findings/finding.js';
import { readSrpmIdentity, type SrpmIdentity } from '../../rpm/read-srpm-identity.js';
import type { SubmitBackend, SubmitContext } from '../submit-backend.js';
import { buildOutcome, type BuildSnapshot } from './build-state.js';
import { ListrBuildProgress, PlainBuildProgress, type BuildProgress } from './build-progress.js';
import { CoprClient, type CoprUser } from './copr-client.js';
import { readCoprCredentials, readCoprUrl, type CoprCredentials } from './copr-config.js';
import { formatShownRequest, plannedRequests } from './copr-dry-run.js';
import { CoprError } from './copr-error.js';
import { CoprHttp } from './copr-http.js';
import { CoprOutput } from './copr-output.js';
import { DEFAULT_KERNEL_BUILD_TIMEOUT, MAX_COPR_TIMEOUT, resolveCoprPlan, type CoprPlan } from './copr-plan.js';
import { NEWEST_BUILD_PURPOSE, type CoprBuildOptions } from './copr-request.js';
import { coprSettingsFromEnv, type CoprSettings } from './copr-settings.js';
import { ensureProject } from './ensure-project.js';
import { pickSubmittedBuild } from './find-submitted-build.js';
import { SecretRedactor } from './secret-redactor.js';
import { readSubmitState, removeSubmitState, submitStatePath, writeSubmitState, type CoprSubmitState } from './submit-state.js';
import { watchBuild } from './watch-build.js';

/** How many recent builds the search for an unconfirmed upload looks through. */
const RECENT_BUILDS = 50;
/** Looks for an unconfirmed upload's build right after it (a proxy may give up before Copr has finished). */
const LOOKUPS_AFTER_LOST_UPLOAD = 3;

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export const coprBackend: SubmitBackend = {
  flag: 'copr',

  addOptions(cmd: Command): void {
    cmd
      .option('--copr [owner/project]', 'submit to Copr (default project: targets.copr of the variant)')
      .option('--chroot <name>', 'Copr chroot to build in, repeatable; replaces targets.copr.chroots', collect, [])
      .option('--copr-config <path>', 'copr-cli config holding login and token (default ~/.config/copr)')
      .option('--enable-net', 'allow network access during the Copr build');
    // --timeout may already be there if another backend added it; both read the same value
    if (!cmd.options.some((o) => o.long === '--timeout')) {
      cmd.option('--timeout <seconds>', `build timeout in seconds (Copr: default ${DEFAULT_KERNEL_BUILD_TIMEOUT} = 30 h, at most ${MAX_COPR_TIMEOUT})`);
    }
  },

  async run(ctx: SubmitContext): Promise<number> {
    const settings = coprSettingsFromEnv();
    const redactor = new SecretRedactor();
    const out = new CoprOutput(redactor);
    try {
      return await submitToCopr(ctx, settings, redactor, out);
    } catch (err) {
      if (err instanceof CoprError) {
        out.error(err.message);
        return err.kind === 'auth' ? 2 : 1;
      }
      if (err instanceof UsageError) throw new UsageError(redactor.redact(err.message), err.findings);
      const e = err as Error;
      const safe = new Error(redactor.redact(e?.message ?? String(err)));
      safe.stack = redactor.redact(e?.stack ?? '');
      throw safe;
    }
  },
};

function buildOptionsOf(plan: CoprPlan): CoprBuildOptions {
  return { chroots: plan.chroots, timeout: plan.timeout, ...(plan.enableNet !== undefined ? { enable_net: plan.enableNet } : {}) };
}

function sameIdentity(state: CoprSubmitState, identity: SrpmIdentity): boolean {
  return state.srpm.name === identity.name && state.srpm.version === identity.version;
}

async function submitToCopr(ctx: SubmitContext, settings: CoprSettings, redactor: SecretRedactor, out: CoprOutput): Promise<number> {
  const plan = resolveCoprPlan(ctx.options, ctx.targets?.copr);
  const configFile = typeof ctx.options.coprConfig === 'string' ? path.resolve(ctx.options.coprConfig) : undefined;
  const wait = ctx.wait ?? Boolean(process.stdout.isTTY);
  await stat(ctx.srpmPath).catch(() => {
    throw new UsageError(`${ctx.srpmPath}: no such SRPM`);
  });
  if (ctx.dryRun) return dryRun(ctx, plan, configFile, settings, wait, redactor, out);

  const creds = await readCoprCredentials(configFile, settings.urlOverride);
  redactor.add(creds.token, creds.login);
  const client = new CoprClient(
    new CoprHttp({
      coprUrl: creds.coprUrl,
      credentials: { login: creds.login, token: creds.token },
      redactor,
      configFile: creds.file,
      retries: settings.retries,
      retryBaseMs: settings.retryBaseMs,
      timeoutMs: settings.httpTimeoutMs,
      debug: settings.debug ? (line) => out.info(line) : undefined,
    }),
  );
  const identity = await readSrpmIdentity(ctx.srpmPath);
  const session = new CoprSession(client, creds, out);
  const owner = plan.owner ?? creds.username ?? (await session.me()).name;
  const stateFile = submitStatePath(ctx.stateDir, owner, plan.project);
  const base = { stateFile, owner, plan, identity, ctx, settings };

  let buildId: number | undefined;
  if (!ctx.force) {
    const previous = await readSubmitState(stateFile);
    if (previous && previous.coprUrl === creds.coprUrl) buildId = await resumeFrom(previous, base, session);
  }
  buildId ??= await submitNew(base, session);

  const buildUrl = `${creds.coprUrl}/coprs/build/${buildId}`;
  if (!wait) {
    if (ctx.json) out.result(JSON.stringify({ backend: 'copr', coprUrl: creds.coprUrl, owner, project: plan.project, buildId, buildUrl, watched: false }));
    else out.result(`build ${buildId}: ${buildUrl}\nnot waiting; run the same command again to watch it`);
    return 0;
  }
  return watchAndReport(client, buildId, buildUrl, { ...base, coprUrl: creds.coprUrl }, out);
}

/** Lazily asks Copr who the token belongs to (auth-check), once. */
class CoprSession {
  private user?: Promise<CoprUser>;
  constructor(
    readonly client: CoprClient,
    readonly creds: CoprCredentials,
    readonly out: CoprOutput,
  ) {}
  me(): Promise<CoprUser> {
    this.user ??= this.client.authCheck();
    return this.user;
  }
}

interface SubmitBase {
  stateFile: string;
  owner: string;
  plan: CoprPlan;
  identity: SrpmIdentity;
  ctx: SubmitContext;
  settings: CoprSettings;
}

/** The build id a previous run recorded (or created without confirmation), or undefined to submit anew. */
async function resumeFrom(previous: CoprSubmitState, base: SubmitBase, session: CoprSession): Promise<number | undefined> {
  const { out } = session;
  if (previous.phase === 'submitted' && previous.buildId !== undefined) {
    if (!sameIdentity(previous, base.identity)) {
      throw new UsageError(
        `${base.stateFile} records build ${previous.buildId} of ${previous.srpm.name}-${previous.srpm.version}, but this SRPM is ${base.identity.name}-${base.identity.version}; pass --force to submit it as a new build`,
      );
    }
    out.info(`resuming build ${previous.buildId} recorded in ${base.stateFile} (--force submits a new build)`);
    return previous.buildId;
  }
  if (previous.phase === 'uploading' && sameIdentity(previous, base.identity)) {
    out.info(`the upload of a previous run was not confirmed; looking for the build it may have created`);
    const found = await findUnconfirmedBuild(previous, session, 1, base.settings);
    if (found !== undefined) {
      await writeSubmitState(base.stateFile, { ...previous, phase: 'submitted', buildId: found });
      out.info(`found build ${found}: the previous upload created it; resuming (--force submits a new build)`);
      return found;
    }
    out.info('that upload created no build; submitting again');
  }
  return undefined;
}

async function findUnconfirmedBuild(state: CoprSubmitState, session: CoprSession, lookups: number, settings: CoprSettings): Promise<number | undefined> {
  const me = await session.me();
  for (let i = 0; i < lookups; i++) {
    if (i > 0) await sleep(settings.pollIntervalMs);
    const builds = await session.client.listBuilds(state.owner, state.project, RECENT_BUILDS);
    const found = pickSubmittedBuild(builds, {
      since: state.uploadStartedAt,
      identity: { name: state.srpm.name, version: state.srpm.version },
      submitter: me.name,
      afterBuildId: state.newestBuildIdBefore,
    });
    if (found) return found.id;
  }
  return undefined;
}

async function submitNew(base: SubmitBase, session: CoprSession): Promise<number> {
  const { client, out, creds } = session;
  const { owner, plan, identity, ctx, stateFile } = base;
  const project = plan.project;
  const buildOptions = buildOptionsOf(plan);
  const me = await session.me(); // fails early, before any change, when the token is bad
  out.info(`Copr ${creds.coprUrl}: authenticated as ${me.name}`);
  const ensured = await ensureProject(client, owner, project, {
    chroots: plan.chroots,
    ...(plan.description ? { description: plan.description } : {}),
    ...(plan.enableNet !== undefined ? { enable_net: plan.enableNet } : {}),
  });
  out.info(`project ${owner}/${project}: chroots ${ensured.chroots.join(', ')}${ensured.added.length ? ` (enabled ${ensured.added.join(', ')})` : ''}`);
  const newest = (await client.listBuilds(owner, project, 1, NEWEST_BUILD_PURPOSE))[0]?.id ?? 0;
  await client.checkBeforeBuild(owner, project, buildOptions);

  const state: CoprSubmitState = {
    version: 1,
    coprUrl: creds.coprUrl,
    owner,
    project,
    srpm: { file: path.basename(ctx.srpmPath), name: identity.name, version: identity.version },
    phase: 'uploading',
    uploadStartedAt: Math.floor(Date.now() / 1000),
    newestBuildIdBefore: newest,
    chroots: plan.chroots,
  };
  await writeSubmitState(stateFile, state);
  const { size } = await stat(ctx.srpmPath);
  out.info(`uploading ${path.basename(ctx.srpmPath)} (${size >= 1048576 ? `${(size / 1048576).toFixed(1)} MiB` : `${Math.ceil(size / 1024)} KiB`}) to ${owner}/${project} for ${plan.chroots.join(', ')}`);
  let buildId: number;
  try {
    buildId = (await client.createBuildFromUpload(ctx.srpmPath, owner, project, buildOptions)).id;
  } catch (err) {
    if (!(err instanceof CoprError)) throw err;
    if (err.kind !== 'ambiguous') {
      await removeSubmitState(stateFile); // Copr answered: no build was created
      throw err;
    }
    out.info(`${err.message}; looking for the build before anything is sent again`);
    let found: number | undefined;
    try {
      found = await findUnconfirmedBuild(state, session, LOOKUPS_AFTER_LOST_UPLOAD, base.settings);
    } catch (lookupErr) {
      out.info(`the search failed: ${(lookupErr as Error).message}`);
    }
    if (found === undefined) {
      throw new CoprError(
        `the upload was not confirmed and its build was not found yet; run the same command again: it looks for the build before uploading anything (state in ${stateFile})`,
        'ambiguous',
      );
    }
    out.info(`found build ${found}: the upload did create it`);
    buildId = found;
  }
  await writeSubmitState(stateFile, { ...state, phase: 'submitted', buildId });
  out.info(`submitted build ${buildId}: ${creds.coprUrl}/coprs/build/${buildId}`);
  return buildId;
}

function progressFor(ctx: SubmitContext, out: CoprOutput): BuildProgress {
  const write = (line: string) => out.info(line);
  const fancy = !ctx.json && Boolean(process.stdout.isTTY) && !process.env.KPLAY_PLAIN_PROGRESS;
  return fancy ? new ListrBuildProgress(write) : new PlainBuildProgress(write);
}

async function watchAndReport(
  client: CoprClient,
  buildId: number,
  buildUrl: string,
  base: SubmitBase & { coprUrl: string },
  out: CoprOutput,
): Promise<number> {
  const { ctx, settings, plan } = base;
  const progress = progressFor(ctx, out);
  let result;
  try {
    result = await watchBuild(client, buildId, {
      intervalMs: settings.pollIntervalMs,
      maxWaitMs: settings.watchMaxMs ?? (plan.timeout + 2 * 86_400) * 1000,
      // with the request retries this rides out roughly a quarter of an hour of Copr being away
      maxConsecutiveFailures: 20,
      onSnapshot: (s) => progress.update(s),
      onPollError: (e) => progress.note(`build ${buildId}: poll failed, trying again: ${e.message}`),
    });
  } catch (err) {
    await progress.finish();
    if (err instanceof CoprError && err.status === 404) {
      throw new CoprError(`build ${buildId} (recorded in ${base.stateFile}) is not on Copr any more: ${err.message}; pass --force to submit a new build`, 'refused', 404);
    }
    throw err;
  }
  await progress.finish();
  if (!result.finished) {
    out.error(`${result.reason}; build ${buildId} goes on at ${buildUrl}; run the same command again to resume watching`);
    return 1;
  }
  return reportOutcome(result.snapshot, buildUrl, base, out);
}

function reportOutcome(snapshot: BuildSnapshot, buildUrl: string, base: SubmitBase & { coprUrl: string }, out: CoprOutput): number {
  const outcome = buildOutcome(snapshot);
  if (base.ctx.json) {
    out.result(
      JSON.stringify({
        backend: 'copr',
        coprUrl: base.coprUrl,
        owner: base.owner,
        project: base.plan.project,
        buildId: snapshot.id,
        buildUrl,
        state: snapshot.state,
        ok: outcome.ok,
        chroots: snapshot.chroots,
      }),
    );
  } else {
    out.result(`build ${snapshot.id} ${snapshot.state}: ${buildUrl}`);
    for (const c of snapshot.chroots) out.result(`  ${c.name}: ${c.state}${c.resultUrl ? `  ${c.resultUrl}` : ''}`);
  }
  if (outcome.ok) return 0;
  const named = outcome.notSucceeded.map((c) => `${c.name} ${c.state}${c.resultUrl ? ` (${c.resultUrl})` : ''}`);
  out.error(`build ${snapshot.id} ${snapshot.state}${named.length ? `: ${named.join('; ')}` : ''}`);
  return 1;
}

async function dryRun(
  ctx: SubmitContext,
  plan: CoprPlan,
  configFile: string | undefined,
  settings: CoprSettings,
  wait: boolean,
  redactor: SecretRedactor,
  out: CoprOutput,
): Promise<number> {
  let creds: CoprCredentials | undefined;
  let credsNote = '';
  try {
    creds = await readCoprCredentials(configFile, settings.urlOverride);
    redactor.add(creds.token, creds.login);
  } catch (err) {
    credsNote = `no usable credentials (${(err as Error).message})`;
  }
  const coprUrl = creds?.coprUrl ?? (await readCoprUrl(configFile, settings.urlOverride));
  const owner = plan.owner ?? creds?.username ?? '{your Copr user}';
  const requests = await plannedRequests({
    coprUrl,
    hasCredentials: Boolean(creds),
    owner,
    project: plan.project,
    chroots: plan.chroots,
    description: plan.description,
    buildOptions: buildOptionsOf(plan),
    srpmPath: ctx.srpmPath,
    wait,
    pollIntervalMs: settings.pollIntervalMs,
  });
  const recorded = plan.owner || creds?.username ? await readSubmitState(submitStatePath(ctx.stateDir, owner, plan.project)) : undefined;
  const resumeNote =
    recorded && !ctx.force && recorded.buildId !== undefined
      ? `${submitStatePath(ctx.stateDir, owner, plan.project)} records build ${recorded.buildId}: a real run would resume watching it instead of uploading (--force submits a new build)`
      : undefined;
  if (ctx.json) {
    out.result(JSON.stringify({ dryRun: true, coprUrl, credentials: creds ? 'found' : credsNote, resume: resumeNote, requests }, null, 2));
    return 0;
  }
  out.result(`dry run: nothing is sent; kplay submit --copr would make these requests to ${coprUrl}:`);
  if (credsNote) out.result(`note: ${credsNote}`);
  if (resumeNote) out.result(`note: ${resumeNote}`);
  for (const r of requests) out.result(`\n${formatShownRequest(r)}`);
  return 0;
}
