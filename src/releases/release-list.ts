import { UsageError } from '../findings/finding.js';
import { parseKernelVersion } from '../model/kernel-version.js';
import { codePointOrder } from '../model/code-point-order.js';

/** One row of kernel.org's release list (releases.json). */
export interface KernelRelease {
  /** mainline, stable, longterm or linux-next. */
  moniker: string;
  version: string;
  /** Tarball URL as kernel.org publishes it (mainline rcs live on git.kernel.org). */
  source?: string;
  iseol: boolean;
  released?: string;
}

export interface ReleaseList {
  latestStable?: string;
  releases: KernelRelease[];
}

/** Read kernel.org's releases.json; anything that is not that shape is a UsageError naming the URL. */
export function parseReleaseList(text: string, from: string): ReleaseList {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${from}: the release list is not JSON: ${(err as Error).message}`);
  }
  const obj = data as { latest_stable?: { version?: unknown }; releases?: unknown };
  if (!obj || typeof obj !== 'object' || !Array.isArray(obj.releases)) {
    throw new UsageError(`${from}: the release list has no 'releases' array`);
  }
  const releases: KernelRelease[] = [];
  for (const r of obj.releases as Array<Record<string, unknown>>) {
    if (!r || typeof r.version !== 'string' || typeof r.moniker !== 'string') continue;
    const released = (r.released as { isodate?: unknown } | undefined)?.isodate;
    releases.push({
      moniker: r.moniker,
      version: r.version,
      ...(typeof r.source === 'string' && r.source ? { source: r.source } : {}),
      iseol: r.iseol === true,
      ...(typeof released === 'string' ? { released } : {}),
    });
  }
  const latest = obj.latest_stable?.version;
  return { ...(typeof latest === 'string' ? { latestStable: latest } : {}), releases };
}

export const RELEASE_SELECTORS = ['latest-stable', 'stable', 'longterm', 'mainline', '<major>.<minor>.x'] as const;

/** Whether text names a release selector rather than a version. */
export function isReleaseSelector(text: string): boolean {
  return ['latest-stable', 'stable', 'longterm', 'mainline'].includes(text) || /^\d+\.\d+\.x$/.test(text);
}

/**
 * Pick the release a selector names: `latest-stable` (the list's latest_stable), `stable` (same),
 * `longterm` (the newest longterm series), `mainline` (the mainline row), `6.12.x` (that series'
 * newest release, whatever its moniker). Undefined when the list has none.
 */
export function selectRelease(list: ReleaseList, selector: string): KernelRelease | undefined {
  const usable = list.releases.filter((r) => r.moniker !== 'linux-next' && parseKernelVersion(r.version));
  const newest = (rows: KernelRelease[]) => [...rows].sort((a, b) => compareReleases(b.version, a.version))[0];
  switch (selector) {
    case 'latest-stable':
    case 'stable': {
      const v = list.latestStable;
      return (v ? usable.find((r) => r.version === v) : undefined) ?? newest(usable.filter((r) => r.moniker === 'stable'));
    }
    case 'longterm':
      return newest(usable.filter((r) => r.moniker === 'longterm'));
    case 'mainline':
      return newest(usable.filter((r) => r.moniker === 'mainline'));
    default: {
      const m = /^(\d+)\.(\d+)\.x$/.exec(selector);
      if (!m) throw new UsageError(`'${selector}' is not a release selector: use ${RELEASE_SELECTORS.join(', ')}`);
      return newest(usable.filter((r) => seriesOf(r.version) === `${m[1]}.${m[2]}`));
    }
  }
}

/** `6.12` of `6.12.117` or `6.12-rc3`. */
export function seriesOf(version: string): string | undefined {
  const v = parseKernelVersion(version);
  return v ? `${v.numbers[0]}.${v.numbers[1]}` : undefined;
}

/** Numeric release order (rcs before their release). */
export function compareReleases(a: string, b: string): number {
  const x = parseKernelVersion(a);
  const y = parseKernelVersion(b);
  if (!x || !y) return codePointOrder(a, b);
  for (let i = 0; i < 3; i++) if (x.numbers[i] !== y.numbers[i]) return x.numbers[i]! - y.numbers[i]!;
  if (x.rc === y.rc) return 0;
  return x.rc === undefined ? 1 : y.rc === undefined ? -1 : x.rc - y.rc;
}
