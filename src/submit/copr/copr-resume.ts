import { setTimeout as sleep } from 'node:timers/promises';
import type { SrpmIdentity } from '../../rpm/read-srpm-identity.js';
import type { SubmitContext } from '../submit-backend.js';
import type { CoprSession } from './copr-connect.js';
import type { CoprPlan } from './copr-plan.js';
import type { CoprSettings } from './copr-settings.js';
import { pickSubmittedBuild } from './find-submitted-build.js';
import { writeSubmitState, type CoprSubmitState } from './submit-state.js';

/** How many recent builds the search for an unconfirmed upload looks through. */
const RECENT_BUILDS = 50;

/** What every step of one Copr submission shares. */
export interface SubmitBase {
  stateFile: string;
  owner: string;
  plan: CoprPlan;
  identity: SrpmIdentity;
  /** sha256 of the SRPM: the same SRPM resumes, another one is a new build. */
  sha256: string;
  ctx: SubmitContext;
  settings: CoprSettings;
}

/**
 * The recorded build is this SRPM's when the digests agree. A state file written before digests
 * were recorded (version 1) is matched by name and version-release, as then.
 */
export function sameSrpm(state: CoprSubmitState, identity: SrpmIdentity, sha256: string): boolean {
  if (state.srpm.sha256) return state.srpm.sha256 === sha256;
  return state.srpm.name === identity.name && state.srpm.version === identity.version;
}

/** The build id a previous run recorded (or created without confirmation), or undefined to submit anew. */
export async function resumeFrom(previous: CoprSubmitState, base: SubmitBase, session: CoprSession): Promise<number | undefined> {
  const { out } = session;
  const same = sameSrpm(previous, base.identity, base.sha256);
  if (previous.phase === 'submitted' && previous.buildId !== undefined) {
    if (!same) {
      out.info(
        `${base.stateFile} records build ${previous.buildId} of another SRPM (${previous.srpm.file}); this one (${base.identity.name}-${base.identity.version}, sha256 ${base.sha256.slice(0, 12)}…) is submitted as a new build`,
      );
      return undefined;
    }
    out.info(`resuming build ${previous.buildId} recorded in ${base.stateFile} (--force submits a new build)`);
    return previous.buildId;
  }
  if (previous.phase === 'uploading' && same) {
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

export async function findUnconfirmedBuild(
  state: CoprSubmitState,
  session: CoprSession,
  lookups: number,
  settings: CoprSettings,
): Promise<number | undefined> {
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
