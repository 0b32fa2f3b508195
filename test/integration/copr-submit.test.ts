import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cancel } from '../support/copr-server/build-machine.js';
import { startCoprServer, type CoprContractServer } from '../support/copr-server/copr-contract-server.js';
import { buildHelloSrpm, makeCoprHome } from '../support/copr-server/kplay-cli.js';
import { runKplay, type KplayRun } from '../support/run-kplay.js';
import { whileRunning } from '../support/while-running.js';

// A login with `=` in it (as Copr's are) and a token that must never be shown anywhere.
const LOGIN = 'kplaybot=login==';
const TOKEN = 'tkn-9f3b1c7e5a2d4b6c8e0f1a3b5c7d9e1f';
const BASIC = Buffer.from(`${LOGIN}:${TOKEN}`).toString('base64');
const USER = 'kplaybot';
const RAWHIDE = 'fedora-rawhide-x86_64';
const ARM = 'fedora-rawhide-aarch64';

describe('kplay submit --copr against the contract server', () => {
  let work: string;
  let srpm: string;
  let server: CoprContractServer;
  let home: string;
  let out: string;
  const everyOutput: string[] = [];

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'kplay-copr-e2e-'));
    srpm = await buildHelloSrpm(path.join(work, 'srpm'));
  });
  afterAll(async () => {
    // the token appears in no output of any run, in no form
    const all = everyOutput.join('\n');
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain(BASIC);
    await rm(work, { recursive: true, force: true });
  });
  beforeEach(async () => {
    server = await startCoprServer({ login: LOGIN, token: TOKEN, user: USER });
    home = await makeCoprHome(server.url, LOGIN, TOKEN, USER);
    out = await mkdtemp(path.join(work, 'out-'));
  });
  afterEach(async () => {
    await server.stop();
    // nor in any file the run left behind
    for (const f of await readdir(out)) {
      const text = await readFile(path.join(out, f), 'utf8');
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(BASIC);
    }
    await rm(home, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string> = {}) => ({
    HOME: home,
    KPLAY_POLL_INTERVAL_MS: '5',
    KPLAY_RETRY_BASE_MS: '5',
    KPLAY_COPR_RETRIES: '3',
    ...extra,
  });

  async function submit(args: string[], extra: Record<string, string> = {}): Promise<KplayRun> {
    const run = await runKplay(['submit', '--srpm', srpm, '--out', out, ...args], { env: env(extra), cleanEnv: true, timeout: 60_000 });
    everyOutput.push(run.stdout, run.stderr);
    return run;
  }

  const standard = ['--copr', `${USER}/kernel-playground`, '--chroot', RAWHIDE, '--chroot', ARM, '--wait'];

  it('creates the project, uploads with the exact multipart layout, watches two chroots to success, exits 0', async () => {
    const run = await submit(standard);
    expect(run.exitCode, run.stderr).toBe(0);

    // project created with both chroots
    expect(server.projects.get(`${USER}/kernel-playground`)?.chroots).toEqual([RAWHIDE, ARM]);
    const add = server.requests.find((r) => r.path === `project/add/${USER}`)!;
    expect(add.query.exist_ok).toBe('True');
    expect(add.authorized).toBe(true);

    // exactly one upload, with the layout Copr requires
    const uploads = server.uploads();
    expect(uploads).toHaveLength(1);
    const up = uploads[0]!;
    expect(up.transferEncoding).toBeUndefined();
    expect(Number(up.contentLength)).toBeGreaterThan((await stat(srpm)).size);
    expect(up.parts?.map((p) => [p.name, p.filename, p.contentType])).toEqual([
      ['pkgs', path.basename(srpm), 'application/x-rpm'],
      ['json', 'json', 'application/json'],
    ]);
    expect(up.parts![0]!.size).toBe((await stat(srpm)).size);
    expect(JSON.parse(up.parts![1]!.text!)).toEqual({
      ownername: USER,
      projectname: 'kernel-playground',
      chroots: [RAWHIDE, ARM],
      timeout: 108000,
      enable_net: false, // explicit: an existing project with network on must not give this build network
    });
    // the chroot names were checked against the instance's list before anything else
    expect(server.requests[0]!.path).toBe('mock-chroots/list');
    const add2 = server.requests.find((r) => r.path === `project/add/${USER}`)!;
    // enable_net is the build's (above); the project's is left to the variant (none here: Copr's default, off)
    expect('enable_net' in (add2.json as Record<string, unknown>)).toBe(false);
    expect(server.projects.get(`${USER}/kernel-playground`)!.enable_net ?? false).toBe(false);
    // check-before-build came before the upload
    const order = server.requests.map((r) => r.path);
    expect(order.indexOf('build/check-before-build')).toBeLessThan(order.indexOf('build/create/upload'));

    const build = [...server.builds.values()][0]!;
    expect(build.chroots.map((c) => c.state)).toEqual(['succeeded', 'succeeded']);
    expect(run.stdout).toContain(`${server.url}/coprs/build/${build.id}`);
    expect(run.stdout).toContain(`${server.url}/results/${USER}/kernel-playground/${RAWHIDE}/`);
    expect(run.stderr).toMatch(new RegExp(`chroot ${ARM} running -> succeeded`));
    const state = JSON.parse(await readFile(path.join(out, `copr-build.${USER}.kernel-playground.json`), 'utf8')) as unknown;
    expect(state).toMatchObject({ phase: 'submitted', buildId: build.id });
  });

  it('exits non-zero naming the failed chroot and its result URL, even while the other still runs at first', async () => {
    server.scripts.set(ARM, { outcome: 'failed', runningTicks: 1 });
    server.scripts.set(RAWHIDE, { outcome: 'succeeded', runningTicks: 4 });
    const run = await submit(standard);
    expect(run.exitCode).toBe(1);
    const build = [...server.builds.values()][0]!;
    const armUrl = `${server.url}/results/${USER}/kernel-playground/${ARM}/${String(build.id).padStart(8, '0')}-kplay-hello/`;
    expect(run.stderr).toContain(`kplay: error E_COPR_BUILD_FAILED: build ${build.id}: chroot ${ARM} failed`);
    expect(run.stderr).toContain(`hint: results: ${armUrl}`);
    // the build read "running" while one chroot had failed and the other ran; watching went on
    expect(run.stderr).toMatch(new RegExp(`chroot ${ARM} running -> failed`));
    expect(run.stderr).toMatch(new RegExp(`chroot ${RAWHIDE} running -> succeeded`));
    expect(run.stderr.indexOf(`build ${build.id}: running -> failed`)).toBeGreaterThan(run.stderr.indexOf(`${ARM} running -> failed`));
  });

  it('resumes watching the recorded build on a second run; --force creates a new one', async () => {
    expect((await submit(standard)).exitCode).toBe(0);
    const again = await submit(standard);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toMatch(/resuming build \d+/);
    expect(server.uploads()).toHaveLength(1);
    const dry = await submit([...standard, '--dry-run']);
    expect(dry.stdout).toMatch(/records build \d+: a real run resumes watching it when it is of this same SRPM/);
    const forced = await submit([...standard, '--force']);
    expect(forced.exitCode).toBe(0);
    expect(server.uploads()).toHaveLength(2);
  });

  it('enables a new chroot with the UNION, so a chroot with a running build is not dropped (no 409)', async () => {
    const project = server.addProject(USER, 'kernel-playground', ['fedora-41-x86_64']);
    server.addBuild(project, { chrootStates: { 'fedora-41-x86_64': 'running' } });
    const run = await submit(['--copr', `${USER}/kernel-playground`, '--chroot', RAWHIDE, '--wait']);
    expect(run.exitCode, run.stderr).toBe(0);
    const edit = server.requests.find((r) => r.method === 'PUT' && r.path === `project/edit/${USER}/kernel-playground`)!;
    expect(edit.json).toEqual({ chroots: ['fedora-41-x86_64', RAWHIDE] });
    expect(project.chroots).toEqual(['fedora-41-x86_64', RAWHIDE]);
  });

  it('does not edit the project when it has every wanted chroot', async () => {
    server.addProject(USER, 'kernel-playground', [RAWHIDE, ARM, 'epel-9-x86_64']);
    expect((await submit(standard)).exitCode).toBe(0);
    expect(server.requests.some((r) => r.path.startsWith('project/edit'))).toBe(false);
  });

  it('401: tells the user to renew the token at {copr_url}/api, exits 2, sends no build', async () => {
    await rm(home, { recursive: true, force: true });
    home = await makeCoprHome(server.url, LOGIN, `${TOKEN}-expired`, USER);
    const run = await submit(standard);
    everyOutput.push(run.stdout, run.stderr);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`get a new one at ${server.url}/api`);
    expect(run.stderr).toContain(path.join(home, '.config', 'copr'));
    expect(run.stderr).not.toContain(`${TOKEN}-expired`);
    expect(server.uploads()).toHaveLength(0);
  });

  it('5xx with an HTML body: retried when idempotent, else a readable error instead of a JSON crash', async () => {
    server.inject({ method: 'GET', path: /^build\/\d+$/, kind: 'status', status: 502, body: 'html', times: 2 });
    server.inject({
      method: 'POST',
      path: 'build/check-before-build',
      kind: 'status',
      status: 500,
      body: 'json',
      message: 'database hiccup',
    });
    const ok = await submit(standard);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(server.requests.filter((r) => r.path === 'build/check-before-build')).toHaveLength(2);

    server.inject({ method: 'GET', path: 'auth-check', kind: 'status', status: 504, body: 'html', times: 10 });
    const bad = await submit([...standard, '--force']);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/HTTP 504 .*an HTML page instead of JSON: "504 Proxy Error – Proxy Error"/);
    expect(bad.stderr).not.toMatch(/SyntaxError|Unexpected token|internal error/);
    expect(server.requests.filter((r) => r.path === 'auth-check' && r.fault)).toHaveLength(4); // 1 + 3 retries
  });

  it('403, 404 and 409 answers become readable errors naming the request', async () => {
    server.inject({
      method: 'POST',
      path: /^project\/add\//,
      kind: 'status',
      status: 403,
      body: 'json',
      message: 'You do not have permission to create projects for @kernel',
    });
    const forbidden = await submit(['--copr', '@kernel/playground', '--chroot', RAWHIDE, '--wait']);
    expect(forbidden.exitCode).toBe(1);
    expect(forbidden.stderr).toContain(`POST ${server.url}/api_3/project/add/@kernel?exist_ok=True: HTTP 403`);
    expect(forbidden.stderr).toContain('You do not have permission to create projects for @kernel');

    const missing = await submit(['--copr', 'nobody/playground', '--chroot', RAWHIDE, '--wait']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain("HTTP 404 Not Found: No such user `nobody'");

    server.addProject(USER, 'busy', ['fedora-41-x86_64']);
    server.inject({
      method: 'PUT',
      path: `project/edit/${USER}/busy`,
      kind: 'status',
      status: 409,
      body: 'json',
      message: "Can't drop chroot from project, related build(s) 7 still in progress",
    });
    const conflict = await submit(['--copr', `${USER}/busy`, '--chroot', RAWHIDE, '--wait']);
    expect(conflict.exitCode).toBe(1);
    expect(conflict.stderr).toContain("HTTP 409 Conflict: Can't drop chroot from project");
    expect(server.uploads()).toHaveLength(0);
  });

  it('a refused upload leaves no state behind, so the next run uploads again', async () => {
    server.inject({
      method: 'POST',
      path: 'build/create/upload',
      kind: 'status',
      status: 400,
      body: 'json',
      message: 'Bad request parameters',
    });
    const refused = await submit(standard);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('HTTP 400 Bad Request: Bad request parameters');
    expect(await readdir(out)).toEqual([]);
    expect((await submit(standard)).exitCode).toBe(0);
    expect(server.uploads()).toHaveLength(1);
  });

  it('a slow answer times out and the idempotent request is sent again', async () => {
    server.inject({ method: 'GET', path: 'build-chroot/list', kind: 'slow', delayMs: 4000 });
    const run = await submit(standard, { KPLAY_HTTP_TIMEOUT_MS: '1500' });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(server.requests.filter((r) => r.fault === 'slow')).toHaveLength(1);
  });

  it('connection cut after the upload was accepted: finds the build instead of uploading again', async () => {
    server.inject({ method: 'POST', path: 'build/create/upload', kind: 'cut-after-accept' });
    const run = await submit(standard);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/Copr may or may not have created the build; looking for the build/);
    expect(server.builds.size).toBe(1);
    expect(server.requests.filter((r) => r.path === 'build/create/upload')).toHaveLength(1);
  });

  it('connection cut after upload and Copr unreachable for the search: re-running does not create a second build', async () => {
    const other = server.addProject(USER, 'kernel-playground', [RAWHIDE, ARM]);
    server.addBuild(other, { submitter: USER, pkgName: 'kplay-hello', pkgVersion: '1.0-1', chrootStates: { [RAWHIDE]: 'succeeded' } }); // an older build of the same package
    server.inject({ method: 'POST', path: 'build/create/upload', kind: 'cut-after-accept' });
    // the single build/list before the upload works; every search after it fails
    server.inject({ method: 'GET', path: 'build/list', kind: 'slow', delayMs: 0 });
    server.inject({ method: 'GET', path: 'build/list', kind: 'status', status: 502, body: 'html', times: 1000 });
    const first = await submit(standard);
    expect(first.exitCode).toBe(1);
    expect(first.stderr).toContain('run the same command again');
    const state = JSON.parse(await readFile(path.join(out, `copr-build.${USER}.kernel-playground.json`), 'utf8')) as { phase: string };
    expect(state.phase).toBe('uploading');

    server.requests.length = 0;
    (server as unknown as { faults: unknown[] }).faults.length = 0;
    const second = await submit(standard);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(server.requests.some((r) => r.path === 'build/create/upload')).toBe(false);
    expect(server.builds.size).toBe(2); // the older one and the one the cut upload created
    const created = Math.max(...server.builds.keys());
    expect(second.stderr).toContain(`found build ${created}`);
  });

  it('--dry-run prints every request and sends nothing, without the token', async () => {
    const run = await submit([...standard, '--dry-run']);
    expect(run.exitCode).toBe(0);
    expect(server.requests).toHaveLength(0);
    for (const line of [
      `GET ${server.url}/api_3/auth-check`,
      `POST ${server.url}/api_3/project/add/${USER}?exist_ok=True`,
      `PUT ${server.url}/api_3/project/edit/${USER}/kernel-playground`,
      `POST ${server.url}/api_3/build/check-before-build`,
      `POST ${server.url}/api_3/build/create/upload`,
      'part name="pkgs" filename="kplay-hello-1.0-1.src.rpm" content-type=application/x-rpm',
      'part name="json" filename="json" content-type=application/json',
      `GET ${server.url}/api_3/build/{build_id}`,
      `GET ${server.url}/api_3/build-chroot/list?build_id={build_id}`,
      'authorization: Basic <redacted>',
    ]) {
      expect(run.stdout).toContain(line);
    }
  });

  it('KPLAY_DEBUG logs every request, redacted; --json prints the result; KPLAY_COPR_URL overrides the file', async () => {
    await rm(home, { recursive: true, force: true });
    home = await makeCoprHome('http://127.0.0.1:9', LOGIN, TOKEN, USER); // a dead URL in the file
    const run = await submit([...standard, '--json'], { KPLAY_DEBUG: '1', KPLAY_COPR_URL: server.url });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain(`copr: → POST ${server.url}/api_3/build/create/upload`);
    expect(run.stderr).toContain('"authorization":"Basic <redacted>"');
    const result = JSON.parse(run.stdout) as { chroots: Array<{ name: string }> };
    expect(result).toMatchObject({ backend: 'copr', ok: true, state: 'succeeded', project: 'kernel-playground' });
    expect(result.chroots.map((c) => c.name)).toEqual([ARM, RAWHIDE]);
  });

  it('--no-wait returns after submitting; the next run watches the same build', async () => {
    const first = await submit(['--copr', `${USER}/kernel-playground`, '--chroot', RAWHIDE, '--no-wait']);
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toMatch(/not waiting/);
    expect(server.requests.some((r) => /^build\/\d+$/.test(r.path))).toBe(false);
    const second = await submit(['--copr', `${USER}/kernel-playground`, '--chroot', RAWHIDE, '--wait']);
    expect(second.exitCode).toBe(0);
    expect(server.uploads()).toHaveLength(1);
  });

  it('watching is bounded: a build that never ends stops the watch with a way to resume', async () => {
    server.scripts.set(RAWHIDE, { outcome: 'succeeded', runningTicks: 1_000_000 });
    const run = await submit(['--copr', `${USER}/kernel-playground`, '--chroot', RAWHIDE, '--wait'], {
      KPLAY_WATCH_MAX_MS: '300',
      KPLAY_POLL_INTERVAL_MS: '20',
    });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(
      /error E_COPR_WATCH_STOPPED: stopped watching after 0 s; build \d+ goes on at .*\n {2}hint: run the same command again to resume watching/,
    );
  });

  it('a canceled build ends the watch with a non-zero exit naming the canceled chroots', async () => {
    server.scripts.set(RAWHIDE, { outcome: 'succeeded', runningTicks: 1_000_000 });
    const running = submit(['--copr', `${USER}/kernel-playground`, '--chroot', RAWHIDE, '--wait'], { KPLAY_POLL_INTERVAL_MS: '20' });
    const isRunning = () => [...server.builds.values()].some((b) => b.chroots[0]?.state === 'running');
    expect(await whileRunning(running, isRunning), 'kplay ended before the build ran').toBe(true);
    cancel([...server.builds.values()][0]!);
    const run = await running;
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/error E_COPR_BUILD_CANCELED: build \d+ was canceled/);
  });

  it('usage errors exit 2 with a clear message', async () => {
    const noChroot = await submit(['--copr', `${USER}/kernel-playground`]);
    expect(noChroot.exitCode).toBe(2);
    expect(noChroot.stderr).toContain('name at least one chroot');
    // the frontend's MAX_BUILD_TIMEOUT is 108000: refused before anything is built or sent
    const tooLong = await submit([...standard, '--timeout', '108001']);
    expect(tooLong.exitCode).toBe(2);
    expect(tooLong.stderr).toContain('from 1 to 108000');
    expect(server.requests).toHaveLength(0);
    const noConfig = await submit([...standard, '--copr-config', path.join(work, 'missing-config')]);
    expect(noConfig.exitCode).toBe(2);
    expect(noConfig.stderr).toContain(`get an API token at`);
  });
});
