import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeCbsSandbox, type CbsSandbox, type SandboxOptions } from '../support/koji/cbs-sandbox.js';
import { startKojiHub, type KojiHubOptions, type RunningKojiHub } from '../support/koji/koji-hub-server.js';
import { ensureKplayBuilt, runKplay } from '../support/run-kplay.js';
import { ROOT_OF_REPO } from '../support/paths.js';

const TARGET = 'kmods9s-packages-main-el9s';
const hubs: RunningKojiHub[] = [];

async function world(hubOpts: KojiHubOptions = {}, sandbox: Partial<SandboxOptions> = {}) {
  const hub = await startKojiHub(hubOpts);
  hubs.push(hub);
  const box = makeCbsSandbox({ hubUrl: hub.url, ...sandbox });
  return { hub, box };
}

function submit(box: CbsSandbox, extra: string[], env: Record<string, string> = {}) {
  return runKplay(['submit', '--srpm', box.srpm, ...extra], { env: box.env(env), cleanEnv: true, cwd: ROOT_OF_REPO, timeout: 60_000 });
}

function expectNoStackTrace(text: string) {
  expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(text).not.toContain('internal error');
}

beforeAll(async () => {
  await ensureKplayBuilt();
}, 120_000);

afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});

describe('kplay submit --cbs (fake cbs CLI, local Koji hub)', () => {
  it('submits a scratch build with `cbs build --scratch --nowait`, watches it to success, exit 0', async () => {
    const { hub, box } = await world({}, { realSrpm: true });
    expect(path.basename(box.srpm)).toBe('kplay-cbs-probe-1.0-1.src.rpm');
    const r = await submit(box, ['--cbs', TARGET, '--scratch', '--wait'], { FAKE_KOJI_CHECK_SRPM: '1' });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(box.cliRuns()).toEqual([{ prog: 'cbs', argv: ['build', '--scratch', '--nowait', TARGET, box.srpm] }]);
    const taskId = [...hub.builds.keys()][0]!;
    expect(hub.builds.get(taskId)!.scratch).toBe(true);
    expect(r.stdout).toContain(`Created task ${taskId}: ${box.weburl}/taskinfo?taskID=${taskId}`);
    expect(r.stdout).toMatch(/^ {2}task \d+ buildArch x86_64: running$/m);
    expect(r.stdout).toMatch(/^ {2}task \d+ buildArch aarch64: succeeded$/m);
    expect(r.stdout).toMatch(new RegExp(`^task ${taskId} build: succeeded$`, 'm'));
    expect(r.stdout).toContain(`output: ${box.topurl}/work/tasks/${taskId}/${taskId}/`);
    // anonymous watch calls, keyword arguments as koji sends them
    const info = hub.calls.find((c) => c.method === 'getTaskInfo')!;
    expect(info.params).toEqual([taskId, { request: false, __starstar: true }]);
    expect(hub.calls.some((c) => c.method === 'getTaskChildren')).toBe(true);
    const record = JSON.parse(readFileSync(path.join(box.stateDir, 'cbs-task.json'), 'utf8')) as { srpm: { sha256: string } };
    expect(record).toMatchObject({ taskId, target: TARGET, profile: 'cbs', scratch: true, lastState: 'succeeded' });
    expect(record.srpm.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a child that fails later exits 1 naming its arch and build.log URL', async () => {
    const { hub, box } = await world({ failArch: 'aarch64' });
    const r = await submit(box, ['--cbs', TARGET, '--scratch', '--wait']);
    expect(r.exitCode).toBe(1);
    const failed = [...hub.builds.values()][0]!.children.find((c) => c.arch === 'aarch64')!;
    expect(r.stdout).toMatch(/buildArch aarch64: running/);
    expect(r.stderr).toContain(
      `error E_CBS_BUILD_FAILED: buildArch aarch64 (task ${failed.id}) failed: error building package (arch aarch64), mock exited with status 1`,
    );
    expect(r.stderr).toContain('[arch aarch64]');
    expect(r.stderr).toContain(`hint: log: ${box.topurl}/work/tasks/${failed.id % 10000}/${failed.id}/build.log`);
    expect(r.stderr).not.toContain('x86_64');
    expectNoStackTrace(r.stderr);
  });

  it('records the task, resumes watching it on a re-run, and resubmits only with --force', async () => {
    const { hub, box } = await world();
    const first = await submit(box, ['--cbs', TARGET, '--scratch', '--no-wait']);
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toContain('not watching');
    expect(box.cliRuns()).toHaveLength(1);
    const taskId = [...hub.builds.keys()][0]!;

    const again = await submit(box, ['--cbs', TARGET, '--scratch', '--wait']);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain(`resuming task ${taskId}`);
    expect(again.stdout).toMatch(new RegExp(`task ${taskId} build: succeeded`));
    expect(box.cliRuns()).toHaveLength(1);

    const forced = await submit(box, ['--cbs', TARGET, '--scratch', '--no-wait', '--force']);
    expect(forced.exitCode).toBe(0);
    expect(box.cliRuns()).toHaveLength(2);
    expect(hub.builds.size).toBe(2);
    const record = JSON.parse(readFileSync(path.join(box.stateDir, 'cbs-task.json'), 'utf8')) as { taskId: number };
    expect(record.taskId).not.toBe(taskId);
  });

  it('falls back to `koji -p cbs` when only koji is installed, and prints JSON with --json', async () => {
    const { box } = await world({}, { clients: ['koji'] });
    const r = await submit(box, ['--cbs', TARGET, '--wait', '--json']);
    expect(r.exitCode).toBe(0);
    expect(box.cliRuns()).toEqual([{ prog: 'koji', argv: ['-p', 'cbs', 'build', '--nowait', TARGET, box.srpm] }]);
    const result = JSON.parse(r.stdout) as { children: Array<{ method: string }> };
    expect(result).toMatchObject({ service: 'cbs', target: TARGET, scratch: false, state: 'succeeded' });
    expect(result.children.map((c) => c.method)).toEqual(['rebuildSRPM', 'buildArch', 'buildArch', 'tagBuild']);
  });

  it('passes --koji-config to the CLI as -c and reads the same file', async () => {
    const { hub, box } = await world();
    const own = path.join(box.root, 'cbs-own.conf');
    writeFileSync(own, readFileSync(path.join(box.home, '.koji', 'config')));
    rmSync(path.join(box.home, '.koji', 'config'));
    const r = await submit(box, ['--cbs', TARGET, '--koji-config', own, '--no-wait']);
    expect(r.exitCode).toBe(0);
    expect(box.cliRuns()).toEqual([{ prog: 'cbs', argv: ['-c', own, 'build', '--nowait', TARGET, box.srpm] }]);
    expect(hub.builds.size).toBe(1);
  });

  it('a file that is not a source RPM is refused by the CLI, and the message quotes it', async () => {
    const { box } = await world();
    const r = await submit(box, ['--cbs', TARGET], { FAKE_KOJI_CHECK_SRPM: '1' });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('error E_CBS_CLI_FAILED: `cbs build` exited with 1 without creating a task: GenericError:');
    expect(r.stderr).toContain('is not a source rpm');
  });

  it('dry run prints the koji command line and the XML-RPC calls, runs nothing', async () => {
    const { hub, box } = await world();
    const r = await submit(box, ['--cbs', TARGET, '--scratch', '--dry-run', '--wait']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`would run: cbs build --scratch --nowait ${TARGET} ${box.srpm}`);
    expect(r.stdout).toContain(`anonymous XML-RPC POST to ${box.hubUrl}`);
    expect(r.stdout).toContain('getTaskInfo(TASK_ID, request=False)');
    expect(r.stdout).toContain('getTaskChildren(TASK_ID)');
    expect(box.cliRuns()).toEqual([]);
    expect(hub.calls).toEqual([]);
    expect(existsSync(path.join(box.stateDir, 'cbs-task.json'))).toBe(false);
  });
});

describe('kplay submit --cbs refusals (exit 2, a message saying what to do)', () => {
  it('no koji CLI installed', async () => {
    const { box } = await world({}, { clients: [] });
    const r = await runKplay(['submit', '--srpm', box.srpm, '--cbs', TARGET], {
      env: { ...box.env(), PATH: box.bin },
      cleanEnv: true,
      cwd: ROOT_OF_REPO,
      timeout: 60_000,
    });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('error E_CBS_NO_CLI: neither `cbs` nor `koji` is installed');
    expect(r.stderr).toContain('dnf install centos-packager');
  });

  it('missing (with authtype = ssl) and expired client certificate, checked before the CLI runs', async () => {
    // koji logs in with SSL when authtype is ssl, or when the cert file exists; else with Kerberos
    const missing = (await world({}, { certDays: null, profileLines: ['max_retries = 8', 'authtype = ssl'] })).box;
    let r = await submit(missing, ['--cbs', TARGET]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`error E_CBS_CERT_MISSING: client certificate ${path.join(missing.home, '.centos.cert')} does not exist`);
    expect(r.stderr).toContain('centos-cert');
    expect(missing.cliRuns()).toEqual([]);

    const expired = (await world({}, { certDays: -1 })).box;
    r = await submit(expired, ['--cbs', TARGET]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/error E_CBS_CERT_EXPIRED: client certificate .*\.centos\.cert expired on \d{4}-/);
    expect(r.stderr).toContain('run `centos-cert`');
    expect(r.stderr).not.toContain('BEGIN');
    expect(expired.cliRuns()).toEqual([]);
  });

  it('a certificate the hub refuses (CLI login error)', async () => {
    const { box } = await world();
    const r = await submit(box, ['--cbs', TARGET], {
      FAKE_KOJI_LOGIN_ERROR:
        "SSLError: HTTPSConnectionPool(host='cbs.centos.org', port=443): (Caused by SSLError(SSLError(1, '[SSL: SSLV3_ALERT_CERTIFICATE_EXPIRED] sslv3 alert certificate expired')))",
    });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('error E_CBS_CERT_EXPIRED');
    expect(r.stderr).toContain('centos-cert');
  });

  it('unknown target and locked tag', async () => {
    const { box } = await world();
    let r = await submit(box, ['--cbs', 'nosuch9s-packages-main-el9s']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('error E_CBS_TARGET_UNKNOWN: the hub has no build target "nosuch9s-packages-main-el9s"');
    expect(r.stderr).toContain('cbs list-targets');

    r = await submit(box, ['--cbs', 'kmods9s-frozen-el9s']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('error E_CBS_TAG_LOCKED: destination tag kmods9s-frozen-candidate is locked');
    expect(r.stderr).toContain('pass --scratch');
    expect(existsSync(path.join(box.stateDir, 'cbs-task.json'))).toBe(false);
  });

  it('no target anywhere, and a variant path given as the target', async () => {
    const { box } = await world();
    let r = await submit(box, ['--cbs']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('no CBS build target: pass --cbs TARGET or set targets.cbs.target');
    r = await submit(box, ['--cbs', 'variants/stream-plus.yml']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('put the variant before --cbs');
  });
});

describe('watching through hub faults and outages', () => {
  it('fault 1004 ActionNotAllowed becomes a readable error, exit 2, no stack trace', async () => {
    const { box } = await world({
      faultFor: { methods: ['getTaskInfo'], code: 1004, text: 'policy violation (anonymous access to tasks)' },
    });
    const r = await submit(box, ['--cbs', TARGET, '--scratch', '--wait']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(
      'error E_CBS_HUB_FAULT: the hub answered getTaskInfo: ActionNotAllowed (1004): policy violation (anonymous access to tasks)',
    );
    expect(r.stderr).toContain('run the same command again to resume watching');
    expectNoStackTrace(r.stderr);
  });

  it('fault 1014 ServerOffline is retried, then reported readably', async () => {
    const { hub, box } = await world(
      { faultFor: { methods: ['getTaskInfo'], code: 1014, text: 'server is offline' } },
      { profileLines: ['max_retries = 2'] },
    );
    const r = await submit(box, ['--cbs', TARGET, '--scratch', '--wait']);
    expect(r.exitCode).toBe(2);
    expect(hub.calls.filter((c) => c.method === 'getTaskInfo')).toHaveLength(3);
    expect(r.stderr).toMatch(/retry 1\/2 in/);
    expect(r.stderr).toContain('ServerOffline (1014): server is offline; the hub is offline (maintenance)');
    expectNoStackTrace(r.stderr);
  });

  it('a hub that is offline for a while (503 page, reset, ServerOffline) is waited out', async () => {
    const { box } = await world({
      outages: [
        { afterCalls: 4, calls: 2, mode: 'http-503' },
        { afterCalls: 7, calls: 2, mode: 'reset' },
        { afterCalls: 10, calls: 2, mode: 'fault-1014' },
      ],
    });
    const r = await submit(box, ['--cbs', TARGET, '--scratch', '--wait']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('HTTP 503 Service Unavailable; retry 1/8');
    expect(r.stderr).toContain('connection reset by the server; retry');
    expect(r.stderr).toContain('ServerOffline (1014)');
    expect(r.stdout).toMatch(/build: succeeded/);
  });

  it('a hub that is gone: connection refused, bounded retries, readable error, task kept for resuming', async () => {
    const { hub, box } = await world({}, { profileLines: ['max_retries = 2'] });
    expect((await submit(box, ['--cbs', TARGET, '--scratch', '--no-wait'])).exitCode).toBe(0);
    await hub.close();
    const r = await submit(box, ['--cbs', TARGET, '--scratch', '--wait']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(
      `error E_CBS_HUB_UNREACHABLE: could not reach the Koji hub ${box.hubUrl} (getTaskInfo, 3 tries): connection refused`,
    );
    expect(r.stderr).toMatch(/task \d+ is recorded in .*cbs-task\.json; run the same command again to resume watching/);
    expectNoStackTrace(r.stderr);
    expect(box.cliRuns()).toHaveLength(1);
  });
});
