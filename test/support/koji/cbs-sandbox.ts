import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { makeClientCert } from './make-client-cert.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const fakeKoji = path.join(here, 'fake-koji.mjs');

/**
 * A temporary world for one CBS end-to-end test: HOME with ~/.koji/config and ~/.centos.cert,
 * an empty sysconf folder (so /etc/koji.conf.d of the machine is not read), a bin folder with
 * the fake `cbs` and/or `koji`, an SRPM, and a log of every fake CLI run.
 */
export interface CbsSandbox {
  root: string;
  home: string;
  bin: string;
  srpm: string;
  stateDir: string;
  log: string;
  hubUrl: string;
  weburl: string;
  topurl: string;
  env(extra?: Record<string, string>): Record<string, string>;
  cliRuns(): Array<{ prog: string; argv: string[] }>;
}

export interface SandboxOptions {
  hubUrl: string;
  clients?: Array<'cbs' | 'koji'>;
  /** Days of validity of ~/.centos.cert; -1 expired; null for no certificate. */
  certDays?: number | null;
  /** Extra lines for the [cbs] section. */
  profileLines?: string[];
  /** Build a real SRPM with `rpmbuild -bs` from test/support/koji/kplay-cbs-probe.spec (else any file named *.src.rpm). */
  realSrpm?: boolean;
}

/** `rpmbuild -bs` of the probe spec into `outDir`; returns the SRPM path. */
export function buildProbeSrpm(outDir: string): string {
  const top = path.join(outDir, 'rpmbuild');
  execFileSync(
    'rpmbuild',
    ['-bs', '--define', `_topdir ${top}`, '--define', `_srcrpmdir ${outDir}`, path.join(here, 'kplay-cbs-probe.spec')],
    { stdio: 'pipe' },
  );
  const srpm = readdirSync(outDir).find((n) => n.endsWith('.src.rpm'));
  if (!srpm) throw new Error('rpmbuild -bs wrote no SRPM');
  return path.join(outDir, srpm);
}

/** Every sandbox this test file made; removed when the file's tests end. */
const made: string[] = [];
afterAll(() => {
  for (const root of made.splice(0)) rmSync(root, { recursive: true, force: true });
});

export function makeCbsSandbox(opts: SandboxOptions): CbsSandbox {
  const root = mkdtempSync(path.join(os.tmpdir(), 'kplay-cbs-'));
  made.push(root);
  const home = path.join(root, 'home');
  const bin = path.join(root, 'bin');
  const etc = path.join(root, 'etc');
  const out = path.join(root, 'out');
  for (const d of [path.join(home, '.koji'), bin, etc, out]) mkdirSync(d, { recursive: true });
  const weburl = 'https://cbs.test/koji';
  const topurl = 'https://cbs.test/kojifiles';
  writeFileSync(
    path.join(home, '.koji', 'config'),
    [
      '[cbs]',
      `server = ${opts.hubUrl}`,
      `weburl = ${weburl}`,
      `topurl = ${topurl}`,
      'cert = ~/.centos.cert',
      ...(opts.profileLines ?? ['max_retries = 8']),
      '',
    ].join('\n'),
  );
  const certDays = opts.certDays === undefined ? 30 : opts.certDays;
  if (certDays !== null) makeClientCert(path.join(home, '.centos.cert'), certDays);
  for (const c of opts.clients ?? ['cbs']) symlinkSync(fakeKoji, path.join(bin, c));
  let srpm: string;
  if (opts.realSrpm) srpm = buildProbeSrpm(out);
  else {
    srpm = path.join(out, 'kernel-stream-plus-6.1.0-1.el9.src.rpm');
    writeFileSync(srpm, 'not really an rpm: only FAKE_KOJI_CHECK_SRPM=1 makes the fake CLI read it\n');
  }
  const log = path.join(root, 'cli-runs.jsonl');
  return {
    root,
    home,
    bin,
    srpm,
    stateDir: out,
    log,
    hubUrl: opts.hubUrl,
    weburl,
    topurl,
    env: (extra = {}) => ({
      HOME: home,
      PATH: `${bin}${path.delimiter}${path.dirname(process.execPath)}`,
      KPLAY_KOJI_SYSCONFDIR: etc,
      KPLAY_POLL_INTERVAL_MS: '5',
      KPLAY_RETRY_INTERVAL_MS: '5',
      FAKE_KOJI_LOG: log,
      NO_COLOR: '1',
      ...extra,
    }),
    cliRuns: () => {
      try {
        return readFileSync(log, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { prog: string; argv: string[] });
      } catch {
        return [];
      }
    },
  };
}
