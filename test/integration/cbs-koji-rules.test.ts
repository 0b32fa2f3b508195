import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/findings/finding.js';
import { readKojiProfile } from '../../src/submit/cbs/read-koji-config.js';
import { kojiLoginOf } from '../../src/submit/cbs/run-cbs-submit.js';
import { fakeKoji, makeCbsSandbox, type CbsSandbox } from '../support/koji/cbs-sandbox.js';
import { startKojiHub, type KojiHubOptions, type RunningKojiHub } from '../support/koji/koji-hub-server.js';
import { makeClientCert } from '../support/koji/make-client-cert.js';
import { ROOT_OF_REPO } from '../support/paths.js';
import { ensureKplayBuilt, runKplay } from '../support/run-kplay.js';
import { tempDirSync } from '../support/temp-dir.js';

/**
 * koji's own configuration rules (koji/__init__.py read_config, cli/koji_cli/lib.py
 * activate_session), checked by running the koji CLI and kplay on the same profile files.
 *
 * The real koji CLI is not packaged for Debian 12 (`apt-cache policy koji` finds nothing) and only
 * npm and Debian packages can be installed here, so the CLI is the stand-in
 * test/support/koji/fake-koji.mjs, which follows those two functions. When a real `koji` is on
 * PATH (KPLAY_REAL_KOJI=1), the table runs it too: its `hello` needs a hub that logs in, so it
 * is compared only on the profile errors it reports before logging in.
 */

const TARGET = 'kmods9s-packages-main-el9s';
const kplay = (args: string[], env: Record<string, string>) => runKplay(args, { env, cleanEnv: true, cwd: ROOT_OF_REPO, timeout: 60_000 });

interface Layout {
  root: string;
  home: string;
  etc: string;
}

function layout(): Layout {
  const root = tempDirSync('kplay-kojirules-');
  const home = path.join(root, 'home');
  const etc = path.join(root, 'etc');
  mkdirSync(path.join(home, '.koji', 'config.d'), { recursive: true });
  mkdirSync(path.join(etc, 'koji.conf.d'), { recursive: true });
  return { root, home, etc };
}

type Login = 'ssl' | 'kerberos' | 'password' | 'noauth' | 'none';

interface Case {
  name: string;
  /** Files to write, relative to the layout root (home/..., etc/...). */
  files: Record<string, string>;
  /** Client certificates to make (valid days; -1 expired), relative to the root. */
  certs?: Record<string, number>;
  profile?: string;
  /** -c FILE (relative to the root). */
  userConfig?: string;
  login: Login;
  /** Expected cert / serverca paths, relative to the root ('' for none). */
  cert?: string;
  serverca?: string;
  server?: string;
}

const HUB = 'http://127.0.0.1:9/kojihub';
const cbs = (lines: string[]) => ['[cbs]', `server = ${HUB}`, ...lines, ''].join('\n');

const CASES: Case[] = [
  {
    name: '[cbs] without a cert line and a stale ~/.centos.cert: no certificate, Kerberos',
    files: { 'home/.koji/config': cbs([]) },
    certs: { 'home/.centos.cert': -1 },
    login: 'kerberos',
    cert: '',
  },
  {
    name: 'no cert line, ~/.koji/client.crt exists: that certificate, SSL',
    files: { 'home/.koji/config': cbs([]) },
    certs: { 'home/.koji/client.crt': 30 },
    login: 'ssl',
    cert: 'home/.koji/client.crt',
  },
  {
    name: 'cert = ~/.centos.cert (as centos-packager writes it): SSL',
    files: { 'etc/koji.conf.d/cbs-koji.conf': cbs(['cert = ~/.centos.cert']) },
    certs: { 'home/.centos.cert': 30 },
    login: 'ssl',
    cert: 'home/.centos.cert',
  },
  {
    name: 'a cert line naming a missing file and no authtype: Kerberos',
    files: { 'home/.koji/config': cbs(['cert = ~/gone.pem']) },
    login: 'kerberos',
    cert: 'home/gone.pem',
  },
  {
    name: 'authtype = kerberos wins over an existing certificate',
    files: { 'home/.koji/config': cbs(['authtype = kerberos']) },
    certs: { 'home/.koji/client.crt': 30 },
    login: 'kerberos',
    cert: 'home/.koji/client.crt',
  },
  {
    name: 'authtype = ssl with a cert line: SSL',
    files: { 'home/.koji/config': cbs(['authtype = ssl', 'cert = ~/.centos.cert']) },
    certs: { 'home/.centos.cert': 30 },
    login: 'ssl',
    cert: 'home/.centos.cert',
  },
  {
    name: 'authtype = noauth: no login',
    files: { 'home/.koji/config': cbs(['authtype = noauth']) },
    certs: { 'home/.koji/client.crt': 30 },
    login: 'noauth',
  },
  {
    name: 'serverca defaults to ~/.koji/serverca.crt when it exists',
    files: { 'home/.koji/config': cbs([]) },
    certs: { 'home/.koji/serverca.crt': 30 },
    login: 'kerberos',
    serverca: 'home/.koji/serverca.crt',
  },
  {
    name: '~/.koji/config.d/*.conf overrides /etc/koji.conf.d (sorted, later wins)',
    files: {
      'etc/koji.conf.d/cbs-koji.conf': cbs([]),
      'home/.koji/config.d/b.conf': '[cbs]\nserver = http://127.0.0.1:7/b\n',
      'home/.koji/config.d/a.conf': '[cbs]\nserver = http://127.0.0.1:7/a\n',
    },
    login: 'kerberos',
    server: 'http://127.0.0.1:7/b',
  },
  {
    name: '-c FILE replaces ~/.koji (its cert line counts, ~/.koji/config does not)',
    files: {
      'home/.koji/config': cbs(['authtype = noauth']),
      'own.conf': cbs(['cert = ~/.centos.cert']),
    },
    certs: { 'home/.centos.cert': 30 },
    userConfig: 'own.conf',
    login: 'ssl',
    cert: 'home/.centos.cert',
  },
  {
    name: 'an authtype koji does not know: no login method',
    files: { 'home/.koji/config': cbs(['authtype = krb5']) },
    login: 'none',
  },
];

function materialize(c: Case): Layout {
  const l = layout();
  for (const [rel, text] of Object.entries(c.files)) {
    mkdirSync(path.dirname(path.join(l.root, rel)), { recursive: true });
    writeFileSync(path.join(l.root, rel), text);
  }
  for (const [rel, days] of Object.entries(c.certs ?? {})) makeClientCert(path.join(l.root, rel), days);
  return l;
}

/** What kplay makes of the profile. */
function kplaySees(c: Case, l: Layout): { login: Login; cert: string; serverca: string; server: string } {
  try {
    const p = readKojiProfile(c.profile ?? 'cbs', {
      home: l.home,
      sysconfDir: l.etc,
      ...(c.userConfig ? { userConfig: path.join(l.root, c.userConfig) } : {}),
    });
    return { login: kojiLoginOf(p), cert: p.cert, serverca: p.serverca, server: p.server };
  } catch (err) {
    if (err instanceof UsageError && /authtype/.test(err.message)) return { login: 'none', cert: '', serverca: '', server: '' };
    throw err;
  }
}

/** What the koji CLI makes of it: `koji -p PROFILE [-c FILE] hello`. */
async function cliSees(c: Case, l: Layout): Promise<{ login: Login; cert: string; serverca: string; server: string }> {
  const args = ['-p', c.profile ?? 'cbs', ...(c.userConfig ? ['-c', path.join(l.root, c.userConfig)] : []), 'hello'];
  const r = await execa(process.execPath, [fakeKoji, ...args], {
    reject: false,
    env: { HOME: l.home, KPLAY_KOJI_SYSCONFDIR: l.etc, FAKE_KRB5_TICKET: '1', PATH: process.env.PATH ?? '' },
    extendEnv: false,
  });
  if (/Unable to log in, no authentication methods available/.test(r.stderr)) return { login: 'none', cert: '', serverca: '', server: '' };
  expect(r.exitCode, r.stderr).toBe(0);
  const out = r.stdout;
  const certLine = /Authenticated via client certificate (.*)$/m.exec(out);
  return {
    login: certLine ? 'ssl' : /Authenticated via GSSAPI/.test(out) ? 'kerberos' : 'noauth',
    cert: certLine?.[1] ?? '',
    serverca: /fake-koji: serverca (.*)$/m.exec(out)![1]!.replace('(none)', ''),
    server: /You are using the hub at (\S+)/.exec(out)![1]!,
  };
}

describe("koji profiles: kplay and the koji CLI read the same files the same way (koji's read_config and activate_session)", () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const l = materialize(c);
    const mine = kplaySees(c, l);
    const cli = await cliSees(c, l);
    expect(mine.login).toBe(c.login);
    expect(cli.login).toBe(c.login);
    if (c.login === 'ssl') {
      expect(mine.cert).toBe(path.join(l.root, c.cert!));
      expect(cli.cert).toBe(mine.cert);
    } else if (c.cert !== undefined) {
      expect(mine.cert).toBe(c.cert ? path.join(l.root, c.cert) : '');
    }
    if (c.login !== 'none') {
      expect(cli.serverca).toBe(mine.serverca);
      expect(mine.serverca).toBe(c.serverca ? path.join(l.root, c.serverca) : '');
      expect(cli.server).toBe(mine.server);
      expect(mine.server).toBe(c.server ?? HUB);
    }
  });
});

/** A self-signed hub certificate for 127.0.0.1 (openssl CLI), used as its own CA. */
function hubCertificate(dir: string): { key: string; cert: string; caFile: string } {
  const key = path.join(dir, 'hub.key');
  const cert = path.join(dir, 'hub.crt');
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

const hubs: RunningKojiHub[] = [];
async function world(hubOpts: KojiHubOptions = {}, lines: string[] = [], certDays: number | null = 30) {
  const hub = await startKojiHub(hubOpts);
  hubs.push(hub);
  const box = makeCbsSandbox({ hubUrl: hub.url, certDays, realSrpm: true });
  writeFileSync(
    path.join(box.home, '.koji', 'config'),
    ['[cbs]', `server = ${hub.url}`, `weburl = ${box.weburl}`, ...lines, ''].join('\n'),
  );
  return { hub, box };
}
const submit = (box: CbsSandbox, extra: string[], env: Record<string, string> = {}) =>
  kplay(['submit', '--srpm', box.srpm, ...extra], box.env(env));

beforeAll(async () => {
  await ensureKplayBuilt();
}, 300_000);
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});
afterAll(() => {
  for (const h of hubs) void h.close();
});

describe('the three koji differences, end to end against the local hub and the koji CLI stand-in', () => {
  it('[cbs] without a cert line and an expired ~/.centos.cert: the CLI logs in with Kerberos; kplay does not stop at the stale file', async () => {
    const { hub, box } = await world({}, [], -1);
    const r = await submit(box, ['--cbs', TARGET, '--scratch', '--no-wait'], { FAKE_KRB5_TICKET: '1' });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('E_CBS_CERT_EXPIRED');
    expect(r.stdout).toContain('login: Kerberos (GSSAPI), done by the koji CLI');
    expect(hub.builds.size).toBe(1);
  });

  it("no serverca line: the watcher uses koji's ~/.koji/serverca.crt and verifies the https hub", async () => {
    const dir = tempDirSync('kplay-kojirules-tls-');
    const tls = hubCertificate(dir);
    const { box } = await world({ tls: { key: tls.key, cert: tls.cert } }, ['cert = ~/.centos.cert']);
    copyFileSync(tls.caFile, path.join(box.home, '.koji', 'serverca.crt'));
    const r = await submit(box, ['--cbs', TARGET, '--scratch', '--wait']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/build: succeeded$/m);
    expect(r.stderr).not.toContain('E_CBS_HUB_CERT');
  });

  it('promote, status and cancel: the NVR the hub built (name-1.0-1.el9s), and the recorded -c config, with no extra flags', async () => {
    const { hub, box } = await world({}, ['cert = ~/.centos.cert']);
    // the profile lives only in a -c file: cancel/promote/status must find it from the record
    const own = path.join(box.root, 'own-koji.conf');
    copyFileSync(path.join(box.home, '.koji', 'config'), own);
    rmSync(path.join(box.home, '.koji', 'config'));
    // `cbs` alone is not on PATH: `koji -p cbs -c FILE ...`, so the -c path sits before the subcommand
    rmSync(path.join(box.bin, 'cbs'));
    execFileSync('ln', ['-s', fakeKoji, path.join(box.bin, 'koji')]);
    expect(path.basename(box.srpm)).toBe('kplay-cbs-probe-1.0-1.src.rpm'); // made on a host without %dist

    const dry = await submit(box, ['--cbs', TARGET, '--koji-config', own, '--dry-run']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('listBuilds(taskID=TASK_ID)');
    const r = await submit(box, ['--cbs', TARGET, '--koji-config', own, '--wait']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^built kplay-cbs-probe-1\.0-1\.el9s \(build \d+\)/m);
    const record = JSON.parse(readFileSync(path.join(box.stateDir, 'cbs-task.json'), 'utf8')) as {
      kojiConfig: string;
      build: { nvr: string };
    };
    expect(record.kojiConfig).toBe(own);
    expect(record.build.nvr).toBe('kplay-cbs-probe-1.0-1.el9s');
    expect(hub.calls.some((c) => c.method === 'listBuilds')).toBe(true);

    const status = await kplay(['status', '--state-dir', box.stateDir], box.env());
    expect(status.exitCode, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^ {2}built kplay-cbs-probe-1\.0-1\.el9s \(build \d+\)$/m);

    const promote = await kplay(['promote', '--state-dir', box.stateDir, '--cbs', 'kmods9s-packages-main-testing'], box.env());
    expect(promote.exitCode, promote.stderr).toBe(0);
    expect(box.cliRuns().at(-1)).toEqual({
      prog: 'koji',
      argv: ['-p', 'cbs', '-c', own, 'tag-build', '--nowait', 'kmods9s-packages-main-testing', 'kplay-cbs-probe-1.0-1.el9s'],
    });
    expect(hub.tagged.get('kmods9s-packages-main-testing')).toEqual(new Set(['kplay-cbs-probe-1.0-1.el9s']));

    // a refusal names the subcommand, not the -c path
    const twice = await kplay(['promote', '--state-dir', box.stateDir, '--cbs', 'kmods9s-packages-main-testing'], box.env());
    expect(twice.exitCode).toBe(1);
    expect(twice.stderr).toMatch(/error E_CBS_CLI_FAILED: `koji tag-build` failed: .*already tagged/);
    expect(twice.stderr).not.toContain(`koji ${own}`);

    const cancel = await kplay(['cancel', '--state-dir', box.stateDir, '--dry-run'], box.env());
    expect(cancel.stdout).toContain(`would run: koji -p cbs -c ${own} cancel`);
  });

  it('promote before the hub has a build says so (E_CBS_NO_BUILD), never guessing from the file name', async () => {
    const { box } = await world({}, ['cert = ~/.centos.cert']);
    expect((await submit(box, ['--cbs', TARGET, '--no-wait'])).exitCode).toBe(0);
    const r = await kplay(['promote', '--state-dir', box.stateDir, '--cbs', 'kmods9s-packages-main-testing', '--dry-run'], box.env());
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/error E_CBS_NO_BUILD: the hub http:\/\/127\.0\.0\.1:\d+\/kojihub has no build made by task \d+/);
  });

  it('the dry run runs the checks of the real run: W_CBS_KERNEL_TO_KMODS and the refused koji options', async () => {
    const { hub } = await world();
    const box = makeCbsSandbox({ hubUrl: hub.url }); // kernel-stream-plus-6.1.0-1.el9.src.rpm
    const dry = await submit(box, ['--cbs', TARGET, '--scratch', '--dry-run']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stderr).toContain(`warning W_CBS_KERNEL_TO_KMODS: kernel-stream-plus is a full kernel, but ${TARGET} is a kmods SIG target`);
    expect(box.cliRuns()).toHaveLength(0);
    const refused = await submit(box, ['--cbs', TARGET, '--rebuild-srpm', '--dry-run']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('--rebuild-srpm/--no-rebuild-srpm is only allowed for --scratch builds');
    // and the real run passes koji's options through with koji's names
    const real = await submit(box, ['--cbs', TARGET, '--scratch', '--no-rebuild-srpm', '--background', '--wait-repo', '--no-wait']);
    expect(real.exitCode, real.stderr).toBe(0);
    expect(box.cliRuns().at(-1)!.argv).toEqual([
      'build',
      '--scratch',
      '--no-rebuild-srpm',
      '--background',
      '--wait-repo',
      '--nowait',
      TARGET,
      box.srpm,
    ]);
    const build = [...hub.builds.values()].at(-1)!;
    expect(build.opts).toMatchObject({ scratch: true, rebuild_srpm: false, wait_repo: true });
    expect(build.priority).toBe(5);
  });
});
