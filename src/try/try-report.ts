import type { Finding } from '../findings/finding.js';

/** One feature in the guest: its modules, its test lines, and what came of them. */
export interface TryFeatureResult {
  name: string;
  /** pass: every module loaded and every line exited 0; built: nothing to run in the guest (or no --boot); not-run: the guest never got to it. */
  status: 'pass' | 'fail' | 'built' | 'not-run';
  modules: Array<{ name: string; loaded: boolean }>;
  tests: Array<{ command: string; rc: number | null; output?: string; skipped?: boolean }>;
}

/** What `kplay try --json` prints. */
export interface TryReport {
  variant: string;
  arch: string;
  config: 'smoke' | 'full';
  kernelSource: string | undefined;
  build?: { ok: boolean; step?: string; jobs: number; ccache?: { hits: number; misses: number }; kernelRelease?: string };
  boot?: { accel: 'kvm' | 'tcg'; seconds: number; kvmFallback?: string; booted: boolean; finished: boolean; initramfsBytes: number };
  features: TryFeatureResult[];
  findings: Finding[];
  exitCode: number;
  seconds: Partial<Record<'extract' | 'prepare' | 'config' | 'build' | 'modules', number>> & { total: number };
  /** The work folder, with --keep. */
  kept?: string;
}

function secs(n: number | undefined): string {
  return n === undefined ? '-' : n < 10 ? `${n.toFixed(1)} s` : `${Math.round(n)} s`;
}

/** The lines `kplay try` prints on stdout: one per feature, then the build and boot summary. */
export function reportLines(r: TryReport): string[] {
  const lines: string[] = [];
  for (const f of r.features) {
    const mods = f.modules.length
      ? `modules ${f.modules.map((m) => `${m.name}${m.loaded ? '' : ' (not loaded)'}`).join(', ')}`
      : 'no modules';
    const ran = f.tests.filter((t) => !t.skipped).length;
    const tests = f.tests.length ? `${ran}/${f.tests.length} test line(s) run` : 'no test: block';
    lines.push(`${f.status.padEnd(7)} ${f.name}: ${mods}; ${tests}`);
  }
  if (r.build) {
    const cc = r.build.ccache ? `, ccache ${r.build.ccache.hits} hit(s) ${r.build.ccache.misses} miss(es)` : '';
    lines.push(
      `build   ${r.build.ok ? 'ok' : `failed (${r.build.step})`}: ${r.config} config, make -j${r.build.jobs}${cc}; extract ${secs(r.seconds.extract)}, config ${secs(r.seconds.config)}, build ${secs(r.seconds.build)}, modules ${secs(r.seconds.modules)}`,
    );
  }
  if (r.boot) {
    lines.push(
      `boot    ${r.boot.finished ? 'ok' : r.boot.booted ? 'stopped' : 'failed'}: QEMU ${r.boot.accel}${r.boot.kvmFallback ? ` (KVM: ${r.boot.kvmFallback})` : ''}, ${secs(r.boot.seconds)}, initramfs ${Math.round(r.boot.initramfsBytes / 1024)} KiB`,
    );
  }
  if (r.kept) lines.push(`kept    ${r.kept}`);
  lines.push(`total   ${secs(r.seconds.total)}`);
  return lines;
}
