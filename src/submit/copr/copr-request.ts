import type { CoprProjectSettings } from './copr-plan.js';
import type { MultipartBody } from './multipart-body.js';

/** One request of the Copr API v3, described as plain data (sent by CoprHttp, printed by --dry-run). */
export interface CoprRequest {
  method: 'GET' | 'POST' | 'PUT';
  /** Path below `{copr_url}/api_3/`, without a leading slash. */
  endpoint: string;
  query?: Record<string, string | number>;
  json?: unknown;
  multipart?: MultipartBody;
  /** Needs the HTTP Basic credential. */
  auth: boolean;
  /** Sending it twice has the effect of sending it once, so it may be retried blindly. */
  idempotent: boolean;
  /** What the request is for, in a few words. */
  purpose: string;
}

/** The build options kplay sends with a build (a subset of Copr's). */
export interface CoprBuildOptions {
  chroots: string[];
  /** Seconds. */
  timeout: number;
  /** Always sent: when omitted, Copr takes the project's setting. */
  enable_net: boolean;
  /** copr-cli --background: a background job, taken after the regular builds. */
  background?: boolean;
  /** Batches (copr-cli --after-build-id / --with-build-id; Copr refuses both at once). */
  after_build_id?: number;
  with_build_id?: number;
}

/** `@group` owners keep their `@`; everything else in a path segment is percent-encoded. */
function segment(value: string): string {
  return encodeURIComponent(value).replace(/^%40/, '@');
}

export function authCheckRequest(): CoprRequest {
  return { method: 'GET', endpoint: 'auth-check', auth: true, idempotent: true, purpose: 'check the API token' };
}

export function addProjectRequest(owner: string, project: string, fields: { chroots: string[] } & CoprProjectSettings): CoprRequest {
  return {
    method: 'POST',
    endpoint: `project/add/${segment(owner)}`,
    // with exist_ok an existing project is returned instead of an error: safe to send again
    query: { exist_ok: 'True' },
    json: { name: project, ...fields },
    auth: true,
    idempotent: true,
    purpose: 'create the project, or get it when it exists',
  };
}

export function editProjectChrootsRequest(owner: string, project: string, chroots: string[]): CoprRequest {
  return {
    method: 'PUT',
    endpoint: `project/edit/${segment(owner)}/${segment(project)}`,
    json: { chroots },
    auth: true,
    idempotent: true,
    purpose: "enable the wanted chroots (the list replaces the project's, so it is the union)",
  };
}

/** Project settings of the variant, applied to a project that existed with other values. */
export function editProjectSettingsRequest(owner: string, project: string, settings: Partial<CoprProjectSettings>): CoprRequest {
  return {
    method: 'PUT',
    endpoint: `project/edit/${segment(owner)}/${segment(project)}`,
    json: settings,
    auth: true,
    idempotent: true,
    purpose: "apply the variant's project settings to the existing project",
  };
}

/** Per-chroot settings (python/copr/v3/proxies/project_chroot.py `edit`): rpmbuild --without options. */
export function editProjectChrootRequest(owner: string, project: string, chroot: string, fields: { without_opts: string[] }): CoprRequest {
  return {
    method: 'PUT',
    endpoint: `project-chroot/edit/${segment(owner)}/${segment(project)}/${segment(chroot)}`,
    json: fields,
    auth: true,
    idempotent: true,
    purpose: `set rpmbuild --without ${fields.without_opts.join(' ')} in ${chroot}`,
  };
}

/** The chroots the instance offers (public): `{name: comment}`. */
export function mockChrootsRequest(): CoprRequest {
  return {
    method: 'GET',
    endpoint: 'mock-chroots/list',
    auth: false,
    idempotent: true,
    purpose: 'check the chroot names before building the SRPM',
  };
}

export function cancelBuildRequest(buildId: number): CoprRequest {
  return { method: 'PUT', endpoint: `build/cancel/${buildId}`, auth: true, idempotent: true, purpose: 'cancel the build' };
}

export function checkBeforeBuildRequest(owner: string, project: string, options: CoprBuildOptions): CoprRequest {
  return {
    method: 'POST',
    endpoint: 'build/check-before-build',
    json: { ownername: owner, projectname: project, ...options },
    auth: true,
    idempotent: true,
    purpose: 'validate the build before the upload',
  };
}

export function createBuildFromUploadRequest(multipart: MultipartBody): CoprRequest {
  return {
    method: 'POST',
    endpoint: 'build/create/upload',
    multipart,
    auth: true,
    // every create makes a new build: never sent twice blindly
    idempotent: false,
    purpose: 'upload the SRPM and create the build',
  };
}

/** The `json` FILE part of an upload: Copr ignores a plain form field of that name. */
export function uploadJsonPayload(owner: string, project: string, options: CoprBuildOptions): Buffer {
  return Buffer.from(JSON.stringify({ ownername: owner, projectname: project, ...options }));
}

export function getProjectRequest(owner: string, project: string): CoprRequest {
  return {
    method: 'GET',
    endpoint: 'project',
    query: { ownername: owner, projectname: project },
    auth: false,
    idempotent: true,
    purpose: 'see whether the project exists',
  };
}

export function getBuildRequest(buildId: number): CoprRequest {
  return { method: 'GET', endpoint: `build/${buildId}`, auth: false, idempotent: true, purpose: 'read the build state' };
}

export function listBuildChrootsRequest(buildId: number): CoprRequest {
  return {
    method: 'GET',
    endpoint: 'build-chroot/list',
    query: { build_id: buildId },
    auth: false,
    idempotent: true,
    purpose: "read each chroot's state",
  };
}

export function listBuildsRequest(
  owner: string,
  project: string,
  limit: number,
  purpose = 'find the build an unconfirmed upload created',
): CoprRequest {
  return {
    method: 'GET',
    endpoint: 'build/list',
    query: { ownername: owner, projectname: project, order: 'id', order_type: 'DESC', limit },
    auth: false,
    idempotent: true,
    purpose,
  };
}

/** Why the newest build id is read before an upload. */
export const NEWEST_BUILD_PURPOSE = 'record the newest build id, so a build from an unconfirmed upload can be told apart';
