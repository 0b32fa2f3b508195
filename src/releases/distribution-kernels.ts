/** One build of a distribution kernel as a repository or a build system lists it. */
export interface DistributionKernel {
  /** `5.14.0-570.el9`: what kmod.kernel-version holds. */
  versionRelease: string;
  epoch?: number;
  arch?: string;
}

/** Where a distribution's kernels are listed: a repository's metadata or a Koji tag. */
export interface DistributionKernelSource {
  /** For messages and reports: the repository URL or `koji:<hub>#<tag>`. */
  readonly label: string;
  /** The kernels listed, each version-release checked with isKernelVersionRelease. */
  kernels(): Promise<DistributionKernel[]>;
  /** Version-releases the last kernels() left out because they are not valid. */
  readonly refused?: readonly string[];
}

/**
 * A kernel version-release as rpm makes it and kmod.kernel-version holds it (the variant schema's
 * pattern: `5.14.0-570.el9`, `6.12.0-55.12.1.el10_0`): digits and dots, one `-`, then letters,
 * digits, `.` and `_`; at most 128 characters. Everything from a repository or a hub is checked
 * with this before it is used anywhere (paths with {kernel}, rewritten files, outputs).
 */
export function isKernelVersionRelease(v: string): boolean {
  return v.length <= 128 && /^\d+\.\d+(\.\d+)?-[A-Za-z0-9._]+$/.test(v);
}

/** `9` of `5.14.0-570.el9` or `570.12.1.el9_6`; undefined without an `.elN` / `.fcN` tag. */
function distOf(versionRelease: string): string | undefined {
  return /\.(el\d+|fc\d+)/.exec(versionRelease.slice(versionRelease.lastIndexOf('-') + 1))?.[1];
}

/**
 * The newest kernel of the same series as `current`, by rpm order: same distribution tag (el9
 * does not move to el10, fc43 not to fc44) and, for Enterprise Linux (`.elN`), the same upstream
 * version (Stream keeps 5.14.0 or 6.12.0 for its life; Fedora rebases within a release).
 */
export function newestKernelLike(
  kernels: readonly DistributionKernel[],
  current: string,
  compare: (a: string, b: string) => number,
): string | undefined {
  const upstream = current.split('-')[0];
  const dist = distOf(current);
  const fixedUpstream = dist === undefined || dist.startsWith('el');
  const same = [...new Set(kernels.map((k) => k.versionRelease))].filter(
    (v) => distOf(v) === dist && (!fixedUpstream || v.split('-')[0] === upstream),
  );
  return same.sort(compare).at(-1);
}
