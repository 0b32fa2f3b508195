import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { cleanupOnSignal } from '../fs/cleanup-on-signal.js';
import { MARKER } from './init-script.js';

/**
 * Boot a kernel with an initramfs in QEMU, serial console on stdout, and collect the console.
 * KVM when /dev/kvm is usable and the guest really runs under it (some hosts give "KVM internal
 * error" at the first instruction: QEMU then stops without exiting), TCG otherwise. The guest is
 * only the kernel kplay just built and busybox; QEMU runs it without network or disk, with a
 * wall clock, and is killed (its whole process group) on timeout or when kplay stops.
 */
export interface BootOptions {
  qemu: string;
  /** `-M virt -cpu max` and the console name differ on aarch64. */
  arch: 'x86_64' | 'aarch64';
  kernel: string;
  initrd: string;
  memoryMiB?: number;
  timeoutMs: number;
  /** Force one accelerator (tests); default: kvm when it works, else tcg. */
  accel?: 'kvm' | 'tcg';
  signal?: AbortSignal;
}

export interface BootResult {
  accel: 'kvm' | 'tcg';
  console: string;
  exitCode: number | null;
  timedOut: boolean;
  seconds: number;
  /** Why KVM was not used, when it was tried. */
  kvmFallback?: string;
}

const KVM_FAILED =
  /KVM internal error|failed to initialize kvm|Could not access KVM kernel module|kvm: .*(not supported|Permission denied)/i;

/**
 * How long a KVM guest may take to reach /init before kplay boots it under TCG instead: under KVM
 * a smoke kernel gets there in a second or two; a host where KVM hangs silently (seen here: QEMU
 * at 20 % CPU, no console output, for minutes) would otherwise cost the whole boot budget first.
 */
export const KVM_PROBE_MS = 60_000;

function kvmUsable(): boolean {
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export function qemuArgs(o: BootOptions, accel: 'kvm' | 'tcg'): string[] {
  const cpu = o.arch === 'aarch64' ? ['-cpu', accel === 'kvm' ? 'host' : 'max'] : [];
  const machine = o.arch === 'aarch64' ? ['-M', 'virt', ...cpu] : cpu;
  const console = o.arch === 'aarch64' ? 'ttyAMA0' : 'ttyS0';
  return [
    ...machine,
    '-accel',
    accel,
    '-m',
    String(o.memoryMiB ?? 512),
    '-smp',
    '1',
    '-nographic',
    '-monitor',
    'none',
    '-no-reboot',
    '-nic',
    'none',
    '-kernel',
    o.kernel,
    '-initrd',
    o.initrd,
    '-append',
    `console=${console} panic=-1 quiet`,
  ];
}

function runOnce(
  o: BootOptions,
  accel: 'kvm' | 'tcg',
  timeoutMs: number,
  stopOn?: RegExp,
  mustSee?: { text: string; withinMs: number; why: string },
): Promise<Omit<BootResult, 'kvmFallback'> & { stopped?: string; signal?: string }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(o.qemu, qemuArgs(o, accel), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    let timedOut = false;
    let stopped: string | undefined;
    const kill = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    };
    const unregister = cleanupOnSignal(kill);
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    // a KVM that hangs without a word (no error, no guest output) is given up early, not after the whole budget
    const probe = mustSee
      ? setTimeout(() => {
          if (!out.includes(mustSee.text) && !stopped) {
            stopped = mustSee.why;
            kill();
          }
        }, mustSee.withinMs)
      : undefined;
    const onAbort = () => kill();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const onData = (c: Buffer) => {
      out += c.toString('latin1');
      if (out.length > 8 * 1024 * 1024) out = out.slice(-4 * 1024 * 1024);
      if (stopOn && !stopped) {
        const m = stopOn.exec(out);
        if (m) {
          stopped = m[0];
          kill();
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => {
      clearTimeout(timer);
      clearTimeout(probe);
      unregister();
      reject(e);
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      clearTimeout(probe);
      unregister();
      o.signal?.removeEventListener('abort', onAbort);
      resolve({
        accel,
        console: out,
        exitCode: code,
        timedOut,
        seconds: (Date.now() - started) / 1000,
        ...(stopped ? { stopped } : {}),
        ...(sig ? { signal: sig } : {}),
      });
    });
  });
}

export async function bootKernel(o: BootOptions): Promise<BootResult> {
  const tryKvm = o.accel ? o.accel === 'kvm' : kvmUsable();
  if (tryKvm) {
    const withinMs = Math.min(o.timeoutMs, KVM_PROBE_MS);
    const probe = { text: `${MARKER} boot`, withinMs, why: `KVM: the guest did not reach /init in ${Math.round(withinMs / 1000)} s` };
    // --accel kvm asked for KVM whatever it costs: no early give-up there
    const r = await runOnce(o, 'kvm', o.timeoutMs, KVM_FAILED, o.accel === 'kvm' ? undefined : probe);
    if (o.accel === 'kvm' || r.console.includes(`${MARKER} boot`)) return r;
    // KVM that never got the guest to /init (an internal error, an assertion on the host's MSRs,
    // an exit): the same boot under TCG decides
    const why =
      r.stopped ??
      KVM_FAILED.exec(r.console)?.[0] ??
      (r.console
        .trim()
        .split('\n')
        .find((l) => /error|assert/i.test(l)) ||
        `QEMU ended (${r.exitCode ?? r.signal ?? 'killed'}) before /init`);
    const t = await runOnce(o, 'tcg', o.timeoutMs);
    return { ...t, seconds: r.seconds + t.seconds, kvmFallback: why.slice(0, 200) };
  }
  return runOnce(o, 'tcg', o.timeoutMs);
}
