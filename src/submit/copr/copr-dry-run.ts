import { coprRequestUrl, shownHeaders } from './copr-http.js';
import { srpmUploadBody } from './copr-client.js';
import {
  addProjectRequest,
  authCheckRequest,
  checkBeforeBuildRequest,
  createBuildFromUploadRequest,
  editProjectChrootsRequest,
  getBuildRequest,
  listBuildChrootsRequest,
  listBuildsRequest,
  NEWEST_BUILD_PURPOSE,
  type CoprBuildOptions,
  type CoprRequest,
} from './copr-request.js';
import { partSize } from './multipart-body.js';

/** A request as --dry-run shows it: everything that would be sent, the credential replaced. */
export interface ShownRequest {
  method: string;
  url: string;
  purpose: string;
  headers: Record<string, string>;
  json?: unknown;
  parts?: Array<{ name: string; filename: string; contentType: string; bytes: number; file?: string; json?: unknown }>;
  /** When or how often the request is sent. */
  note?: string;
}

/** The build id is not known before the upload: shown as this placeholder. */
const BUILD_ID_PLACEHOLDER = 0;

function shown(coprUrl: string, req: CoprRequest, hasCredentials: boolean, note?: string): ShownRequest {
  const out: ShownRequest = {
    method: req.method,
    url: coprRequestUrl(coprUrl, req).replace(`/${BUILD_ID_PLACEHOLDER}`, '/{build_id}').replace(`build_id=${BUILD_ID_PLACEHOLDER}`, 'build_id={build_id}'),
    purpose: req.purpose,
    headers: shownHeaders(req, hasCredentials),
  };
  if (req.json !== undefined) out.json = req.json;
  if (req.multipart) {
    out.parts = req.multipart.parts.map((p) => ({
      name: p.name,
      filename: p.filename,
      contentType: p.contentType,
      bytes: partSize(p),
      ...('path' in p.source ? { file: p.source.path } : { json: JSON.parse(p.source.data.toString('utf8')) as unknown }),
    }));
  }
  if (note) out.note = note;
  return out;
}

export interface DryRunInput {
  coprUrl: string;
  hasCredentials: boolean;
  owner: string;
  project: string;
  chroots: string[];
  description?: string;
  buildOptions: CoprBuildOptions;
  srpmPath: string;
  wait: boolean;
  pollIntervalMs: number;
}

/** Every request a real run would make, in order, built by the same functions the client uses. */
export async function plannedRequests(input: DryRunInput): Promise<ShownRequest[]> {
  const { coprUrl, hasCredentials: creds, owner, project, buildOptions } = input;
  const projectFields = {
    chroots: input.chroots,
    ...(input.description ? { description: input.description } : {}),
    ...(buildOptions.enable_net !== undefined ? { enable_net: buildOptions.enable_net } : {}),
  };
  const upload = await srpmUploadBody(input.srpmPath, owner, project, buildOptions);
  const list = [
    shown(coprUrl, authCheckRequest(), creds),
    shown(coprUrl, addProjectRequest(owner, project, projectFields), creds),
    shown(
      coprUrl,
      editProjectChrootsRequest(owner, project, input.chroots),
      creds,
      'only when the project lacks a wanted chroot; the list sent is the union of the project\'s chroots and these',
    ),
    shown(coprUrl, listBuildsRequest(owner, project, 1, NEWEST_BUILD_PURPOSE), creds),
    shown(coprUrl, checkBeforeBuildRequest(owner, project, buildOptions), creds),
    shown(coprUrl, createBuildFromUploadRequest(upload), creds, 'sent once; never retried after the body went out'),
  ];
  if (input.wait) {
    const every = `every ${Math.round(input.pollIntervalMs / 1000)} s until the build ends`;
    list.push(shown(coprUrl, getBuildRequest(BUILD_ID_PLACEHOLDER), creds, every));
    list.push(shown(coprUrl, listBuildChrootsRequest(BUILD_ID_PLACEHOLDER), creds, every));
  }
  return list;
}

/** Human form of a shown request: the request line, headers, body, and the note. */
export function formatShownRequest(r: ShownRequest): string {
  const lines = [`${r.method} ${r.url}`, `  # ${r.purpose}${r.note ? `; ${r.note}` : ''}`];
  for (const [k, v] of Object.entries(r.headers)) lines.push(`  ${k}: ${v}`);
  if (r.json !== undefined) lines.push(`  ${JSON.stringify(r.json)}`);
  for (const p of r.parts ?? []) {
    const content = p.file ? `${p.bytes} bytes from ${p.file}` : JSON.stringify(p.json);
    lines.push(`  part name="${p.name}" filename="${p.filename}" content-type=${p.contentType}: ${content}`);
  }
  return lines.join('\n');
}
