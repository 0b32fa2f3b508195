import got from 'got';
import { capBody } from '../../net/capped-request.js';
import { gunzipSync } from 'node:zlib';
import type { Finding } from '../../findings/finding.js';
import type { SubmitContext } from '../submit-backend.js';
import { ListrBuildProgress, PlainBuildProgress, type BuildProgress } from './build-progress.js';
import { buildOutcome, type BuildSnapshot, type ChrootStatus } from './build-state.js';
import type { CoprClient } from './copr-client.js';
import { CoprError } from './copr-error.js';
import type { CoprOutput } from './copr-output.js';
import type { SubmitBase } from './copr-resume.js';
import { watchBuild } from './watch-build.js';

/** Lines of a failed chroot's builder-live.log shown. */
export const LOG_TAIL_LINES = 25;

function progressFor(ctx: SubmitContext, out: CoprOutput): BuildProgress {
  const write = (line: string) => out.info(line);
  const fancy = !ctx.json && Boolean(process.stdout.isTTY) && !process.env.KPLAY_PLAIN_PROGRESS;
  return fancy ? new ListrBuildProgress(write) : new PlainBuildProgress(write);
}

export async function watchAndReport(
  client: CoprClient,
  buildId: number,
  buildUrl: string,
  base: SubmitBase & { coprUrl: string },
  out: CoprOutput,
): Promise<{ exitCode: number; findings: Finding[] }> {
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
      throw new CoprError(
        `build ${buildId} (recorded in ${base.stateFile}) is not on Copr any more: ${err.message}; pass --force to submit a new build`,
        'refused',
        404,
      );
    }
    throw err;
  }
  await progress.finish();
  if (!result.finished) {
    return {
      exitCode: 1,
      findings: [
        {
          code: 'E_COPR_WATCH_STOPPED',
          severity: 'error',
          message: `${result.reason}; build ${buildId} goes on at ${buildUrl}`,
          hint: 'run the same command again to resume watching',
        },
      ],
    };
  }
  return reportOutcome(result.snapshot, buildUrl, base, out);
}

/** The tail of a chroot's builder-live.log (gzip once the build ended), or why it could not be read. */
export async function builderLogTail(resultUrl: string, timeoutMs: number, lines = LOG_TAIL_LINES): Promise<string> {
  const base = resultUrl.endsWith('/') ? resultUrl : `${resultUrl}/`;
  for (const name of ['builder-live.log.gz', 'builder-live.log']) {
    try {
      // read up to 16 MiB, inflated up to 64 MiB: an endless log or a gzip bomb has no tail to show
      const res = await capBody(
        got(`${base}${name}`, {
          responseType: 'buffer',
          throwHttpErrors: false,
          retry: { limit: 0 },
          timeout: { request: timeoutMs },
          decompress: false,
        }),
        16 * 1024 * 1024,
        () => new Error('log too large'),
      );
      if (res.statusCode !== 200) continue;
      let body = res.body;
      if (body[0] === 0x1f && body[1] === 0x8b) body = gunzipSync(body, { maxOutputLength: 64 * 1024 * 1024 });
      const all = body.toString('utf8').replace(/\s+$/, '').split('\n');
      return all.slice(-lines).join('\n');
    } catch {
      /* try the next name */
    }
  }
  return '';
}

async function failureFindings(snapshot: BuildSnapshot, notSucceeded: ChrootStatus[], timeoutMs: number): Promise<Finding[]> {
  if (snapshot.state === 'unknown') {
    return [
      {
        code: 'E_COPR_BUILD_UNKNOWN',
        severity: 'error',
        message: `build ${snapshot.id}: Copr reports an unknown state (copr-cli stops with "Unknown status." too)`,
      },
    ];
  }
  if (snapshot.state === 'canceled') {
    return [{ code: 'E_COPR_BUILD_CANCELED', severity: 'error', message: `build ${snapshot.id} was canceled` }];
  }
  const findings: Finding[] = [];
  for (const c of notSucceeded) {
    let hint = c.resultUrl ? `results: ${c.resultUrl}` : undefined;
    if (c.state === 'failed' && c.resultUrl) {
      const tail = await builderLogTail(c.resultUrl, timeoutMs);
      if (tail) hint = `results: ${c.resultUrl}\nlast lines of builder-live.log:\n${tail.replace(/^/gm, '    ')}`;
    }
    findings.push({
      code: c.state === 'canceled' ? 'E_COPR_BUILD_CANCELED' : 'E_COPR_BUILD_FAILED',
      severity: 'error',
      message: `build ${snapshot.id}: chroot ${c.name} ${c.state}`,
      ...(hint ? { hint } : {}),
    });
  }
  if (!findings.length)
    findings.push({ code: 'E_COPR_BUILD_FAILED', severity: 'error', message: `build ${snapshot.id} ${snapshot.state}` });
  return findings;
}

export async function reportOutcome(
  snapshot: BuildSnapshot,
  buildUrl: string,
  base: SubmitBase & { coprUrl: string },
  out: CoprOutput,
): Promise<{ exitCode: number; findings: Finding[] }> {
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
  if (outcome.ok) return { exitCode: 0, findings: [] };
  return { exitCode: 1, findings: await failureFindings(snapshot, outcome.notSucceeded, base.settings.httpTimeoutMs) };
}
