import type { SrpmIdentity } from '../../rpm/read-srpm-identity.js';
import type { CoprBuild } from './copr-client.js';

/** Clock difference between this machine and Copr that the search tolerates, in seconds. */
export const CLOCK_SKEW_SECONDS = 600;

export interface SubmittedBuildClue {
  /** Epoch seconds when the upload started. */
  since: number;
  identity: SrpmIdentity;
  /** Our Copr user name (from auth-check), when known. */
  submitter?: string;
  /** The project's newest build id before the upload: Copr's ids only grow, so ours is larger. */
  afterBuildId?: number;
}

/**
 * Among `builds` (newest first), the one an unconfirmed upload created: submitted by us, after
 * the upload started, of the same package and version. While Copr is still importing the SRPM the
 * package name and version are not known yet, so a missing name or version matches.
 */
export function pickSubmittedBuild(builds: readonly CoprBuild[], clue: SubmittedBuildClue): CoprBuild | undefined {
  return builds.find((b) => {
    if (clue.afterBuildId !== undefined && b.id <= clue.afterBuildId) return false;
    if (typeof b.submitted_on === 'number' && b.submitted_on < clue.since - CLOCK_SKEW_SECONDS) return false;
    if (clue.submitter && b.submitter && b.submitter !== clue.submitter) return false;
    const pkg = b.source_package;
    if (pkg?.name && pkg.name !== clue.identity.name) return false;
    if (pkg?.version && clue.identity.version && pkg.version !== clue.identity.version) return false;
    return true;
  });
}
