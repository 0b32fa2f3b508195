import { mkdtemp, readFile, rm, symlink, writeFile, mkdir, cp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildSrpm } from '../../src/rpm/build-srpm.js';
import { startCoprServer, type CoprContractServer } from '../support/copr-server/copr-contract-server.js';
import { buildHelloSrpm, HELLO_FIXTURE, makeCoprHome } from '../support/copr-server/kplay-cli.js';
import { runKplay, type KplayRun } from '../support/run-kplay.js';
import { whileRunning } from '../support/while-running.js';

const LOGIN = 'kplaybot=login==';
const TOKEN = 'tkn-5e1d0c9b8a7f6e5d4c3b2a1f0e9d8c7b';
const USER = 'kplaybot';
const RAWHIDE = 'fedora-rawhide-x86_64';
const ARM = 'fedora-rawhide-aarch64';
const FAKE_CURL = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../support/copr-server/fake-curl.mjs');

/** A variant whose targets.copr carries every project setting kplay sends. */
const VARIANT = `name: hello
summary: test kernel
base:
  kind: vanilla
  version: "6.1.192"
arches: [x86_64]
features: []
targets:
  copr:
    project: ${USER}/kernel-settings
    chroots: [${RAWHIDE}]
    instructions: "dnf copr enable ${USER}/kernel-settings"
    description: kernel with settings
    isolation: nspawn
    bootstrap: "off"
    follow_fedora_branching: false
    auto_prune: false
    delete_after_days: 30
    additional_repos: ["https://example.org/repo/"]
    without: [debug]
`;

describe('Copr: project settings, chroot checks, outcomes, resume by digest, GSSAPI, status and cancel', () => {
  let work: string;
  let srpm: string;
  let server: CoprContractServer;
  let home: string;
  let out: string;
  let variant: string;
  const everyOutput: string[] = [];

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'kplay-copr-settings-'));
    srpm = await buildHelloSrpm(path.join(work, 'srpm'));
    variant = path.join(work, 'hello.yml');
    await writeFile(variant, VARIANT);
    // its own repository root: without a features/ folder kplay would take the checkout above TMPDIR
    await mkdir(path.join(work, 'features'));
  });
  afterAll(async () => {
    expect(everyOutput.join('\n')).not.toContain(TOKEN);
    await rm(work, { recursive: true, force: true });
  });
  beforeEach(async () => {
    server = await startCoprServer({ login: LOGIN, token: TOKEN, user: USER, negotiateToken: 'a2VyYmVyb3MtdGlja2V0' });
    home = await makeCoprHome(server.url, LOGIN, TOKEN, USER);
    out = await mkdtemp(path.join(work, 'out-'));
  });
  afterEach(async () => {
    await server.stop();
    for (const f of await readdir(out)) expect(await readFile(path.join(out, f), 'utf8')).not.toContain(TOKEN);
    await rm(home, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string> = {}) => ({
    HOME: home,
    KPLAY_POLL_INTERVAL_MS: '5',
    KPLAY_RETRY_BASE_MS: '5',
    KPLAY_COPR_RETRIES: '2',
    ...extra,
  });
  async function kplay(args: string[], extra: Record<string, string> = {}): Promise<KplayRun> {
    const run = await runKplay(args, { env: env(extra), cleanEnv: true, timeout: 60_000 });
    everyOutput.push(run.stdout, run.stderr);
    return run;
  }
  const submit = (args: string[], extra: Record<string, string> = {}) => kplay(['submit', '--srpm', srpm, '--out', out, ...args], extra);

  it('auto_prune: false needs a Copr admin: refused before the SRPM is built (E_COPR_NEEDS_ADMIN), dry run too; Copr itself answers 403', async () => {
    for (const dry of [[], ['--dry-run']]) {
      const run = await kplay(['submit', variant, '--out', out, '--copr', '--wait', ...dry]);
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toContain('error E_COPR_NEEDS_ADMIN: auto_prune: false is a setting only Copr admins may make');
      expect(run.stderr).toMatch(/hello\.yml:\d+/);
      expect(run.stderr).toContain('--copr-admin');
    }
    expect(server.requests).toEqual([]);
    expect(await readdir(out)).toEqual([]); // no SRPM was built
    // the stand-in refuses as the frontend does, when kplay is told the user is an admin who is not
    const run = await kplay(['submit', variant, '--srpm', srpm, '--out', out, '--copr', '--copr-admin', '--wait']);
    expect(run.exitCode).not.toBe(0);
    expect(run.stderr).toContain('Non-admin cannot disable auto-prunning.');
    expect(server.uploads()).toEqual([]);
  });

  it('--srpm with a variant sends its targets.copr settings: project/add, and rpmbuild --without per chroot', async () => {
    server.options.admin = true;
    const run = await kplay(['submit', variant, '--srpm', srpm, '--out', out, '--copr', '--copr-admin', '--wait']);
    expect(run.exitCode, run.stderr).toBe(0);
    const add = server.requests.find((r) => r.path === `project/add/${USER}`)!;
    expect(add.json).toEqual({
      name: 'kernel-settings',
      chroots: [RAWHIDE],
      description: 'kernel with settings',
      instructions: `dnf copr enable ${USER}/kernel-settings`,
      isolation: 'nspawn',
      bootstrap: 'off',
      follow_fedora_branching: false,
      auto_prune: false,
      delete_after_days: 30,
      additional_repos: ['https://example.org/repo/'],
    });
    const chrootEdit = server.requests.find((r) => r.path === `project-chroot/edit/${USER}/kernel-settings/${RAWHIDE}`)!;
    expect(chrootEdit.method).toBe('PUT');
    expect(chrootEdit.json).toEqual({ without_opts: ['debug'] });
    expect(server.projects.get(`${USER}/kernel-settings`)!.chrootSettings.get(RAWHIDE)).toEqual({ without_opts: ['debug'] });
    // the project/edit of settings is only for an existing project with other values
    expect(server.requests.some((r) => r.path.startsWith('project/edit'))).toBe(false);
  });

  it('an existing project with other settings gets exactly the differing ones in project/edit', async () => {
    const p = server.addProject(USER, 'kernel-settings', [RAWHIDE]);
    p.enable_net = true; // network on in the project: this build must still not have it, and the project keeps it
    p.settings.isolation = 'nspawn';
    p.settings.delete_after_days = 5;
    server.options.admin = true;
    const run = await kplay(['submit', variant, '--srpm', srpm, '--out', out, '--copr', '--copr-admin', '--wait']);
    expect(run.exitCode, run.stderr).toBe(0);
    const edit = server.requests.find((r) => r.method === 'PUT' && r.path === `project/edit/${USER}/kernel-settings`)!;
    expect(Object.keys(edit.json as object).sort()).toEqual([
      'additional_repos',
      'auto_prune',
      'bootstrap',
      'delete_after_days',
      'description',
      'follow_fedora_branching',
      'instructions',
    ]);
    // Copr's project dict does not show delete_after_days: kplay sends it on edit, and the project has it now
    expect(p.settings.delete_after_days).toBe(30);
    // the build is sent with enable_net: false (per build, as copr-cli's --enable-net off); the project is not edited for it
    expect(p.enable_net).toBe(true);
    expect((JSON.parse(server.uploads()[0]!.parts![1]!.text!) as { enable_net: boolean }).enable_net).toBe(false);
    // --enable-net on: this build only
    const net = await kplay([
      'submit',
      variant,
      '--srpm',
      srpm,
      '--out',
      out,
      '--copr',
      '--copr-admin',
      '--enable-net',
      'on',
      '--background',
      '--force',
      '--no-wait',
    ]);
    expect(net.exitCode, net.stderr).toBe(0);
    expect((JSON.parse(server.uploads()[1]!.parts![1]!.text!) as { enable_net: boolean }).enable_net).toBe(true);
    // copr-cli --background: the build's own option; not sent unless asked
    expect((JSON.parse(server.uploads()[1]!.parts![1]!.text!) as { background?: boolean }).background).toBe(true);
    expect('background' in (JSON.parse(server.uploads()[0]!.parts![1]!.text!) as object)).toBe(false);
    expect(
      server.requests.filter((r) => r.path === `project/edit/${USER}/kernel-settings`).map((r) => 'enable_net' in (r.json as object)),
    ).not.toContain(true);
  });

  it('an unknown chroot is refused before the SRPM is built or anything is created (E_COPR_CHROOT_UNKNOWN, exit 2)', async () => {
    const run = await kplay(['submit', variant, '--out', out, '--copr', '--copr-admin', '--chroot', 'fedora-rawhid-x86_64', '--wait']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/error E_COPR_CHROOT_UNKNOWN: http:\/\/127\.0\.0\.1:\d+ has no chroot fedora-rawhid-x86_64/);
    expect(run.stderr).toContain(`did you mean ${RAWHIDE}`);
    expect(server.requests.map((r) => r.path)).toEqual(['mock-chroots/list']);
    expect(await readdir(out)).toEqual([]); // no SRPM was built (the variant would need a kernel tarball)
  });

  it('a skipped chroot (ExclusiveArch) is success; forked is success; unknown ends the watch with exit 1', async () => {
    server.scripts.set(ARM, { outcome: 'skipped' });
    const skipped = await submit(['--copr', `${USER}/p1`, '--chroot', RAWHIDE, '--chroot', ARM, '--wait']);
    expect(skipped.exitCode, skipped.stderr).toBe(0);
    expect(skipped.stdout).toContain(`${ARM}: skipped`);

    server.scripts.set(RAWHIDE, { outcome: 'forked' });
    const forked = await submit(['--copr', `${USER}/p2`, '--chroot', RAWHIDE, '--wait']);
    expect(forked.exitCode, forked.stderr).toBe(0);

    server.scripts.set(RAWHIDE, { outcome: 'unknown' });
    const unknown = await submit(['--copr', `${USER}/p3`, '--chroot', RAWHIDE, '--wait'], { KPLAY_WATCH_MAX_MS: '20000' });
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toMatch(/error E_COPR_BUILD_UNKNOWN: build \d+: Copr reports an unknown state/);
  });

  it('a failed chroot shows the tail of its builder-live.log', async () => {
    server.scripts.set(RAWHIDE, { outcome: 'failed' });
    const log =
      Array.from({ length: 40 }, (_, i) => `line ${i + 1}`).join('\n') + '\nerror: Bad exit status from /var/tmp/rpm-tmp.x (%build)\n';
    const running = submit(['--copr', `${USER}/kernel-playground`, '--chroot', RAWHIDE, '--wait'], { KPLAY_POLL_INTERVAL_MS: '30' });
    // the log is in place before kplay can see the chroot fail (its third poll, 60 ms after the upload at least)
    expect(await whileRunning(running, () => server.builds.size > 0), 'kplay ended before it uploaded').toBe(true);
    const id = [...server.builds.keys()][0]!;
    server.builderLogs.set(`${id}/${RAWHIDE}`, log);
    const run = await running;
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/last lines of builder-live\.log:\n {4}line 17\n/); // 25 lines: 17..40 and the error
    expect(run.stderr).toContain('    error: Bad exit status from /var/tmp/rpm-tmp.x (%build)');
    expect(run.stderr).not.toContain('    line 16\n');
  });

  it('resume is keyed by the SRPM digest: a changed SRPM with the same NVR is a new build, the same one resumes', async () => {
    const args = ['--copr', `${USER}/kernel-playground`, '--chroot', RAWHIDE, '--wait'];
    expect((await submit(args)).exitCode).toBe(0);
    expect((await submit(args)).stderr).toMatch(/resuming build \d+/);
    expect(server.uploads()).toHaveLength(1);
    // same name-version-release, other content (a spec comment): not the recorded build
    const changed = path.join(work, 'changed');
    await mkdir(changed, { recursive: true });
    await cp(HELLO_FIXTURE, path.join(changed, 'src'), { recursive: true });
    const spec = path.join(changed, 'src', 'kplay-hello.spec');
    await writeFile(spec, `# features changed, Release not bumped\n${await readFile(spec, 'utf8')}`);
    const other = await buildSrpm({ specFile: spec, sourceDir: path.join(changed, 'src'), outDir: changed });
    expect(path.basename(other)).toBe(path.basename(srpm));
    const run = await kplay(['submit', '--srpm', other, '--out', out, ...args]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/records build \d+ of another SRPM .* submitted as a new build/);
    expect(server.uploads()).toHaveLength(2);
    const state = JSON.parse(await readFile(path.join(out, `copr-build.${USER}.kernel-playground.json`), 'utf8')) as {
      version: number;
      srpm: { sha256: string };
    };
    expect(state.version).toBe(2);
    expect(state.srpm.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('GSSAPI login (gssapi = true, no token): gssapi_login with Negotiate, then the session cookie; no kinit → exit 2', async () => {
    // curl --negotiate stands in for the Kerberos exchange (no KDC here): this tests the request shape
    const bin = path.join(work, `bin-${Date.now()}`);
    await mkdir(bin, { recursive: true });
    await symlink(FAKE_CURL, path.join(bin, 'curl'));
    await writeFile(
      path.join(home, '.config', 'copr'),
      `[copr-cli]\nusername = ${USER}\ngssapi = True\ncopr_url = ${server.url}\nencrypted = False\n`,
    );
    const PATH = `${bin}${path.delimiter}${process.env.PATH}`;
    const run = await submit(['--copr', `${USER}/kernel-playground`, '--chroot', RAWHIDE, '--wait'], {
      PATH,
      FAKE_KRB5_TOKEN: 'a2VyYmVyb3MtdGlja2V0',
    });
    expect(run.exitCode, run.stderr).toBe(0);
    const login = server.requests.filter((r) => r.path === 'gssapi_login/');
    expect(login.map((r) => r.contentType)).toEqual([undefined, 'Negotiate']); // 401 first, then the SPNEGO token
    const authed = server.requests.filter((r) => r.path === `project/add/${USER}` || r.path === 'build/create/upload');
    expect(authed.every((r) => r.authorized && r.bySession)).toBe(true);
    expect(server.requests.some((r) => r.path === 'auth-check')).toBe(false); // the login said who we are
    expect(run.stderr).not.toMatch(/session=sess-/);

    const noTicket = await submit(['--copr', `${USER}/kernel-playground`, '--chroot', RAWHIDE, '--wait', '--force'], { PATH });
    expect(noTicket.exitCode).toBe(2);
    expect(noTicket.stderr).toMatch(/error E_COPR_AUTH: GSSAPI login to .*gssapi_login\/ was refused \(HTTP 401\); run `kinit/);
  });

  it('kplay status shows the recorded build (anonymous); kplay cancel cancels it (dry run first), then 409 is a finding', async () => {
    server.scripts.set(RAWHIDE, { outcome: 'succeeded', runningTicks: 1_000_000 });
    expect((await submit(['--copr', `${USER}/kernel-playground`, '--chroot', RAWHIDE, '--no-wait'])).exitCode).toBe(0);
    const id = [...server.builds.keys()][0]!;
    const status = await kplay(['status', '--state-dir', out]);
    expect(status.exitCode, status.stderr).toBe(0);
    expect(status.stdout).toMatch(
      new RegExp(`^copr build ${id} \\(${USER}/kernel-playground\\): (pending|running)  ${server.url}/coprs/build/${id}$`, 'm'),
    );
    const dry = await kplay(['cancel', '--state-dir', out, '--dry-run']);
    expect(dry.stdout).toContain(`would send PUT ${server.url}/api_3/build/cancel/${id}`);
    expect(server.builds.get(id)!.canceled).toBe(false);
    const cancel = await kplay(['cancel', '--state-dir', out, '--copr']);
    expect(cancel.exitCode, cancel.stderr).toBe(0);
    expect(server.builds.get(id)!.canceled).toBe(true);
    const after = await kplay(['status', '--state-dir', out, '--json']);
    expect(after.exitCode).toBe(1); // canceled: not ok
    expect((JSON.parse(after.stdout) as unknown[])[0]).toMatchObject({ service: 'copr', id, state: 'canceled', finished: true, ok: false });
    const again = await kplay(['cancel', '--state-dir', out]);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toMatch(new RegExp(`error E_COPR_CANCEL_FINISHED: Copr build ${id} has already ended`));
    const nothing = await kplay(['status', '--state-dir', work]);
    expect(nothing.exitCode).toBe(2);
    expect(nothing.stderr).toContain('error E_SUBMIT_NOT_RECORDED');
  });
});
