/**
 * A build whose state is one of these will not change any more: the frontend's FINISHED_STATES
 * (fedora-copr/copr frontend/coprs_frontend/coprs/helpers.py: succeeded, forked, canceled,
 * skipped, failed), plus `unknown`, on which copr-cli's watch stops with "Unknown status."
 * (cli/copr_cli/main.py, python/copr/v3/helpers.py `wait`).
 */
export const TERMINAL_STATES: ReadonlySet<string> = new Set(['succeeded', 'failed', 'canceled', 'skipped', 'forked', 'unknown']);

/**
 * Chroot states that count as success: `skipped` (nothing to build there, e.g. ExclusiveArch;
 * copr-cli's watch ends without error) and `forked` (results copied from the build it was forked
 * from).
 */
export const SUCCESS_STATES: ReadonlySet<string> = new Set(['succeeded', 'skipped', 'forked']);

export function isTerminalState(state: string): boolean {
  return TERMINAL_STATES.has(state);
}

/** Source build states that decide the whole build's state while the SRPM is being imported. */
const SOURCE_STATES_THAT_DECIDE: ReadonlySet<string> = new Set(['starting', 'pending', 'running', 'importing', 'failed']);

/** When chroots disagree, the first state of this list that any chroot has is the build's. */
const CHROOT_STATE_PRECEDENCE: readonly string[] = ['running', 'starting', 'pending', 'failed', 'succeeded', 'skipped', 'forked'];

/**
 * Copr's rule for a build's overall state: canceled first; then the source build's state while it
 * is still deciding; then the chroot states by precedence. So one failed chroot and one running
 * read "running": a build is failed only once nothing runs any more.
 */
export function deriveBuildState(input: { canceled: boolean; sourceState: string; chrootStates: readonly string[] }): string {
  if (input.canceled) return 'canceled';
  if (SOURCE_STATES_THAT_DECIDE.has(input.sourceState)) return input.sourceState;
  for (const s of CHROOT_STATE_PRECEDENCE) if (input.chrootStates.includes(s)) return s;
  return 'unknown';
}

export interface ChrootStatus {
  name: string;
  state: string;
  resultUrl?: string;
}

export interface BuildSnapshot {
  id: number;
  state: string;
  chroots: ChrootStatus[];
}

export interface BuildOutcome {
  /** True only when the build and every one of its chroots succeeded (or were skipped or forked). */
  ok: boolean;
  /** Chroots that did not succeed, with their state and result URL. */
  notSucceeded: ChrootStatus[];
}

export function buildOutcome(snapshot: BuildSnapshot): BuildOutcome {
  const notSucceeded = snapshot.chroots.filter((c) => !SUCCESS_STATES.has(c.state));
  return {
    ok: SUCCESS_STATES.has(snapshot.state) && snapshot.chroots.length > 0 && notSucceeded.length === 0,
    notSucceeded,
  };
}

/**
 * The build is over when its derived state is terminal: by the precedence above, a failed or
 * succeeded build has no chroot that is still running, starting or pending.
 */
export function isBuildFinished(snapshot: BuildSnapshot): boolean {
  return isTerminalState(snapshot.state);
}
