import type { SubmitContext } from '../submit-backend.js';
import { readCoprCredentials, readCoprUrl, type CoprCredentials } from './copr-config.js';
import { coprRequestUrl, shownHeaders } from './copr-http.js';
import type { CoprOutput } from './copr-output.js';
import type { CoprPlan } from './copr-plan.js';
import type { CoprSettings } from './copr-settings.js';
import { buildOptionsOf } from './copr-submit.js';
import type { SecretRedactor } from './secret-redactor.js';
import { readSubmitState, submitStatePath } from './submit-state.js';
import { srpmUploadBody } from './copr-client.js';
import {
  addProjectRequest,
  authCheckRequest,
  checkBeforeBuildRequest,
  createBuildFromUploadRequest,
  editProjectChrootRequest,
  editProjectChrootsRequest,
  editProjectSettingsRequest,
  mockChrootsRequest,
  getBuildRequest,
  listBuildChrootsRequest,
  listBuildsRequest,
  NEWEST_BUILD_PURPOSE,
  type CoprBuildOptions,
  type CoprRequest,
} from './copr-request.js';
import type { CoprProjectSettings } from './copr-plan.js';
import { GSSAPI_LOGIN_ENDPOINT } from './gssapi-login.js';
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

function shownOne(coprUrl: string, req: CoprRequest, hasCredentials: boolean, login: 'token' | 'gssapi', note?: string): ShownRequest {
  const out: ShownRequest = {
    method: req.method,
    url: coprRequestUrl(coprUrl, req)
      .replace(`/${BUILD_ID_PLACEHOLDER}`, '/{build_id}')
      .replace(`build_id=${BUILD_ID_PLACEHOLDER}`, 'build_id={build_id}'),
    purpose: req.purpose,
    headers: shownHeaders(req, hasCredentials, login),
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
  settings: CoprProjectSettings;
  without: string[];
  login: 'token' | 'gssapi';
  buildOptions: CoprBuildOptions;
  srpmPath: string;
  wait: boolean;
  pollIntervalMs: number;
}

/** Every request a real run would make, in order, built by the same functions the client uses. */
export async function plannedRequests(input: DryRunInput): Promise<ShownRequest[]> {
  const { coprUrl, hasCredentials: creds, owner, project, buildOptions, login } = input;
  const projectFields = { chroots: input.chroots, ...input.settings };
  const upload = await srpmUploadBody(input.srpmPath, owner, project, buildOptions);
  const shown = (c: string, req: CoprRequest, has: boolean, note?: string) => shownOne(c, req, has, login, note);
  const list = [
    login === 'gssapi'
      ? {
          method: 'GET',
          url: `${coprUrl}/api_3/${GSSAPI_LOGIN_ENDPOINT}`,
          purpose: 'GSSAPI (Kerberos) login with curl --negotiate; its session cookie authenticates the rest',
          headers: { authorization: 'Negotiate (from the Kerberos ticket)' },
        }
      : shown(coprUrl, authCheckRequest(), creds),
    shown(coprUrl, mockChrootsRequest(), creds, 'before the SRPM is built'),
    shown(coprUrl, addProjectRequest(owner, project, projectFields), creds),
    shown(
      coprUrl,
      editProjectSettingsRequest(owner, project, input.settings),
      creds,
      'only when the existing project has other values (just those are sent)',
    ),
    shown(
      coprUrl,
      editProjectChrootsRequest(owner, project, input.chroots),
      creds,
      "only when the project lacks a wanted chroot; the list sent is the union of the project's chroots and these",
    ),
    ...input.chroots
      .filter(() => input.without.length)
      .map((c) => shown(coprUrl, editProjectChrootRequest(owner, project, c, { without_opts: input.without }), creds)),
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

/** `--dry-run`: every request a real run would make, printed (credentials redacted); nothing sent. */
export async function runCoprDryRun(
  ctx: SubmitContext,
  plan: CoprPlan,
  configFile: string | undefined,
  settings: CoprSettings,
  wait: boolean,
  redactor: SecretRedactor,
  out: CoprOutput,
): Promise<number> {
  let creds: CoprCredentials | undefined;
  let credsNote = '';
  try {
    creds = await readCoprCredentials(configFile, settings.urlOverride);
    if (creds.auth.kind === 'token') redactor.add(creds.auth.token, creds.auth.login);
  } catch (err) {
    credsNote = `no usable credentials (${(err as Error).message})`;
  }
  const coprUrl = creds?.coprUrl ?? (await readCoprUrl(configFile, settings.urlOverride));
  const owner = plan.owner ?? creds?.username ?? '{your Copr user}';
  const requests = await plannedRequests({
    coprUrl,
    hasCredentials: Boolean(creds),
    login: creds?.auth.kind ?? 'token',
    owner,
    project: plan.project,
    chroots: plan.chroots,
    settings: plan.settings,
    without: plan.without,
    buildOptions: buildOptionsOf(plan),
    srpmPath: ctx.srpmPath,
    wait,
    pollIntervalMs: settings.pollIntervalMs,
  });
  const recorded = plan.owner || creds?.username ? await readSubmitState(submitStatePath(ctx.stateDir, owner, plan.project)) : undefined;
  const resumeNote =
    recorded && !ctx.force && recorded.buildId !== undefined
      ? `${submitStatePath(ctx.stateDir, owner, plan.project)} records build ${recorded.buildId}: a real run resumes watching it when it is of this same SRPM (same sha256), else submits a new build`
      : undefined;
  if (ctx.json) {
    out.result(JSON.stringify({ dryRun: true, coprUrl, credentials: creds ? 'found' : credsNote, resume: resumeNote, requests }, null, 2));
    return 0;
  }
  out.result(`dry run: nothing is sent; kplay submit --copr would make these requests to ${coprUrl}:`);
  if (credsNote) out.result(`note: ${credsNote}`);
  if (resumeNote) out.result(`note: ${resumeNote}`);
  for (const r of requests) out.result(`\n${formatShownRequest(r)}`);
  return 0;
}
