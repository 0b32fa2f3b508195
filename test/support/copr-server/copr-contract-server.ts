import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { buildState, cancel, isFinal, tick, type ChrootScript, type ServerBuild } from './build-machine.js';
import { parseMultipart, type ReceivedPart } from './parse-multipart.js';

/**
 * A local Copr API v3 server that follows the documented contract (shared/reference/copr-api-v3.md):
 * HTTP Basic login:token, project add/edit with chroot rules, check-before-build, the multipart
 * upload layout, builds with a state machine, build and chroot listings, and injectable faults.
 * Binds 127.0.0.1 on an ephemeral port. Test-only.
 */
export interface CoprServerOptions {
  login: string;
  token: string;
  /** The user the token belongs to. */
  user: string;
  /** Chroots the server knows (mock-chroots/list). */
  mockChroots?: string[];
  /** Each poll of build/{id} advances the build one step (default true). */
  autoAdvance?: boolean;
  /**
   * Accept a GSSAPI login on `gssapi_login/`: a request carrying `Authorization: Negotiate <this>`
   * gets the user and a `session` cookie (the frontend's Apache does the SPNEGO part).
   */
  negotiateToken?: string;
  /**
   * The user is a Copr admin. Otherwise project add/edit leaving auto_prune false answers 403
   * "Non-admin cannot disable auto-prunning." (coprs_logic.py CoprsLogic.add/update).
   */
  admin?: boolean;
}

export type FaultKind =
  | { kind: 'status'; status: number; body: 'json' | 'html'; message?: string }
  | { kind: 'slow'; delayMs: number }
  /** Handle the request fully (a build is created), then cut the connection without answering. */
  | { kind: 'cut-after-accept' }
  /** Cut the connection before handling the request. */
  | { kind: 'cut-before' };

export type Fault = FaultKind & {
  method?: string;
  /** Matched against the path below /api_3/ (no query). */
  path: string | RegExp;
  /** How many matching requests it hits (default 1). */
  times?: number;
};

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Whether the Basic credential or a session cookie was present and valid. */
  authorized: boolean;
  /** The session cookie authenticated it (GSSAPI login). */
  bySession?: boolean;
  contentLength?: string;
  transferEncoding?: string;
  contentType?: string;
  json?: unknown;
  parts?: Array<Omit<ReceivedPart, 'data'> & { size: number; text?: string }>;
  status?: number;
  fault?: string;
}

export interface ServerProject {
  id: number;
  owner: string;
  name: string;
  chroots: string[];
  description?: string;
  enable_net?: boolean;
  /** Other project settings, as project/add and project/edit set them. */
  settings: Record<string, unknown>;
  /** chroot → project-chroot settings (without_opts ...). */
  chrootSettings: Map<string, Record<string, unknown>>;
}

/** Copr's defaults for the settings kplay may send (python/copr/v3/proxies/project.py `add`). */
const PROJECT_DEFAULTS: Record<string, unknown> = {
  instructions: '',
  isolation: 'default',
  bootstrap: 'default',
  follow_fedora_branching: true,
  auto_prune: true,
  additional_repos: [],
};
const PROJECT_SETTINGS = [
  'instructions',
  'isolation',
  'bootstrap',
  'follow_fedora_branching',
  'auto_prune',
  'delete_after_days',
  'additional_repos',
];

/** The answer a handler gives by throwing it (an Error, so that only errors are ever thrown). */
class HttpAnswer extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

const DEFAULT_MOCK_CHROOTS = [
  'fedora-rawhide-x86_64',
  'fedora-rawhide-aarch64',
  'fedora-41-x86_64',
  'fedora-41-aarch64',
  'centos-stream-9-x86_64',
  'epel-9-x86_64',
];

export class CoprContractServer {
  readonly requests: RecordedRequest[] = [];
  readonly projects = new Map<string, ServerProject>();
  readonly builds = new Map<number, ServerBuild>();
  /** Outcome per chroot name for new builds (default: succeeded after one running tick). */
  readonly scripts = new Map<string, ChrootScript>();
  /** Outcome of every chroot of a package's builds (by the name in the SRPM file name); wins over `scripts`. */
  readonly packageScripts = new Map<string, ChrootScript>();
  private readonly faults: Fault[] = [];
  /** Session cookies handed out by gssapi_login. */
  private readonly sessions = new Set<string>();
  /** Gzipped builder-live.log per `${buildId}/${chroot}`, served under the result URL. */
  readonly builderLogs = new Map<string, string>();
  private nextBuildId = 1000;
  private nextBatchId = 1;
  /** batch id → the batch it waits for (after_build_id). */
  readonly batchBlockedBy = new Map<number, number | undefined>();
  private nextProjectId = 1;
  private server?: http.Server;
  url = '';

  constructor(readonly options: CoprServerOptions) {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `test server bug: ${String(err)}` }));
        }
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  inject(fault: Fault): void {
    this.faults.push({ times: 1, ...fault });
  }

  /** Add a project as if someone had created it before. */
  addProject(owner: string, name: string, chroots: string[]): ServerProject {
    const p: ServerProject = { id: this.nextProjectId++, owner, name, chroots: [...chroots], settings: {}, chrootSettings: new Map() };
    this.projects.set(`${owner}/${name}`, p);
    return p;
  }

  /** Create a build directly (another user's, or an earlier one), in the given chroot states. */
  addBuild(
    project: ServerProject,
    fields: { submitter?: string; pkgName?: string; pkgVersion?: string; chrootStates: Record<string, string> },
  ): ServerBuild {
    const b: ServerBuild = {
      id: this.nextBuildId++,
      owner: project.owner,
      project: project.name,
      submitter: fields.submitter ?? 'someone-else',
      pkgName: fields.pkgName ?? 'other',
      pkgVersion: fields.pkgVersion ?? '1-1',
      srpmFile: 'other-1-1.src.rpm',
      submittedOn: Math.floor(Date.now() / 1000) - 3600,
      canceled: false,
      sourceState: 'succeeded',
      options: {},
      chroots: Object.entries(fields.chrootStates).map(([name, state]) => ({
        name,
        state,
        script: { outcome: 'succeeded' },
        ticksRunning: 0,
        started_on: null,
        ended_on: null,
      })),
    };
    this.builds.set(b.id, b);
    return b;
  }

  /** Requests that created builds (uploads that reached the handler). */
  uploads(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && r.path === 'build/create/upload' && r.status === 200);
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const i = this.faults.findIndex(
      (f) =>
        (f.method === undefined || f.method === method) &&
        (typeof f.path === 'string' ? f.path === path : f.path.test(path)) &&
        (f.times ?? 1) > 0,
    );
    if (i < 0) return undefined;
    const f = this.faults[i]!;
    f.times = (f.times ?? 1) - 1;
    if (f.times <= 0) this.faults.splice(i, 1);
    return f;
  }

  private authorized(req: http.IncomingMessage): boolean {
    const expected = `Basic ${Buffer.from(`${this.options.login}:${this.options.token}`).toString('base64')}`;
    return req.headers.authorization === expected || this.bySession(req);
  }

  private bySession(req: http.IncomingMessage): boolean {
    const m = /(?:^|;\s*)session=([^;]+)/.exec(req.headers.cookie ?? '');
    return Boolean(m && this.sessions.has(m[1]!));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    if (method === 'GET' && url.pathname.startsWith('/results/')) return this.resultFile(url.pathname, res);
    if (method === 'GET' && /^\/api_3\/gssapi_login\/?$/.test(url.pathname)) return this.gssapiLogin(req, res);
    const rec: RecordedRequest = {
      method,
      path: url.pathname.replace(/^\/api_3\//, ''),
      query: Object.fromEntries(url.searchParams),
      authorized: this.authorized(req),
      bySession: this.bySession(req),
      contentLength: req.headers['content-length'],
      transferEncoding: req.headers['transfer-encoding'],
      contentType: req.headers['content-type'],
    };
    this.requests.push(rec);
    if (rec.contentType?.startsWith('application/json') && body.length) {
      try {
        rec.json = JSON.parse(body.toString('utf8'));
      } catch {
        rec.json = '(not JSON)';
      }
    }
    let parts: ReceivedPart[] | undefined;
    if (rec.contentType?.startsWith('multipart/form-data')) {
      parts = parseMultipart(body, rec.contentType);
      rec.parts = parts?.map(({ data, ...p }) => ({
        ...p,
        size: data.length,
        ...(p.name === 'json' ? { text: data.toString('utf8') } : {}),
      }));
    }

    const fault = this.takeFault(method, rec.path);
    if (fault) rec.fault = fault.kind;
    if (fault?.kind === 'cut-before') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'slow') await sleep(fault.delayMs);
    if (fault?.kind === 'status') {
      rec.status = fault.status;
      if (res.destroyed) return;
      if (fault.body === 'html') {
        res.writeHead(fault.status, { 'content-type': 'text/html' });
        res.end(
          `<html><head><title>${fault.status} Proxy Error</title></head><body><h1>Proxy Error</h1><p>The proxy server could not handle the request</p></body></html>`,
        );
      } else {
        res.writeHead(fault.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: fault.message ?? `injected error ${fault.status}` }));
      }
      return;
    }

    let answer: HttpAnswer;
    try {
      answer = new HttpAnswer(200, this.route(method, rec, body, parts));
    } catch (err) {
      if (!(err instanceof HttpAnswer)) throw err;
      answer = err;
    }
    rec.status = answer.status;
    if (fault?.kind === 'cut-after-accept') {
      req.socket.destroy();
      return;
    }
    if (res.destroyed) return;
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  }

  private requireAuth(rec: RecordedRequest): void {
    if (!rec.authorized) {
      throw new HttpAnswer(401, {
        output: 'notok',
        error: `Login invalid/expired. Please visit ${this.url}/api to get or renew your API token.`,
      });
    }
  }

  private route(method: string, rec: RecordedRequest, _body: Buffer, parts: ReceivedPart[] | undefined): unknown {
    const p = rec.path;
    const q = rec.query;
    let m: RegExpExecArray | null;
    if (method === 'GET' && p === 'auth-check') {
      this.requireAuth(rec);
      return { id: 1, name: this.options.user };
    }
    if (method === 'GET' && p === 'mock-chroots/list') {
      return Object.fromEntries(this.mockChroots().map((c) => [c, '']));
    }
    if (method === 'GET' && p === 'project') {
      return this.projectDict(this.project(q.ownername ?? '', q.projectname ?? ''));
    }
    if (method === 'POST' && (m = /^project\/add\/([^/]+)$/.exec(p))) {
      this.requireAuth(rec);
      return this.addProjectRoute(decodeURIComponent(m[1]!), rec);
    }
    if (method === 'PUT' && (m = /^project\/edit\/([^/]+)\/([^/]+)$/.exec(p))) {
      this.requireAuth(rec);
      return this.editProjectRoute(this.project(decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)), rec);
    }
    if (method === 'POST' && p === 'build/check-before-build') {
      this.requireAuth(rec);
      this.validateBuild(rec.json as Record<string, unknown>);
      return { message: 'It should be safe to submit a build like this' };
    }
    if (method === 'POST' && p === 'build/create/upload') {
      this.requireAuth(rec);
      return this.uploadRoute(rec, parts);
    }
    if (method === 'GET' && (m = /^build\/(\d+)$/.exec(p))) {
      const b = this.build(Number(m[1]));
      if (this.options.autoAdvance !== false && !this.blocked(b)) tick(b);
      return this.buildDict(b);
    }
    if (method === 'GET' && p === 'build/list') {
      return this.listBuildsRoute(q);
    }
    if (method === 'GET' && p === 'build-chroot/list') {
      const b = this.build(Number(q.build_id));
      return {
        items: b.chroots.map((c) => ({
          name: c.name,
          state: c.state,
          started_on: c.started_on,
          ended_on: c.ended_on,
          result_url: this.resultUrl(b, c.name),
        })),
        meta: { limit: null, offset: 0 },
      };
    }
    if (method === 'PUT' && (m = /^build\/cancel\/(\d+)$/.exec(p))) {
      this.requireAuth(rec);
      const b = this.build(Number(m[1]));
      if (isFinal(buildState(b))) throw new HttpAnswer(409, { error: `Cannot cancel build ${b.id}` });
      cancel(b);
      return this.buildDict(b);
    }
    if (method === 'PUT' && (m = /^project-chroot\/edit\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(p))) {
      this.requireAuth(rec);
      const project = this.project(decodeURIComponent(m[1]!), decodeURIComponent(m[2]!));
      const chroot = decodeURIComponent(m[3]!);
      // apiv3_project_chroots.py EditChroot: ComplexLogic.get_copr_chroot fails for a chroot not in the project
      if (!project.chroots.includes(chroot))
        throw new HttpAnswer(404, { error: `Chroot ${chroot} does not exist in ${project.owner}/${project.name}` });
      const data = (rec.json ?? {}) as Record<string, unknown>;
      const settings = { ...(project.chrootSettings.get(chroot) ?? {}) };
      for (const k of ['without_opts', 'with_opts', 'additional_packages', 'additional_repos']) {
        if (data[k] === undefined) continue;
        if (!Array.isArray(data[k])) throw new HttpAnswer(400, { error: `Invalid request: ${k} must be a list` });
        settings[k] = data[k];
      }
      project.chrootSettings.set(chroot, settings);
      return { mock_chroot: chroot, ...settings };
    }
    throw new HttpAnswer(404, { error: `no such endpoint: ${method} /api_3/${p}` });
  }

  /**
   * `GET /api_3/gssapi_login/`: Apache answers 401 `WWW-Authenticate: Negotiate` until the client
   * sends a SPNEGO token; then the frontend returns the user and sets the `session` cookie
   * (frontend/coprs_frontend/coprs/views/apiv3_ns/apiv3_general.py GSSAPILogin).
   */
  private gssapiLogin(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.requests.push({
      method: 'GET',
      path: 'gssapi_login/',
      query: {},
      authorized: false,
      contentType: req.headers.authorization?.split(' ')[0],
    });
    const token = /^Negotiate (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !this.options.negotiateToken) {
      res
        .writeHead(401, { 'www-authenticate': 'Negotiate', 'content-type': 'text/html' })
        .end('<html><head><title>401 Unauthorized</title></head></html>');
      return;
    }
    if (token !== this.options.negotiateToken) {
      res
        .writeHead(403, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: "Can't log-in using GSSAPI: Kerberos authentication failed (no credentials provided)" }));
      return;
    }
    const session = `sess-${Math.random().toString(36).slice(2)}${Date.now()}`;
    this.sessions.add(session);
    res
      .writeHead(200, { 'content-type': 'application/json', 'set-cookie': `session=${session}; HttpOnly; Path=/` })
      .end(JSON.stringify({ id: 1, name: this.options.user }));
  }

  /** Result folders: `builder-live.log.gz` of a chroot whose log was set in builderLogs. */
  private resultFile(pathname: string, res: http.ServerResponse): void {
    const m = /^\/results\/[^/]+\/[^/]+\/([^/]+)\/0*(\d+)-[^/]+\/builder-live\.log\.gz$/.exec(pathname);
    const log = m ? this.builderLogs.get(`${m[2]}/${m[1]}`) : undefined;
    if (log === undefined) {
      res.writeHead(404, { 'content-type': 'text/html' }).end('<html><title>404 Not Found</title></html>');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/gzip' }).end(gzipSync(Buffer.from(log)));
  }

  private mockChroots(): string[] {
    return this.options.mockChroots ?? DEFAULT_MOCK_CHROOTS;
  }

  private project(owner: string, name: string): ServerProject {
    const project = this.projects.get(`${owner}/${name}`);
    if (!project) throw new HttpAnswer(404, { error: `Project ${owner}/${name} does not exist.` });
    return project;
  }

  private build(id: number): ServerBuild {
    const b = this.builds.get(id);
    if (!b) throw new HttpAnswer(404, { error: `Build ${id} does not exist.` });
    return b;
  }

  private checkChroots(chroots: unknown): string[] {
    if (chroots === undefined) return [];
    if (!Array.isArray(chroots)) throw new HttpAnswer(400, { error: 'chroots must be a list' });
    const unexpected = chroots.filter((c) => !this.mockChroots().includes(String(c)));
    if (unexpected.length) throw new HttpAnswer(400, { error: `Unexpected chroot: ${unexpected.join(', ')}` });
    return chroots.map(String);
  }

  private addProjectRoute(owner: string, rec: RecordedRequest): unknown {
    if (owner !== this.options.user && !owner.startsWith('@')) throw new HttpAnswer(404, { error: `No such user \`${owner}'` });
    const data = (rec.json ?? {}) as Record<string, unknown>;
    const name = typeof data.name === 'string' ? data.name : '';
    if (!name) throw new HttpAnswer(400, { error: 'Invalid request: name: This field is required.' });
    const chroots = this.checkChroots(data.chroots);
    const existing = this.projects.get(`${owner}/${name}`);
    if (existing) {
      if (rec.query.exist_ok === 'True') return this.projectDict(existing);
      throw new HttpAnswer(400, { error: `You already have a project named '${name}'.` });
    }
    if (data.auto_prune === false && !this.options.admin) throw new HttpAnswer(403, { error: 'Non-admin cannot disable auto-prunning.' });
    const p = this.addProject(owner, name, chroots);
    p.description = typeof data.description === 'string' ? data.description : undefined;
    p.enable_net = typeof data.enable_net === 'boolean' ? data.enable_net : undefined;
    this.applySettings(p, data);
    return this.projectDict(p);
  }

  /** Settings of project/add and project/edit, checked like the frontend's forms. */
  private applySettings(p: ServerProject, data: Record<string, unknown>): void {
    if (data.isolation !== undefined && !['default', 'simple', 'nspawn'].includes(data.isolation as string))
      throw new HttpAnswer(400, { error: `Invalid request: isolation: Not a valid choice` });
    if (data.bootstrap !== undefined && !['default', 'on', 'off', 'image'].includes(data.bootstrap as string))
      throw new HttpAnswer(400, { error: `Invalid request: bootstrap: Not a valid choice` });
    if (
      data.delete_after_days !== undefined &&
      (typeof data.delete_after_days !== 'number' || data.delete_after_days < -1 || data.delete_after_days > 720)
    ) {
      throw new HttpAnswer(400, { error: 'Invalid request: delete_after_days: Number must be between -1 and 720.' });
    }
    for (const k of PROJECT_SETTINGS) if (data[k] !== undefined) p.settings[k] = data[k];
    if (typeof data.description === 'string') p.description = data.description;
    if (typeof data.enable_net === 'boolean') p.enable_net = data.enable_net;
  }

  private editProjectRoute(project: ServerProject, rec: RecordedRequest): unknown {
    const data = (rec.json ?? {}) as Record<string, unknown>;
    // CoprsLogic.update: the project as edited must keep auto_prune unless the user is an admin
    const autoPrune = data.auto_prune ?? project.settings.auto_prune ?? true;
    if (autoPrune === false && !this.options.admin) throw new HttpAnswer(403, { error: 'Non-admin cannot disable auto-prunning.' });
    this.applySettings(project, data);
    if (data.chroots !== undefined) {
      const chroots = this.checkChroots(data.chroots);
      // the list REPLACES the project's: a dropped chroot with builds in progress is refused
      const dropped = project.chroots.filter((c) => !chroots.includes(c));
      const busy = [...this.builds.values()].filter(
        (b) =>
          b.owner === project.owner && b.project === project.name && b.chroots.some((c) => dropped.includes(c.name) && !isFinal(c.state)),
      );
      if (busy.length) {
        throw new HttpAnswer(409, {
          error: `Can't drop chroot from project, related build(s) ${busy.map((b) => b.id).join(', ')} still in progress`,
        });
      }
      project.chroots = chroots;
    }
    return this.projectDict(project);
  }

  private validateBuild(data: Record<string, unknown> | undefined): ServerProject {
    if (!data || typeof data.ownername !== 'string' || typeof data.projectname !== 'string') {
      throw new HttpAnswer(400, { error: 'Bad request parameters: ownername and projectname are required' });
    }
    const project = this.project(data.ownername, data.projectname);
    const chroots = this.checkChroots(data.chroots);
    const notInProject = chroots.filter((c) => !project.chroots.includes(c));
    if (notInProject.length)
      throw new HttpAnswer(400, { error: `Bad request parameters: {'chroots': ['Not a valid choice: ${notInProject.join(', ')}']}` });
    // frontend forms.py: NumberRange(min=0, max=MAX_BUILD_TIMEOUT), config.py MAX_BUILD_TIMEOUT = 108000
    if (data.timeout !== undefined && (typeof data.timeout !== 'number' || data.timeout < 0 || data.timeout > 108000)) {
      throw new HttpAnswer(400, { error: "Bad request parameters: {'timeout': ['Number must be between 0 and 108000.']}" });
    }
    return project;
  }

  private uploadRoute(rec: RecordedRequest, parts: ReceivedPart[] | undefined): unknown {
    if (rec.transferEncoding?.includes('chunked') || rec.contentLength === undefined) {
      throw new HttpAnswer(411, { error: 'Length Required: send the upload with a Content-Length' });
    }
    if (!parts) throw new HttpAnswer(400, { error: 'Bad request parameters: not a multipart/form-data body' });
    // a `json` part that is not a FILE part is ignored, as by Copr
    const jsonPart = parts.find((x) => x.name === 'json' && x.filename !== undefined);
    const data = jsonPart ? (JSON.parse(jsonPart.data.toString('utf8')) as Record<string, unknown>) : undefined;
    const project = this.validateBuild(data);
    const pkgs = parts.find((x) => x.name === 'pkgs' && x.filename);
    if (!pkgs || !/\.(?:src\.rpm|nosrc\.rpm|spec)$/.test(pkgs.filename!)) {
      throw new HttpAnswer(400, { error: "Bad request parameters: {'pkgs': ['This field is required.']}" });
    }
    const batch = this.setupBatch(data!);
    const m = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(pkgs.filename!);
    const wanted = (data!.chroots as string[] | undefined) ?? project.chroots;
    const b: ServerBuild = {
      id: this.nextBuildId++,
      owner: project.owner,
      project: project.name,
      submitter: this.options.user,
      pkgName: m?.[1] ?? pkgs.filename!,
      pkgVersion: m ? `${m[2]}-${m[3]}` : '',
      srpmFile: pkgs.filename!,
      submittedOn: Math.floor(Date.now() / 1000),
      canceled: false,
      sourceState: 'importing',
      options: data!,
      ...(batch !== undefined ? { batch } : {}),
      chroots: wanted.map((name) => ({
        name,
        state: 'waiting',
        script: this.packageScripts.get(m?.[1] ?? '') ?? this.scripts.get(name) ?? { outcome: 'succeeded' },
        ticksRunning: 0,
        started_on: null,
        ended_on: null,
      })),
    };
    this.builds.set(b.id, b);
    return this.buildDict(b);
  }

  /** Every build of a batch has finished. */
  private batchFinished(batch: number): boolean {
    return [...this.builds.values()].filter((b) => b.batch === batch).every((b) => isFinal(buildState(b)));
  }

  /** A build of a batch that waits for another batch to finish does not move. */
  private blocked(b: ServerBuild): boolean {
    const after = b.batch !== undefined ? this.batchBlockedBy.get(b.batch) : undefined;
    return after !== undefined && !this.batchFinished(after);
  }

  /**
   * builds_logic.py setup_batch and models.py batching_user_error: with_build_id joins that
   * build's batch (made for it when it has none, unless it has finished), after_build_id makes a
   * new batch blocked by that build's batch; both at once is refused.
   */
  private setupBatch(data: Record<string, unknown>): number | undefined {
    const withId = data.with_build_id as number | undefined;
    const afterId = data.after_build_id as number | undefined;
    if (withId !== undefined && afterId !== undefined)
      throw new HttpAnswer(400, { error: 'You may either build after build ID, or with build id, not both.' });
    const batchOf = (id: number, modify: boolean): number => {
      const ref = this.builds.get(id);
      if (!ref) throw new HttpAnswer(400, { error: `Build ${id} doesn't exist` });
      if (ref.batch !== undefined) {
        if (modify && this.batchFinished(ref.batch)) throw new HttpAnswer(400, { error: `Batch ${ref.batch} is already finished` });
        return ref.batch;
      }
      if (isFinal(buildState(ref))) {
        throw new HttpAnswer(400, {
          error: `Build ${id} is not yet in any batch, and new batch can not be created because the build has already finished`,
        });
      }
      ref.batch = this.nextBatchId++;
      this.batchBlockedBy.set(ref.batch, undefined);
      return ref.batch;
    };
    if (withId !== undefined) return batchOf(withId, true);
    if (afterId !== undefined) {
      const old = batchOf(afterId, false);
      const batch = this.nextBatchId++;
      this.batchBlockedBy.set(batch, old);
      return batch;
    }
    return undefined;
  }

  private listBuildsRoute(q: Record<string, string>): unknown {
    const project = this.project(q.ownername ?? '', q.projectname ?? '');
    let builds = [...this.builds.values()].filter((b) => b.owner === project.owner && b.project === project.name);
    if (q.packagename) builds = builds.filter((b) => b.sourceState !== 'importing' && b.pkgName === q.packagename);
    if (q.status) builds = builds.filter((b) => buildState(b) === q.status);
    builds.sort((a, b) => (q.order_type === 'DESC' ? b.id - a.id : a.id - b.id));
    const offset = Number(q.offset ?? 0);
    const limit = q.limit ? Number(q.limit) : builds.length;
    return {
      items: builds.slice(offset, offset + limit).map((b) => this.buildDict(b)),
      meta: { limit: q.limit ?? null, offset, order: q.order ?? 'id', order_type: q.order_type ?? 'ASC' },
    };
  }

  private resultUrl(b: ServerBuild, chroot: string): string {
    return `${this.url}/results/${b.owner}/${b.project}/${chroot}/${String(b.id).padStart(8, '0')}-${b.pkgName}/`;
  }

  private projectDict(p: ServerProject): unknown {
    return {
      id: p.id,
      name: p.name,
      ownername: p.owner,
      full_name: `${p.owner}/${p.name}`,
      description: p.description ?? '',
      enable_net: p.enable_net ?? false,
      ...Object.fromEntries(Object.entries(PROJECT_DEFAULTS).map(([k, v]) => [k, p.settings[k] ?? v])),
      chroot_repos: Object.fromEntries(p.chroots.map((c) => [c, `${this.url}/results/${p.owner}/${p.name}/${c}/`])),
    };
  }

  private buildDict(b: ServerBuild): unknown {
    const imported = b.sourceState !== 'importing';
    return {
      id: b.id,
      state: buildState(b),
      ownername: b.owner,
      projectname: b.project,
      repo_url: `${this.url}/results/${b.owner}/${b.project}`,
      // the package is known only once the SRPM is imported
      source_package: { name: imported ? b.pkgName : null, version: imported ? b.pkgVersion : null, url: null },
      submitted_on: b.submittedOn,
      started_on:
        Math.min(...b.chroots.map((c) => c.started_on ?? Infinity)) === Infinity
          ? null
          : Math.min(...b.chroots.map((c) => c.started_on ?? Infinity)),
      ended_on: b.chroots.every((c) => c.ended_on) && b.chroots.length ? Math.max(...b.chroots.map((c) => c.ended_on!)) : null,
      submitter: b.submitter,
      chroots: b.chroots.map((c) => c.name),
    };
  }
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startCoprServer(options: CoprServerOptions): Promise<CoprContractServer> {
  return new CoprContractServer(options).start();
}
