import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeCbsSandbox, type CbsSandbox, type SandboxOptions } from '../support/koji/cbs-sandbox.js';
import { ROOT_OF_REPO } from '../support/paths.js';
import { ensureKplayBuilt, runKplay } from '../support/run-kplay.js';

/** kplay with exactly the sandbox's environment, as a user in that sandbox would run it. */
const kplay = (args: string[], env: Record<string, string>) => runKplay(args, { env, cleanEnv: true, cwd: ROOT_OF_REPO, timeout: 60_000 });
import { startKojiHub, type KojiHubOptions, type RunningKojiHub } from '../support/koji/koji-hub-server.js';

const TARGET = 'kmods9s-packages-main-el9s';
const hubs: RunningKojiHub[] = [];
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kplay-cbs-tls-'));

/** A self-signed hub certificate for 127.0.0.1 (openssl CLI), used as its own CA. */
function hubCertificate(): { key: string; cert: string; caFile: string } {
  const key = path.join(tmp, 'hub.key');
  const cert = path.join(tmp, 'hub.crt');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'pipe' },
  );
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8'), caFile: cert };
}

async function world(hubOpts: KojiHubOptions = {}, sandbox: Partial<SandboxOptions> = {}) {
  const hub = await startKojiHub(hubOpts);
  hubs.push(hub);
  const box = makeCbsSandbox({ hubUrl: hub.url, ...sandbox });
  return { hub, box };
}

/** Rewrite the sandbox's [cbs] profile (server, topurl and extra lines). */
function profile(box: CbsSandbox, lines: string[]): void {
  writeFileSync(path.join(box.home, '.koji', 'config'), ['[cbs]', ...lines, ''].join('\n'));
}

const submit = (box: CbsSandbox, extra: string[], env: Record<string, string> = {}) =>
  kplay(['submit', '--srpm', box.srpm, ...extra], box.env(env));

beforeAll(async () => {
  await ensureKplayBuilt();
}, 120_000);
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('CBS: login as koji does it, certificates, hubs, build options, promote, status and cancel', () => {
  it('no cert file and no authtype: Kerberos, left to the koji CLI (not blocked); without a ticket the error says kinit', async () => {
    const { hub, box } = await world({}, { certDays: null });
    let r = await submit(box, ['--cbs', TARGET, '--scratch', '--no-wait']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/error E_CBS_KERBEROS: the Kerberos \(GSSAPI\) login to the hub failed/);
    expect(r.stderr).toContain('kinit');
    expect(r.stderr).not.toContain('centos-cert');
    expect(box.cliRuns()).toHaveLength(1); // the CLI ran: kplay did not stop a Kerberos profile
    r = await submit(box, ['--cbs', TARGET, '--scratch', '--no-wait'], { FAKE_KRB5_TICKET: '1' });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('login: Kerberos (GSSAPI), done by the koji CLI');
    expect(hub.builds.size).toBe(1);
  });

  it('the watcher checks the hub against serverca; a certificate error fails at once, without retries', async () => {
    const tls = hubCertificate();
    const { hub, box } = await world({ tls: { key: tls.key, cert: tls.cert } });
    const base = [`server = ${hub.url}`, `weburl = ${box.weburl}`, 'cert = ~/.centos.cert', 'max_retries = 30', 'retry_interval = 1'];
    profile(box, [...base, `serverca = ${tls.caFile}`]);
    const ok = await submit(box, ['--cbs', TARGET, '--scratch', '--wait']);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/build: succeeded$/m);

    // another CA: koji gives up at once on a certificate error (no 30 retries)
    const otherCa = path.join(tmp, 'other-ca.crt');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        path.join(tmp, 'o.key'),
        '-out',
        otherCa,
        '-days',
        '2',
        '-subj',
        '/CN=other',
      ],
      { stdio: 'pipe' },
    );
    profile(box, [...base, `serverca = ${otherCa}`]);
    const calls = hub.calls.length;
    const started = Date.now();
    const r = await submit(box, ['--cbs', TARGET, '--scratch', '--wait'], { KPLAY_RETRY_INTERVAL_MS: '1000' });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(
      /error E_CBS_HUB_CERT: the TLS certificate of the Koji hub https:\/\/127\.0\.0\.1:\d+\/kojihub could not be verified/,
    );
    expect(r.stderr).toContain('serverca');
    expect(Date.now() - started).toBeLessThan(20_000); // 30 retries 1 s apart would take 30 s; a loaded machine may take seconds for one run
    expect(hub.calls.length).toBe(calls);
  });

  it('the hub URL is in the task record: resuming against another hub is refused', async () => {
    const { hub, box } = await world();
    expect((await submit(box, ['--cbs', TARGET, '--scratch', '--no-wait'])).exitCode).toBe(0);
    const record = JSON.parse(readFileSync(path.join(box.stateDir, 'cbs-task.json'), 'utf8')) as { server: string; taskId: number };
    expect(record.server).toBe(hub.url);
    const other = await startKojiHub();
    hubs.push(other);
    profile(box, [`server = ${other.url}`, `weburl = ${box.weburl}`, 'cert = ~/.centos.cert']);
    const r = await submit(box, ['--cbs', TARGET, '--scratch', '--wait']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(
      `error E_CBS_HUB_CHANGED: task ${record.taskId} in ${path.join(box.stateDir, 'cbs-task.json')} was submitted to the hub ${hub.url}, but koji profile cbs now points at ${other.url}`,
    );
    expect(other.calls).toHaveLength(0);
  });

  it('--arch-override (scratch), --fail-fast and --skip-tag reach the build call; the failed arch shows its log tails', async () => {
    const failLog = `${Array.from({ length: 30 }, (_, i) => `make[2]: step ${i + 1}`).join('\n')}\nerror: Bad exit status from /var/tmp/rpm-tmp.Ab12 (%build)\n`;
    const { hub, box } = await world({ failArch: 'aarch64', failLog });
    const r = await submit(
      box,
      ['--cbs', TARGET, '--scratch', '--arch-override', 'x86_64,aarch64', '--fail-fast', '--skip-tag', '--wait'],
      { KPLAY_POLL_INTERVAL_MS: '5' },
    );
    // the sandbox's topurl is not the hub's: point it there so the logs can be fetched
    expect(box.cliRuns()[0]!.argv).toEqual([
      'build',
      '--scratch',
      '--skip-tag',
      '--fail-fast',
      '--arch-override=x86_64,aarch64',
      '--nowait',
      TARGET,
      box.srpm,
    ]);
    const build = [...hub.builds.values()][0]!;
    expect(build.opts).toMatchObject({ scratch: true, arch_override: 'x86_64 aarch64', fail_fast: true, skip_tag: true });
    expect(r.exitCode).toBe(1);

    profile(box, [`server = ${hub.url}`, `weburl = ${box.weburl}`, `topurl = ${hub.topurl}`, 'cert = ~/.centos.cert']);
    const again = await submit(box, [
      '--cbs',
      TARGET,
      '--scratch',
      '--arch-override',
      'x86_64,aarch64',
      '--fail-fast',
      '--skip-tag',
      '--wait',
    ]);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toMatch(/error E_CBS_BUILD_FAILED: buildArch aarch64 \(task \d+\) failed/);
    expect(again.stderr).toMatch(/last lines of build\.log:\n {4}make\[2\]: step 17\n/); // 15 lines: 17..30 and the error
    expect(again.stderr).toContain('    error: Bad exit status from /var/tmp/rpm-tmp.Ab12 (%build)');
    expect(again.stderr).toMatch(/last lines of root\.log:\n {4}DEBUG util\.py/);

    const real = await submit(box, ['--cbs', TARGET, '--arch-override', 'x86_64']);
    expect(real.exitCode).toBe(2);
    expect(real.stderr).toContain('--arch-override is only allowed for --scratch builds');
  });

  it('warns about a non-scratch NVR the hub already has, and about a full kernel sent to a kmods target', async () => {
    // the SRPM is kernel-stream-plus-6.1.0-1.el9.src.rpm; kojid rebuilds it with the target's dist
    // (getBuildConfig's rpm.macro.dist .el9s), so the build that collides is .el9s, not the file's .el9
    const nvr = 'kernel-stream-plus-6.1.0-1.el9s';
    const { hub, box } = await world({ existingBuilds: { [nvr]: 1, 'kernel-stream-plus-6.1.0-1.el9': 1 } });
    const r = await submit(box, ['--cbs', TARGET, '--no-wait']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `warning W_CBS_NVR_EXISTS: the hub already has build ${nvr} (id 4242, COMPLETE): koji refuses to build the same NVR twice`,
    );
    expect(r.stderr).not.toContain('build kernel-stream-plus-6.1.0-1.el9 ');
    expect(hub.calls.find((c) => c.method === 'getBuildConfig')?.params).toEqual([`${TARGET}-build`]);
    expect(r.stderr).toContain(`warning W_CBS_KERNEL_TO_KMODS: kernel-stream-plus is a full kernel, but ${TARGET} is a kmods SIG target`);
    expect(hub.calls.find((c) => c.method === 'getBuild')?.params).toEqual([nvr]);
    // a scratch build never collides: no lookup
    const box2 = makeCbsSandbox({ hubUrl: hub.url });
    hub.calls.length = 0;
    expect((await submit(box2, ['--cbs', TARGET, '--scratch', '--no-wait'])).stderr).not.toContain('W_CBS_NVR_EXISTS');
    expect(hub.calls.some((c) => c.method === 'getBuild')).toBe(false);
  });

  it('kplay promote --cbs TAG tags the build the hub made from the recorded task (dry run first), untags it; a scratch record is refused', async () => {
    // kojid rebuilt kernel-stream-plus-6.1.0-1.el9.src.rpm in the el9s buildroot: the hub's build is .el9s
    const nvr = 'kernel-stream-plus-6.1.0-1.el9s';
    const { hub, box } = await world();
    const submitted = await submit(box, ['--cbs', TARGET, '--wait']);
    expect(submitted.exitCode, submitted.stderr).toBe(0);
    expect(submitted.stdout).toMatch(new RegExp(`^built ${nvr} \\(build \\d+\\)`, 'm'));
    const promote = (args: string[]) => kplay(['promote', '--state-dir', box.stateDir, ...args], box.env());
    const dry = await promote(['--cbs', 'kmods9s-packages-main-testing', '--dry-run']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`dry run: would run cbs tag-build --nowait kmods9s-packages-main-testing ${nvr}`);
    expect(hub.tagged.size).toBe(0);
    const tag = await promote(['--cbs', 'kmods9s-packages-main-testing']);
    expect(tag.exitCode, tag.stderr).toBe(0);
    expect(hub.tagged.get('kmods9s-packages-main-testing')).toEqual(new Set([nvr]));
    expect(box.cliRuns().at(-1)).toEqual({ prog: 'cbs', argv: ['tag-build', '--nowait', 'kmods9s-packages-main-testing', nvr] });
    const untag = await promote(['--cbs', 'kmods9s-packages-main-testing', '--untag']);
    expect(untag.exitCode, untag.stderr).toBe(0);
    expect(hub.tagged.get('kmods9s-packages-main-testing')?.size).toBe(0);
    const twice = await promote(['--cbs', 'kmods9s-packages-main-testing', '--untag']);
    expect(twice.exitCode).toBe(1);
    expect(twice.stderr).toMatch(/error E_CBS_CLI_FAILED: .*not in tag/);

    const scratchBox = makeCbsSandbox({ hubUrl: hub.url });
    expect((await submit(scratchBox, ['--cbs', TARGET, '--scratch', '--no-wait'])).exitCode).toBe(0);
    const refused = await kplay(
      ['promote', '--state-dir', scratchBox.stateDir, '--cbs', 'kmods9s-packages-main-testing'],
      scratchBox.env(),
    );
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('error E_CBS_PROMOTE_SCRATCH');
  });

  it('kplay status reads the recorded task; kplay cancel runs `cbs cancel` for it', async () => {
    const { hub, box } = await world();
    expect((await submit(box, ['--cbs', TARGET, '--scratch', '--no-wait'])).exitCode).toBe(0);
    const taskId = [...hub.builds.keys()][0]!;
    const status = await kplay(['status', '--state-dir', box.stateDir, '--json'], box.env());
    expect(status.exitCode, status.stderr).toBe(0);
    const [s] = JSON.parse(status.stdout) as Array<{ service: string; id: number; state: string }>;
    expect(s).toMatchObject({ service: 'cbs', id: taskId });
    const dry = await kplay(['cancel', '--state-dir', box.stateDir, '--dry-run'], box.env());
    expect(dry.stdout).toContain(`would run: cbs cancel ${taskId}`);
    const cancel = await kplay(['cancel', '--state-dir', box.stateDir], box.env());
    expect(cancel.exitCode, cancel.stderr).toBe(0);
    expect(box.cliRuns().at(-1)).toEqual({ prog: 'cbs', argv: ['cancel', String(taskId)] });
    const after = await kplay(['status', '--state-dir', box.stateDir], box.env());
    expect(after.exitCode).toBe(1);
    expect(after.stdout).toMatch(new RegExp(`^cbs task ${taskId} \\(${TARGET} \\(scratch\\)\\): canceled`, 'm'));
  });
});
