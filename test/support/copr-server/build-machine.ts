/**
 * The contract server's build state machine, written from the Copr API notes (independently of
 * kplay's client code, so a shared mistake does not hide itself).
 * Source: importing → succeeded. Each chroot: waiting → pending → running (for `runningTicks`
 * ticks) → its scripted outcome (succeeded, failed, skipped, forked or unknown). A canceled build's
 * unfinished chroots become canceled. Finished states are the frontend's FINISHED_STATES
 * (fedora-copr/copr frontend/coprs_frontend/coprs/helpers.py).
 */
export type ChrootOutcome = 'succeeded' | 'failed' | 'skipped' | 'forked' | 'unknown';

export interface ChrootScript {
  outcome: ChrootOutcome;
  /** Ticks spent running before the outcome (default 1). */
  runningTicks?: number;
}

export interface ServerBuildChroot {
  name: string;
  state: string;
  script: ChrootScript;
  ticksRunning: number;
  started_on: number | null;
  ended_on: number | null;
}

export interface ServerBuild {
  id: number;
  owner: string;
  project: string;
  submitter: string;
  pkgName: string;
  pkgVersion: string;
  srpmFile: string;
  submittedOn: number;
  canceled: boolean;
  sourceState: string;
  options: Record<string, unknown>;
  chroots: ServerBuildChroot[];
  /** The batch it belongs to (with_build_id / after_build_id), if any. */
  batch?: number;
}

const FINAL = new Set(['succeeded', 'failed', 'canceled', 'skipped', 'forked']);

export function isFinal(state: string): boolean {
  return FINAL.has(state);
}

const now = () => Math.floor(Date.now() / 1000);

/** Move a build one step forward. */
export function tick(build: ServerBuild): void {
  if (build.canceled) return;
  if (build.sourceState === 'importing') {
    build.sourceState = 'succeeded';
    for (const c of build.chroots) if (c.state === 'waiting') c.state = 'pending';
    return;
  }
  for (const c of build.chroots) {
    if (c.state === 'pending') {
      c.state = 'running';
      c.started_on = now();
    } else if (c.state === 'running') {
      c.ticksRunning++;
      if (c.ticksRunning >= (c.script.runningTicks ?? 1)) {
        c.state = c.script.outcome;
        c.ended_on = now();
      }
    }
  }
}

export function cancel(build: ServerBuild): void {
  build.canceled = true;
  for (const c of build.chroots) if (!isFinal(c.state)) c.state = 'canceled';
}

const SOURCE_DECIDES = ['starting', 'pending', 'running', 'importing', 'failed'];
const PRECEDENCE = ['running', 'starting', 'pending', 'failed', 'succeeded', 'skipped', 'forked'];

/** The state Copr reports for a build (see the reference notes). */
export function buildState(build: ServerBuild): string {
  if (build.canceled) return 'canceled';
  if (SOURCE_DECIDES.includes(build.sourceState)) return build.sourceState;
  const states = build.chroots.map((c) => c.state);
  // models.py Build.status: a stray `waiting` chroot reads pending; nothing known reads unknown
  return PRECEDENCE.find((s) => states.includes(s)) ?? (states.includes('waiting') ? 'pending' : 'unknown');
}
