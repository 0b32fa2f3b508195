import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  bwrapArgs,
  hiddenPaths,
  prlimitArgs,
  runSandboxed,
  SandboxUnavailableError,
  UNSANDBOXED_FLAG,
  type SandboxRequest,
} from '../../../src/sandbox/run-sandboxed.js';
import { requireSystemFile } from '../../support/kernel-tree.js';
import { tempDir } from '../../support/temp-dir.js';

/**
 * The sandbox every untrusted step runs in (src/sandbox/run-sandboxed.ts), with the real
 * bubblewrap: what is hidden, read-only and writable, the network, the limits, the wall clock
 * and Ctrl-C killing the whole tree. Each test starts a sandbox or two: ~50 ms each.
 */
requireSystemFile('/usr/bin/bwrap', 'bubblewrap');

/** Pids whose command line contains `marker` (the process tree a test started). */
function processesWith(marker: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(marker)) out.push(Number(name));
    } catch {
      /* gone */
    }
  }
  return out;
}

async function sh(work: string, script: string, extra: Partial<SandboxRequest> = {}) {
  return runSandboxed({ argv: ['/bin/sh', '-c', script], cwd: work, writable: [work], timeoutMs: 20_000, ...extra });
}

describe('bwrap arguments', () => {
  const exists = (p: string): 'dir' | 'file' | undefined =>
    p.endsWith('.centos.cert') ? 'file' : p.includes('nothing') ? undefined : 'dir';

  it('gives a read-only root, private /tmp, no network, no capabilities, a cleared environment', () => {
    const a = bwrapArgs({ argv: ['true'], cwd: '/w', writable: ['/w'], timeoutMs: 1, env: { A: 'b' } }, { exists });
    const s = a.join(' ');
    expect(s).toMatch(/^--ro-bind \/ \/ --dev \/dev --proc \/proc --tmpfs \/tmp/);
    for (const w of ['--unshare-all', '--die-with-parent', '--new-session', '--cap-drop ALL', '--clearenv', '--bind /w /w', '--chdir /w'])
      expect(s).toContain(w);
    expect(s).toContain('--setenv A b');
    expect(s).toContain('--setenv HOME /nonexistent');
    expect(s).not.toContain('SSH_AUTH_SOCK');
  });

  it('hides $HOME and then the credentials even under a bound folder, after the binds', () => {
    const home = os.homedir();
    const a = bwrapArgs({ argv: ['true'], cwd: home, writable: [home], timeoutMs: 1, hide: ['/keys/sign.pem'] }, { exists: () => 'file' });
    const bind = a.indexOf('--bind');
    const ssh = a.indexOf(path.join(home, '.ssh'));
    expect(bind).toBeGreaterThan(0);
    expect(ssh).toBeGreaterThan(bind);
    expect(a[ssh - 2]).toBe('--ro-bind');
    expect(a[ssh - 1]).toBe('/dev/null');
    expect(a).toContain('/keys/sign.pem');
    const d = bwrapArgs({ argv: ['true'], cwd: '/w', writable: ['/w'], timeoutMs: 1 }, { exists: () => 'dir' });
    expect(d[d.indexOf(home) - 1]).toBe('--tmpfs');
    expect(d).not.toContain(path.join(home, '.ssh'));
  });

  it('hides the SSH agent folder and the Kerberos cache; binds bash over sh on request', () => {
    const hidden = hiddenPaths({}, { SSH_AUTH_SOCK: '/run/agent-x/sock', KRB5CCNAME: 'FILE:/var/krb/cc' });
    expect(hidden).toContain('/run/agent-x');
    expect(hidden).toContain('/var/krb/cc');
    for (const c of ['.config/copr', '.koji', '.centos.cert', '.ssh']) expect(hidden).toContain(path.join(os.homedir(), c));
    const a = bwrapArgs({ argv: ['true'], cwd: '/w', writable: ['/w'], timeoutMs: 1, shAsBash: true }, { exists });
    expect(a.join(' ')).toContain('--ro-bind /bin/bash /bin/sh');
  });

  it('turns the limits into prlimit words', () => {
    expect(prlimitArgs({ cpuSeconds: 2.5, memoryBytes: 100, fileSizeBytes: 10, processes: 5 }, 40)).toEqual([
      'prlimit',
      '--cpu=3',
      '--as=100',
      '--fsize=10',
      '--nproc=45',
      '--core=0',
      '--',
    ]);
  });
});

describe('runSandboxed (real bubblewrap)', () => {
  it('writes only in the work folder; the rest of the file system is read-only, /tmp private', async () => {
    const work = await tempDir('kplay-sbx-');
    const outside = await tempDir('kplay-sbx-outside-');
    const r = await sh(work, `touch ok; touch ${outside}/CANARY 2>&1; touch /tmp/x && echo private-tmp; ls /tmp`);
    expect(r.exitCode).toBe(0);
    expect(existsSync(path.join(work, 'ok'))).toBe(true);
    expect(existsSync(path.join(outside, 'CANARY'))).toBe(false);
    // read-only, or not there at all when the test folder lives under /tmp (the sandbox's /tmp is its own)
    expect(r.stdout).toMatch(/Read-only file system|No such file or directory/);
    expect(r.stdout).toContain('private-tmp');
    expect(existsSync('/tmp/x')).toBe(false);
    expect(r.sandboxed).toBe(true);
  });

  it('hides $HOME and passes only the given environment', async () => {
    const work = await tempDir('kplay-sbx-');
    const r = await sh(work, 'ls -A "$0"; env | sort', {
      argv: ['/bin/sh', '-c', 'ls -A "$0" | wc -l; env | sort', os.homedir()],
      env: { ONLY: 'this' },
    });
    const [count, ...env] = r.stdout.trim().split('\n');
    expect(count).toBe('0');
    expect(env.filter((l) => !/^(PWD|SHLVL|_)=/.test(l)).sort()).toEqual(
      ['HOME=/nonexistent', 'LANG=C', 'ONLY=this', expect.stringMatching(/^PATH=/) as unknown as string].sort(),
    );
  });

  it('has no network: a socket to the outside cannot connect', async () => {
    const work = await tempDir('kplay-sbx-');
    const r = await runSandboxed({
      argv: [
        'python3',
        '-c',
        "import socket\ntry:\n socket.create_connection(('1.1.1.1', 80), 2); print('connected')\nexcept OSError as e: print('unreachable', e)",
      ],
      cwd: work,
      writable: [work],
      timeoutMs: 20_000,
    });
    expect(r.stdout).toMatch(/^unreachable/);
  });

  it('a read-only input is readable but not writable', async () => {
    const work = await tempDir('kplay-sbx-');
    const input = await tempDir('kplay-sbx-in-');
    await writeFile(path.join(input, 'f'), 'data');
    const r = await sh(work, `cat ${input}/f; echo >> ${input}/f 2>/dev/null || echo refused`, { readOnly: [input] });
    expect(r.stdout).toBe('datarefused\n');
    expect(readFileSync(path.join(input, 'f'), 'utf8')).toBe('data');
  });

  it('kills the whole tree on timeout and leaves no process', async () => {
    const work = await tempDir('kplay-sbx-');
    const marker = `kplay-sbx-sleep-${process.pid}`;
    const start = Date.now();
    const r = await sh(work, `(sleep 300; : ${marker}) & (setsid sh -c 'sleep 300; : ${marker}' &) ; sleep 300; : ${marker}`, {
      timeoutMs: 500,
    });
    expect(Date.now() - start).toBeLessThan(5_000);
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).toBeNull();
    await new Promise((res) => setTimeout(res, 100));
    expect(processesWith(marker)).toEqual([]);
  });

  it('an abort (Ctrl-C) kills the tree', async () => {
    const work = await tempDir('kplay-sbx-');
    const marker = `kplay-sbx-abort-${process.pid}`;
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const r = await sh(work, `sleep 300; : ${marker}`, { signal: ac.signal });
    expect(r.aborted).toBe(true);
    expect(processesWith(marker)).toEqual([]);
  });

  it('applies the file-size and output limits', async () => {
    const work = await tempDir('kplay-sbx-');
    const r = await sh(work, 'head -c 100000 /dev/zero > big; ls -l big | wc -c; yes line | head -n 100000', {
      limits: { fileSizeBytes: 4096, outputBytes: 1000 },
    });
    expect(r.truncated).toBe(true);
    expect(r.stdout.length).toBeLessThan(1200);
    const { size } = await import('node:fs/promises').then((f) => f.stat(path.join(work, 'big')));
    expect(size).toBeLessThanOrEqual(4096);
  });

  it('binds bash over sh when asked', async () => {
    const work = await tempDir('kplay-sbx-');
    const r = await runSandboxed({
      argv: ['/bin/sh', '-c', 'echo ${BASH_VERSION:-dash}'],
      cwd: work,
      writable: [work],
      timeoutMs: 10_000,
      shAsBash: true,
    });
    expect(r.stdout).toMatch(/^\d+\./);
  });

  it('refuses with E_SANDBOX_UNAVAILABLE naming bubblewrap and the trust flag when bwrap is missing', async () => {
    const work = await tempDir('kplay-sbx-');
    await mkdir(path.join(work, 'd'));
    const old = process.env.KPLAY_BWRAP;
    process.env.KPLAY_BWRAP = path.join(work, 'no-bwrap');
    try {
      const err = await sh(work, 'true').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SandboxUnavailableError);
      const f = (err as SandboxUnavailableError).findings[0]!;
      expect(f.code).toBe('E_SANDBOX_UNAVAILABLE');
      expect(f.hint).toContain('bubblewrap');
      expect(f.hint).toContain(UNSANDBOXED_FLAG);
      const trusted = await sh(work, 'echo ran', { allowUnsandboxed: true });
      expect(trusted.stdout).toBe('ran\n');
      expect(trusted.sandboxed).toBe(false);
    } finally {
      if (old === undefined) delete process.env.KPLAY_BWRAP;
      else process.env.KPLAY_BWRAP = old;
    }
  });
});
