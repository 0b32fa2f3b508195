import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError, type Finding } from '../findings/finding.js';
import { formatFinding } from '../findings/format-finding.js';
import { cleanupOnSignal } from '../fs/cleanup-on-signal.js';

/**
 * The one place kplay runs code it did not write: a feature's Makefile (`make M=`), a spec's
 * %prep (`rpmbuild -bp`), a kernel tree's `conf` and its Kconfig `$(shell …)`, a dist-git's
 * scripts. Everything runs under bubblewrap (`bwrap`): the whole file system read-only, $HOME and
 * the known credential files hidden, a private /tmp and /dev, no network (new network, IPC, PID,
 * UTS and cgroup namespaces), no capabilities, the given folders the only writable places, a
 * cleared environment, rlimits set by `prlimit` inside, and a wall clock that kills the whole
 * process tree. docs/safety.md describes the threat model.
 */
export interface SandboxRequest {
  /** Command and arguments, run inside. */
  argv: string[];
  /** Working folder inside (a writable or read-only folder; absolute). */
  cwd: string;
  /** Folders bound read-write (normally one work folder). */
  writable: string[];
  /** Extra inputs bound read-only (the whole / is read-only anyway, minus the hidden paths). */
  readOnly?: string[];
  /** The only environment passed (plus a minimal PATH, HOME=/nonexistent and LANG=C unless given). */
  env?: Record<string, string>;
  /** Wall clock; the whole process tree is killed when it runs out. */
  timeoutMs: number;
  limits?: SandboxLimits;
  /** Aborting (Ctrl-C of kplay) kills the tree. */
  signal?: AbortSignal;
  /** Bind /bin/bash over /bin/sh (a distribution's %prep on Debian, whose sh is dash). */
  shAsBash?: boolean;
  /** More paths to hide (files or folders: e.g. a signing key given on the command line). */
  hide?: string[];
  /** Bytes written to the command's standard input. */
  input?: string | Buffer;
  /**
   * Run without bubblewrap when it is missing (the user passed --unsandboxed-i-trust-the-inputs).
   * Defaults to the process-wide choice made by `allowUnsandboxed()`.
   */
  allowUnsandboxed?: boolean;
}

export interface SandboxLimits {
  /** RLIMIT_CPU of each process. */
  cpuSeconds?: number;
  /** RLIMIT_AS (address space) of each process. */
  memoryBytes?: number;
  /** Bytes of stdout and of stderr kept (the head and the tail); more sets `truncated`. */
  outputBytes?: number;
  /** RLIMIT_FSIZE: the largest file a process may write. */
  fileSizeBytes?: number;
  /** New processes the command may create (RLIMIT_NPROC over the user's current count). */
  processes?: number;
}

export interface SandboxResult {
  exitCode: number | null;
  /** The signal that ended the command (SIGKILL after a timeout or an abort). */
  signal?: string;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** Some output was dropped (more than `limits.outputBytes`). */
  truncated: boolean;
  /** Aborted through `signal`. */
  aborted?: boolean;
  /** False when run without bubblewrap (the user's explicit trust flag). */
  sandboxed?: boolean;
}

/** Limits applied when the request gives none. */
export const DEFAULT_LIMITS: Required<Omit<SandboxLimits, 'cpuSeconds'>> = {
  memoryBytes: 8 * 1024 ** 3,
  outputBytes: 4 * 1024 ** 2,
  fileSizeBytes: 8 * 1024 ** 3,
  processes: 4096,
};

/** The flag that runs untrusted steps without a sandbox, and what it gives away. */
export const UNSANDBOXED_FLAG = '--unsandboxed-i-trust-the-inputs';
export const UNSANDBOXED_GIVES_AWAY =
  'the patches, Makefiles, Kconfig $(shell) lines and spec scripts then run as you, with your files, $HOME, credentials (SSH agent, ~/.config/copr, Koji certificates, signing keys) and the network';

export const MINIMAL_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Credential files and folders under $HOME that are hidden even when a bound folder is under $HOME. */
export const HIDDEN_UNDER_HOME = ['.ssh', '.gnupg', '.config/copr', '.koji', '.centos.cert', '.netrc', '.docker', '.aws', '.kube', '.pki'];

let processWideUnsandboxed = false;
let warnedUnsandboxed = false;

/** The CLI calls this when the user passed `--unsandboxed-i-trust-the-inputs`. */
export function allowUnsandboxed(allow = true): void {
  processWideUnsandboxed = allow;
}

/** The bubblewrap binary (KPLAY_BWRAP overrides it, for tests of the missing-tool path). */
export function bwrapPath(): string {
  if (process.env.KPLAY_BWRAP) return process.env.KPLAY_BWRAP;
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    if (!dir) continue;
    const p = path.join(dir, 'bwrap');
    if (existsSync(p)) return p;
  }
  return '/usr/bin/bwrap';
}

export const SANDBOX_INSTALL = 'install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora/RHEL: dnf install bubblewrap)';

let availability: Promise<{ ok: true } | { ok: false; why: string; install: string }> | undefined;
let availabilityFor: string | undefined;

/** Whether bubblewrap is installed and can create its namespaces here (probed once per process). */
export function sandboxAvailable(): Promise<{ ok: true } | { ok: false; why: string; install: string }> {
  const bwrap = bwrapPath();
  if (availability && availabilityFor === bwrap) return availability;
  availabilityFor = bwrap;
  availability = new Promise((resolve) => {
    if (!existsSync(bwrap)) {
      resolve({ ok: false, why: `bubblewrap (${bwrap}) is not installed`, install: SANDBOX_INSTALL });
      return;
    }
    const child = spawn(
      bwrap,
      ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--unshare-all', '--die-with-parent', '--cap-drop', 'ALL', 'true'],
      {
        // bwrap finds `true` on this PATH, not the caller's (which may hold only a test's fake tools)
        env: { PATH: MINIMAL_PATH },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    const err: Buffer[] = [];
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => resolve({ ok: false, why: `${bwrap} cannot run: ${e.message}`, install: SANDBOX_INSTALL }));
    child.on('close', (code) => {
      if (code === 0) resolve({ ok: true });
      else {
        const why = Buffer.concat(err).toString('utf8').trim().split('\n')[0] || `exit status ${code}`;
        resolve({
          ok: false,
          why: `bubblewrap cannot create its namespaces here: ${why}`,
          install:
            'allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1) or run bwrap setuid, as the distribution package does where needed',
        });
      }
    });
  });
  return availability;
}

/** The refusal when the sandbox cannot run: one finding naming the package and the trust flag. */
export class SandboxUnavailableError extends UsageError {
  constructor(
    readonly why: string,
    readonly install: string,
    what: string,
  ) {
    const f: Finding = {
      code: 'E_SANDBOX_UNAVAILABLE',
      severity: 'error',
      message: `${what} runs code from the variant, its features or the kernel tree, and kplay runs such code only in a sandbox: ${why}`,
      hint: `${install}; or, only if you trust every patch, Makefile and spec involved, pass ${UNSANDBOXED_FLAG} (${UNSANDBOXED_GIVES_AWAY})`,
    };
    super(f.message, [f], 2);
    this.name = 'SandboxUnavailableError';
  }
}

/** Number of processes the real user of this process owns now (RLIMIT_NPROC counts them all). */
function processesOfThisUser(): number {
  const uid = process.getuid?.() ?? -1;
  let n = 0;
  try {
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        if (statSync(`/proc/${name}`).uid === uid) n++;
      } catch {
        /* gone */
      }
    }
  } catch {
    return 0;
  }
  return n;
}

/** The `prlimit` words in front of the command (util-linux; Debian and Fedora install it always). */
export function prlimitArgs(limits: SandboxLimits | undefined, currentProcesses: number): string[] {
  const l = { ...DEFAULT_LIMITS, ...limits };
  const out = ['prlimit'];
  if (l.cpuSeconds !== undefined) out.push(`--cpu=${Math.max(1, Math.ceil(l.cpuSeconds))}`);
  out.push(`--as=${l.memoryBytes}`);
  out.push(`--fsize=${l.fileSizeBytes}`);
  out.push(`--nproc=${currentProcesses + l.processes}`);
  out.push('--core=0');
  out.push('--');
  return out;
}

function homeDirs(): string[] {
  const homes = new Set<string>();
  for (const h of [os.homedir(), process.env.HOME]) if (h && path.isAbsolute(h) && path.resolve(h) !== '/') homes.add(path.resolve(h));
  return [...homes];
}

function under(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** What to hide: $HOME (a tmpfs), the credential paths under it, the SSH agent's folder, /run/user. */
export function hiddenPaths(req: Pick<SandboxRequest, 'hide'>, env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  for (const h of homeDirs()) for (const rel of HIDDEN_UNDER_HOME) out.push(path.join(h, rel));
  if (env.SSH_AUTH_SOCK && path.isAbsolute(env.SSH_AUTH_SOCK)) out.push(path.dirname(env.SSH_AUTH_SOCK));
  if (env.KRB5CCNAME?.startsWith('FILE:')) out.push(env.KRB5CCNAME.slice(5));
  else if (env.KRB5CCNAME && path.isAbsolute(env.KRB5CCNAME)) out.push(env.KRB5CCNAME);
  out.push('/run/user');
  for (const h of req.hide ?? []) out.push(path.resolve(h));
  return [...new Set(out)].filter((p) => p !== '/' && p !== '/tmp');
}

/** The bwrap arguments for a request (without the command): exported for the unit tests. */
export function bwrapArgs(req: SandboxRequest, opts: { exists?: (p: string) => 'dir' | 'file' | undefined } = {}): string[] {
  const kind =
    opts.exists ??
    ((p: string): 'dir' | 'file' | undefined => {
      try {
        return statSync(p).isDirectory() ? 'dir' : 'file';
      } catch {
        return undefined;
      }
    });
  const a = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--tmpfs', '/var/tmp'];
  // $HOME becomes an empty tmpfs (a folder the sandbox binds back may lie under it)
  for (const h of homeDirs()) if (kind(h) === 'dir') a.push('--tmpfs', h);
  a.push('--unshare-all', '--die-with-parent', '--new-session', '--cap-drop', 'ALL', '--clearenv');
  for (const ro of req.readOnly ?? []) {
    const p = path.resolve(ro);
    if (kind(p)) a.push('--ro-bind', p, p);
  }
  for (const w of req.writable) {
    const p = path.resolve(w);
    a.push('--bind', p, p);
  }
  // hidden after the binds: a credential under a bound folder stays hidden (what lies under the
  // $HOME tmpfs and no bound folder is already invisible)
  const binds = [...req.writable, ...(req.readOnly ?? [])].map((b) => path.resolve(b));
  const homes = homeDirs();
  for (const h of hiddenPaths(req)) {
    if (homes.some((home) => under(h, home)) && !binds.some((b) => under(h, b))) continue;
    const k = kind(h);
    if (k === 'dir') a.push('--tmpfs', h);
    else if (k === 'file') a.push('--ro-bind', '/dev/null', h);
  }
  if (req.shAsBash) a.push('--ro-bind', '/bin/bash', '/bin/sh');
  const env: Record<string, string> = { PATH: MINIMAL_PATH, HOME: '/nonexistent', LANG: 'C', ...req.env };
  for (const [k, v] of Object.entries(env)) a.push('--setenv', k, v);
  a.push('--chdir', path.resolve(req.cwd));
  return a;
}

/** Keeps the first and the last `limit / 2` bytes of a stream. */
class BoundedOutput {
  private head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  dropped = false;
  constructor(private readonly limit: number) {}
  push(chunk: Buffer): void {
    const half = Math.floor(this.limit / 2);
    if (this.headBytes < half) {
      const take = chunk.subarray(0, half - this.headBytes);
      this.head.push(take);
      this.headBytes += take.length;
      chunk = chunk.subarray(take.length);
    }
    if (!chunk.length) return;
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    while (this.tailBytes > this.limit - half && this.tail.length) {
      const first = this.tail[0]!;
      const excess = this.tailBytes - (this.limit - half);
      this.dropped = true;
      if (first.length <= excess) {
        this.tail.shift();
        this.tailBytes -= first.length;
      } else {
        this.tail[0] = first.subarray(excess);
        this.tailBytes -= excess;
      }
    }
  }
  text(): string {
    const head = Buffer.concat(this.head).toString('utf8');
    const tail = Buffer.concat(this.tail).toString('utf8');
    return this.dropped ? `${head}\n[… output truncated by kplay's sandbox …]\n${tail}` : head + tail;
  }
}

function warnUnsandboxedOnce(): void {
  if (warnedUnsandboxed) return;
  warnedUnsandboxed = true;
  process.stderr.write(
    `${formatFinding({
      code: 'W_UNSANDBOXED',
      severity: 'warning',
      message: `running code from the inputs without a sandbox (${UNSANDBOXED_FLAG})`,
      hint: `${UNSANDBOXED_GIVES_AWAY}; ${SANDBOX_INSTALL}`,
    })}\n`,
  );
}

/**
 * Run a command in the sandbox and collect its output. Never rejects for the command's own
 * failure (see `exitCode`, `signal`, `timedOut`); throws `SandboxUnavailableError` (a finding,
 * exit 2) when bubblewrap cannot run and the user did not pass the trust flag.
 */
export async function runSandboxed(req: SandboxRequest): Promise<SandboxResult> {
  if (!req.argv.length) throw new Error('runSandboxed: empty argv');
  const avail = await sandboxAvailable();
  const unsandboxed = !avail.ok;
  if (!avail.ok) {
    if (!(req.allowUnsandboxed ?? processWideUnsandboxed))
      throw new SandboxUnavailableError(avail.why, avail.install, `\`${path.basename(req.argv[0]!)}\``);
    warnUnsandboxedOnce();
  }
  const limits = { ...DEFAULT_LIMITS, ...req.limits };
  const command = [...prlimitArgs(req.limits, processesOfThisUser()), ...req.argv];
  let file: string;
  let args: string[];
  let env: NodeJS.ProcessEnv;
  if (unsandboxed) {
    [file, ...args] = command as [string, ...string[]];
    env = { PATH: MINIMAL_PATH, HOME: '/nonexistent', LANG: 'C', ...req.env };
  } else {
    file = bwrapPath();
    args = [...bwrapArgs(req), '--', ...command];
    env = { PATH: MINIMAL_PATH, LANG: 'C' };
  }
  return new Promise<SandboxResult>((resolve, reject) => {
    const stdout = new BoundedOutput(limits.outputBytes);
    const stderr = new BoundedOutput(limits.outputBytes);
    let timedOut = false;
    let aborted = false;
    const child = spawn(file, args, {
      cwd: unsandboxed ? req.cwd : '/',
      env,
      detached: true, // its own process group: killed as a whole
      stdio: [req.input !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    const killTree = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const unregister = cleanupOnSignal(killTree);
    const timer = setTimeout(() => {
      timedOut = true;
      killTree();
    }, req.timeoutMs);
    const onAbort = (): void => {
      aborted = true;
      killTree();
    };
    if (req.signal) {
      if (req.signal.aborted) onAbort();
      else req.signal.addEventListener('abort', onAbort, { once: true });
    }
    child.stdout!.on('data', (c: Buffer) => stdout.push(c));
    child.stderr!.on('data', (c: Buffer) => stderr.push(c));
    if (req.input !== undefined && child.stdin) {
      child.stdin.on('error', () => {
        /* the command did not read its input */
      });
      child.stdin.end(req.input);
    }
    const finish = (): void => {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      unregister();
    };
    child.on('error', (e) => {
      finish();
      reject(e);
    });
    child.on('close', (code, sig) => {
      // without bwrap's PID namespace, the group may still hold a process that closed its output
      if (unsandboxed) killTree();
      finish();
      resolve({
        exitCode: code,
        ...(sig ? { signal: sig } : {}),
        timedOut,
        ...(aborted ? { aborted } : {}),
        stdout: stdout.text(),
        stderr: stderr.text(),
        truncated: stdout.dropped || stderr.dropped,
        sandboxed: !unsandboxed,
      });
    });
  });
}
