import { stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError, type Finding } from '../../findings/finding.js';
import { readSrpmIdentity } from '../../rpm/read-srpm-identity.js';
import { sha256File } from '../cbs/cbs-task-record.js';
import type { PreflightContext, SubmitBackend, SubmitContext } from '../submit-backend.js';
import { anonymousCoprClient, connectCopr } from './copr-connect.js';
import { readCoprCredentials } from './copr-config.js';
import { runCoprDryRun } from './copr-dry-run.js';
import { CoprError, type CoprFailureKind } from './copr-error.js';
import { addCoprOptions } from './copr-options.js';
import { CoprOutput } from './copr-output.js';
import { resolveCoprPlan } from './copr-plan.js';
import { resumeFrom, type SubmitBase } from './copr-resume.js';
import { coprSettingsFromEnv, type CoprSettings } from './copr-settings.js';
import { submitNew } from './copr-submit.js';
import { watchAndReport } from './copr-watch.js';
import { SecretRedactor } from './secret-redactor.js';
import { readSubmitState, submitStatePath } from './submit-state.js';

/** The finding code and exit code of each way a Copr request can fail. */
const FAILURE: Record<CoprFailureKind, { code: Finding['code']; exit: 1 | 2 }> = {
  auth: { code: 'E_COPR_AUTH', exit: 2 },
  refused: { code: 'E_COPR_REFUSED', exit: 1 },
  server: { code: 'E_COPR_SERVER', exit: 1 },
  network: { code: 'E_COPR_UNREACHABLE', exit: 1 },
  ambiguous: { code: 'E_COPR_UPLOAD_UNCONFIRMED', exit: 1 },
};

export function coprErrorFinding(err: CoprError): { finding: Finding; exit: 1 | 2 } {
  const { code, exit } = FAILURE[err.kind];
  return { finding: { code, severity: 'error', message: err.message }, exit };
}

/** Redact every text of a finding (messages may quote answers that echo a credential). */
function redactFinding(f: Finding, redactor: SecretRedactor): Finding {
  return { ...f, message: redactor.redact(f.message), ...(f.hint ? { hint: redactor.redact(f.hint) } : {}) };
}

/** Run a Copr action; every failure becomes findings (E_COPR_*) printed redacted, with its exit code. */
export async function withCoprFindings(
  body: (out: CoprOutput, settings: CoprSettings, redactor: SecretRedactor) => Promise<number>,
): Promise<number> {
  const settings = coprSettingsFromEnv();
  const redactor = new SecretRedactor();
  const out = new CoprOutput(redactor);
  try {
    return await body(out, settings, redactor);
  } catch (err) {
    if (err instanceof CoprError) {
      const { finding, exit } = coprErrorFinding(err);
      out.findings([finding]);
      return exit;
    }
    if (err instanceof UsageError) {
      throw new UsageError(
        redactor.redact(err.message),
        err.findings.map((f) => redactFinding(f, redactor)),
        err.exitCode,
      );
    }
    const e = err as Error;
    const safe = new Error(redactor.redact(e?.message ?? String(err)));
    safe.stack = redactor.redact(e?.stack ?? '');
    throw safe;
  }
}

/** Close names from the instance's list, for an unknown chroot. */
function nearChroots(wanted: string, known: readonly string[]): string[] {
  const stem = wanted.replace(/-[^-]+$/, '');
  const arch = wanted.split('-').pop() ?? '';
  return known.filter((k) => k.startsWith(stem) || (k.endsWith(`-${arch}`) && k.split('-')[0] === wanted.split('-')[0])).slice(0, 5);
}

/**
 * Copr's frontend (coprs_logic.py) answers 403 "Non-admin cannot disable auto-prunning." to a
 * project add or edit with auto_prune false unless the user is a Copr admin; auth-check does not
 * say whether one is, so an admin says so with --copr-admin.
 */
export function adminOnlySettings(plan: ReturnType<typeof resolveCoprPlan>, ctx: PreflightContext): void {
  if (plan.settings.auto_prune !== false || ctx.options.coprAdmin === true) return;
  const message =
    'auto_prune: false is a setting only Copr admins may make: Copr refuses it for other users (403 "Non-admin cannot disable auto-prunning.")';
  throw new UsageError(message, [
    {
      code: 'E_COPR_NEEDS_ADMIN',
      severity: 'error',
      message,
      ...(ctx.targets?.copr ? { where: ctx.targets.copr.where } : {}),
      hint: 'remove auto_prune from targets.copr (old builds are then pruned as usual, delete_after_days still applies), or pass --copr-admin if your account is a Copr admin',
    },
  ]);
}

export const coprBackend: SubmitBackend = {
  flag: 'copr',

  addOptions: addCoprOptions,

  /** Before the SRPM is built: the plan is valid and every chroot is one the instance offers. */
  async preflight(ctx: PreflightContext): Promise<void> {
    const plan = resolveCoprPlan(ctx.options, ctx.targets?.copr);
    // settings Copr takes from admins only: refused now, not after the SRPM build (dry run included)
    adminOnlySettings(plan, ctx);
    if (ctx.dryRun) return;
    await withCoprFindings(async (out, settings, redactor) => {
      const configFile = typeof ctx.options.coprConfig === 'string' ? path.resolve(ctx.options.coprConfig) : undefined;
      // the config must be usable too: better now than after the SRPM build
      const { coprUrl } = await readCoprCredentials(configFile, settings.urlOverride);
      const known = await anonymousCoprClient(coprUrl, settings, redactor, out).mockChroots();
      const unknown = plan.chroots.filter((c) => !known.includes(c));
      if (unknown.length) {
        const findings: Finding[] = unknown.map((c) => {
          const near = nearChroots(c, known);
          return {
            code: 'E_COPR_CHROOT_UNKNOWN',
            severity: 'error',
            message: `${coprUrl} has no chroot ${c}`,
            ...(ctx.targets?.copr && !(ctx.options.chroot as string[] | undefined)?.length ? { where: ctx.targets.copr.where } : {}),
            hint: near.length ? `did you mean ${near.join(', ')}?` : `see ${coprUrl}/api_3/mock-chroots/list`,
          };
        });
        throw new UsageError(`unknown Copr chroot ${unknown.join(', ')}`, findings);
      }
      return 0;
    }).then((code) => {
      if (code !== 0) throw new UsageError('the Copr chroot list could not be read', [], code === 2 ? 2 : 1);
    });
  },

  run(ctx: SubmitContext): Promise<number> {
    return withCoprFindings((out, settings, redactor) => submitToCopr(ctx, settings, redactor, out));
  },
};

async function submitToCopr(ctx: SubmitContext, settings: CoprSettings, redactor: SecretRedactor, out: CoprOutput): Promise<number> {
  const plan = resolveCoprPlan(ctx.options, ctx.targets?.copr);
  const configFile = typeof ctx.options.coprConfig === 'string' ? path.resolve(ctx.options.coprConfig) : undefined;
  const wait = ctx.wait ?? Boolean(process.stdout.isTTY);
  await stat(ctx.srpmPath).catch(() => {
    throw new UsageError(`${ctx.srpmPath}: no such SRPM`);
  });
  if (ctx.dryRun) return runCoprDryRun(ctx, plan, configFile, settings, wait, redactor, out);

  const session = await connectCopr(configFile, settings, redactor, out);
  const { client, creds } = session;
  const identity = await readSrpmIdentity(ctx.srpmPath);
  const sha256 = await sha256File(ctx.srpmPath);
  const owner = plan.owner ?? creds.username ?? (await session.me()).name;
  const stateFile = submitStatePath(ctx.stateDir, owner, plan.project);
  const base: SubmitBase = { stateFile, owner, plan, identity, sha256, ctx, settings };

  let buildId: number | undefined;
  if (!ctx.force) {
    const previous = await readSubmitState(stateFile);
    if (previous && previous.coprUrl === creds.coprUrl) buildId = await resumeFrom(previous, base, session);
  }
  buildId ??= await submitNew(base, session);

  const buildUrl = `${creds.coprUrl}/coprs/build/${buildId}`;
  if (!wait) {
    if (ctx.json)
      out.result(
        JSON.stringify({ backend: 'copr', coprUrl: creds.coprUrl, owner, project: plan.project, buildId, buildUrl, watched: false }),
      );
    else out.result(`build ${buildId}: ${buildUrl}\nnot waiting; run the same command again to watch it`);
    return 0;
  }
  const { exitCode, findings } = await watchAndReport(client, buildId, buildUrl, { ...base, coprUrl: creds.coprUrl }, out);
  out.findings(findings);
  return exitCode;
}
