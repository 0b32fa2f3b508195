import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { CoprSession } from './copr-connect.js';
import { CoprError } from './copr-error.js';
import type { CoprPlan } from './copr-plan.js';
import { NEWEST_BUILD_PURPOSE, type CoprBuildOptions } from './copr-request.js';
import { findUnconfirmedBuild, type SubmitBase } from './copr-resume.js';
import { ensureProject } from './ensure-project.js';
import { removeSubmitState, writeSubmitState, type CoprSubmitState } from './submit-state.js';

/** Looks for an unconfirmed upload's build right after it (a proxy may give up before Copr has finished). */
const LOOKUPS_AFTER_LOST_UPLOAD = 3;

/** The build options sent with check-before-build and the upload; enable_net always explicit. */
export function buildOptionsOf(plan: CoprPlan): CoprBuildOptions {
  return {
    chroots: plan.chroots,
    timeout: plan.timeout,
    enable_net: plan.enableNet,
    ...(plan.background ? { background: true } : {}),
    ...(plan.afterBuildId !== undefined ? { after_build_id: plan.afterBuildId } : {}),
    ...(plan.withBuildId !== undefined ? { with_build_id: plan.withBuildId } : {}),
  };
}

/** Ensure the project, validate, upload the SRPM once, and record the build id. */
export async function submitNew(base: SubmitBase, session: CoprSession): Promise<number> {
  const { client, out, creds } = session;
  const { owner, plan, identity, ctx, stateFile } = base;
  const project = plan.project;
  const buildOptions = buildOptionsOf(plan);
  const me = await session.me(); // fails early, before any change, when the token is bad
  out.info(`Copr ${creds.coprUrl}: authenticated as ${me.name}`);
  const ensured = await ensureProject(client, owner, project, { chroots: plan.chroots, ...plan.settings }, plan.without);
  out.info(
    `project ${owner}/${project}: chroots ${ensured.chroots.join(', ')}${ensured.added.length ? ` (enabled ${ensured.added.join(', ')})` : ''}${ensured.changed.length ? `; set ${ensured.changed.join(', ')}` : ''}${plan.without.length ? `; rpmbuild --without ${plan.without.join(' ')}` : ''}`,
  );
  const newest = (await client.listBuilds(owner, project, 1, NEWEST_BUILD_PURPOSE))[0]?.id ?? 0;
  await client.checkBeforeBuild(owner, project, buildOptions);

  const state: CoprSubmitState = {
    version: 2,
    coprUrl: creds.coprUrl,
    owner,
    project,
    srpm: { file: path.basename(ctx.srpmPath), name: identity.name, version: identity.version, sha256: base.sha256 },
    phase: 'uploading',
    uploadStartedAt: Math.floor(Date.now() / 1000),
    newestBuildIdBefore: newest,
    chroots: plan.chroots,
  };
  await writeSubmitState(stateFile, state);
  const { size } = await stat(ctx.srpmPath);
  out.info(
    `uploading ${path.basename(ctx.srpmPath)} (${size >= 1048576 ? `${(size / 1048576).toFixed(1)} MiB` : `${Math.ceil(size / 1024)} KiB`}) to ${owner}/${project} for ${plan.chroots.join(', ')}`,
  );
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
