import { setTimeout as sleep } from 'node:timers/promises';
import { isBuildFinished, type BuildSnapshot } from './build-state.js';
import type { CoprClient } from './copr-client.js';
import { CoprError } from './copr-error.js';
import { codePointOrder } from '../../model/code-point-order.js';

/** One look at a build: its derived state from `build/{id}` and each chroot from `build-chroot/list`. */
export async function fetchBuildSnapshot(client: CoprClient, buildId: number): Promise<BuildSnapshot> {
  // one after the other: the chroot list is then at least as fresh as the build state
  const build = await client.getBuild(buildId);
  const chroots = await client.listBuildChroots(buildId);
  return {
    id: build.id ?? buildId,
    state: build.state,
    chroots: chroots
      .map((c) => ({ name: c.name, state: c.state, resultUrl: c.result_url ?? undefined }))
      .sort((a, b) => codePointOrder(a.name, b.name)),
  };
}

export interface WatchBuildOptions {
  intervalMs: number;
  /** Give up watching (not the build) after this long. */
  maxWaitMs: number;
  /** Polls that may fail in a row (after the request's own retries) before watching stops. */
  maxConsecutiveFailures: number;
  onSnapshot(snapshot: BuildSnapshot): void;
  onPollError?(error: CoprError): void;
}

export type WatchResult = { finished: true; snapshot: BuildSnapshot } | { finished: false; snapshot?: BuildSnapshot; reason: string };

/**
 * Poll a build until it ends. The loop is bounded by time and by polls (maxWaitMs / intervalMs + 1);
 * a passing server or network fault does not stop it, a refused request (404: the build is gone) does.
 */
export async function watchBuild(client: CoprClient, buildId: number, opts: WatchBuildOptions): Promise<WatchResult> {
  const deadline = Date.now() + opts.maxWaitMs;
  const maxPolls = Math.ceil(opts.maxWaitMs / Math.max(1, opts.intervalMs)) + 1;
  let last: BuildSnapshot | undefined;
  let failures = 0;
  for (let poll = 0; poll < maxPolls; poll++) {
    try {
      last = await fetchBuildSnapshot(client, buildId);
      failures = 0;
      opts.onSnapshot(last);
      if (isBuildFinished(last)) return { finished: true, snapshot: last };
    } catch (err) {
      if (!(err instanceof CoprError) || err.kind === 'refused' || err.kind === 'auth') throw err;
      failures++;
      opts.onPollError?.(err);
      if (failures >= opts.maxConsecutiveFailures) {
        return { finished: false, snapshot: last, reason: `Copr did not answer ${failures} polls in a row (${err.message})` };
      }
    }
    if (Date.now() + opts.intervalMs > deadline) break;
    await sleep(opts.intervalMs);
  }
  return { finished: false, snapshot: last, reason: `stopped watching after ${Math.round(opts.maxWaitMs / 1000)} s` };
}
