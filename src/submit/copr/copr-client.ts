import path from 'node:path';
import { CoprError } from './copr-error.js';
import type { CoprHttp } from './copr-http.js';
import {
  addProjectRequest,
  authCheckRequest,
  cancelBuildRequest,
  editProjectChrootRequest,
  editProjectSettingsRequest,
  mockChrootsRequest,
  checkBeforeBuildRequest,
  createBuildFromUploadRequest,
  editProjectChrootsRequest,
  getBuildRequest,
  getProjectRequest,
  listBuildChrootsRequest,
  listBuildsRequest,
  uploadJsonPayload,
  type CoprBuildOptions,
} from './copr-request.js';
import type { CoprProjectSettings } from './copr-plan.js';
import { filePart, multipartBody, type MultipartBody } from './multipart-body.js';

/** The fields of Copr's answers that kplay reads. */
export interface CoprUser {
  id?: number;
  name: string;
}

export interface CoprProject {
  name: string;
  ownername: string;
  /** chroot name → repo URL; its keys are the project's enabled chroots. */
  chroot_repos?: Record<string, string>;
  [setting: string]: unknown;
}

export interface CoprBuild {
  id: number;
  state: string;
  ownername?: string;
  projectname?: string;
  source_package?: { name?: string | null; version?: string | null; url?: string | null };
  submitted_on?: number | null;
  submitter?: string | null;
  chroots?: string[];
}

export interface CoprBuildChroot {
  name: string;
  state: string;
  result_url?: string | null;
  started_on?: number | null;
  ended_on?: number | null;
}

/**
 * The multipart body Copr's upload endpoint requires: the SRPM as part `pkgs`
 * (`application/x-rpm`), then part `json` as a FILE part named `json` holding the build options.
 */
export async function srpmUploadBody(srpmPath: string, owner: string, project: string, options: CoprBuildOptions): Promise<MultipartBody> {
  const pkgs = await filePart('pkgs', srpmPath, path.basename(srpmPath), 'application/x-rpm');
  return multipartBody([
    pkgs,
    { name: 'json', filename: 'json', contentType: 'application/json', source: { data: uploadJsonPayload(owner, project, options) } },
  ]);
}

function itemsOf<T>(answer: unknown): T[] {
  if (Array.isArray(answer)) return answer as T[];
  const items = (answer as { items?: unknown })?.items;
  return Array.isArray(items) ? (items as T[]) : [];
}

/** Typed calls of the Copr API v3 that kplay uses. */
export class CoprClient {
  constructor(readonly http: CoprHttp) {}

  authCheck(): Promise<CoprUser> {
    return this.http.send<CoprUser>(authCheckRequest());
  }

  addProject(owner: string, project: string, fields: { chroots: string[] } & CoprProjectSettings): Promise<CoprProject> {
    return this.http.send<CoprProject>(addProjectRequest(owner, project, fields));
  }

  /** The project, or undefined when Copr answers 404. */
  async getProject(owner: string, project: string): Promise<CoprProject | undefined> {
    try {
      return await this.http.send<CoprProject>(getProjectRequest(owner, project));
    } catch (err) {
      if (err instanceof CoprError && err.status === 404) return undefined;
      throw err;
    }
  }

  editProjectSettings(owner: string, project: string, settings: Partial<CoprProjectSettings>): Promise<CoprProject> {
    return this.http.send<CoprProject>(editProjectSettingsRequest(owner, project, settings));
  }

  editProjectChroot(owner: string, project: string, chroot: string, fields: { without_opts: string[] }): Promise<unknown> {
    return this.http.send<unknown>(editProjectChrootRequest(owner, project, chroot, fields));
  }

  async mockChroots(): Promise<string[]> {
    const answer = await this.http.send<Record<string, unknown>>(mockChrootsRequest());
    return Object.keys(answer ?? {});
  }

  cancelBuild(buildId: number): Promise<CoprBuild> {
    return this.http.send<CoprBuild>(cancelBuildRequest(buildId));
  }

  editProjectChroots(owner: string, project: string, chroots: string[]): Promise<CoprProject> {
    return this.http.send<CoprProject>(editProjectChrootsRequest(owner, project, chroots));
  }

  checkBeforeBuild(owner: string, project: string, options: CoprBuildOptions): Promise<unknown> {
    return this.http.send<unknown>(checkBeforeBuildRequest(owner, project, options));
  }

  async createBuildFromUpload(srpmPath: string, owner: string, project: string, options: CoprBuildOptions): Promise<CoprBuild> {
    const body = await srpmUploadBody(srpmPath, owner, project, options);
    return this.http.send<CoprBuild>(createBuildFromUploadRequest(body));
  }

  getBuild(buildId: number): Promise<CoprBuild> {
    return this.http.send<CoprBuild>(getBuildRequest(buildId));
  }

  async listBuildChroots(buildId: number): Promise<CoprBuildChroot[]> {
    return itemsOf<CoprBuildChroot>(await this.http.send<unknown>(listBuildChrootsRequest(buildId)));
  }

  async listBuilds(owner: string, project: string, limit: number, purpose?: string): Promise<CoprBuild[]> {
    return itemsOf<CoprBuild>(await this.http.send<unknown>(listBuildsRequest(owner, project, limit, purpose)));
  }
}
