import { formatLocation } from '../../findings/format-finding.js';
import { UsageError } from '../../findings/finding.js';
import type { CoprTarget } from '../../model/types.js';

/**
 * Default build timeout for a kernel, in seconds: 30 h. Copr's own default (5 h) is too short for a
 * full kernel with debuginfo on the slower builders (aarch64, ppc64le, s390x), where Fedora kernel
 * builds take many hours and queue time is not counted. 30 h is also Copr's maximum.
 */
export const DEFAULT_KERNEL_BUILD_TIMEOUT = 108_000;

/**
 * Copr refuses longer timeouts with a 400: the frontend's `MAX_BUILD_TIMEOUT = 108000`
 * (fedora-copr/copr frontend/coprs_frontend/coprs/config.py, used by forms.py's NumberRange).
 */
export const MAX_COPR_TIMEOUT = 108_000;

/** Project settings kplay sends with `project/add` (names as Copr's API has them). */
export interface CoprProjectSettings {
  description?: string;
  instructions?: string;
  isolation?: string;
  bootstrap?: string;
  follow_fedora_branching?: boolean;
  auto_prune?: boolean;
  delete_after_days?: number;
  additional_repos?: string[];
  /**
   * The project's default for builds, only when the variant sets targets.copr.enable_net: the
   * build's own `enable_net` (always sent) decides this build, so a per-build --enable-net never
   * edits the project (copr-cli's `build --enable-net on|off` does not either).
   */
  enable_net?: boolean;
}

/** Everything that decides where and how the build runs, from the CLI over the variant's targets.copr. */
export interface CoprPlan {
  /** Undefined when only a project name was given: the owner is the token's user. */
  owner?: string;
  project: string;
  chroots: string[];
  timeout: number;
  /** This build's enable_net, always sent: --enable-net on|off, else targets.copr.enable_net, else false. */
  enableNet: boolean;
  description?: string;
  settings: CoprProjectSettings;
  /** rpmbuild --without options set on each wanted chroot (`without_opts`). */
  without: string[];
  /** copr-cli --background: the build is a background job (lower priority than regular builds). */
  background?: boolean;
  /** copr-cli --after-build-id: a new batch that starts once that build's batch has finished. */
  afterBuildId?: number;
  /** copr-cli --with-build-id: the same batch as that build (built side by side). */
  withBuildId?: number;
}

/** copr-cli's --exclude-chroot patterns (fnmatch: `*`, `?`, `[...]`) as a test. */
export function chrootPattern(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
        re += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function buildId(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} ${JSON.stringify(value)}: give a Copr build id (a whole number)`);
  return n;
}

const NAME = /^@?[A-Za-z0-9][A-Za-z0-9._+-]*$/;
const CHROOT = /^[a-z0-9][a-z0-9._+-]*$/i;

/** `owner/project`, `@group/project`, or a bare `project`. */
export function parseCoprProject(value: string, where: string): { owner?: string; project: string } {
  if (/\.ya?ml$/i.test(value)) {
    throw new UsageError(
      `${where}: ${JSON.stringify(value)} looks like a variant file, not a Copr project; put the variant before --copr (kplay submit VARIANT --copr)`,
    );
  }
  const parts = value.split('/');
  const [a, b] = parts;
  if (parts.length === 2 && a && b && NAME.test(a) && NAME.test(b) && !b.startsWith('@')) return { owner: a, project: b };
  if (parts.length === 1 && a && NAME.test(a) && !a.startsWith('@')) return { project: a };
  throw new UsageError(`${where}: ${JSON.stringify(value)} is not a Copr project; write owner/project (or @group/project)`);
}

/**
 * Merge the submit options with the variant's targets.copr: a CLI value wins; `--chroot` given
 * at least once replaces the variant's list.
 */
export function resolveCoprPlan(options: Record<string, unknown>, target: CoprTarget | undefined): CoprPlan {
  const targetWhere = target ? formatLocation(target.where) : 'targets.copr';
  let owner: string | undefined;
  let project: string;
  if (typeof options.copr === 'string') {
    ({ owner, project } = parseCoprProject(options.copr, '--copr'));
  } else if (target?.project) {
    ({ owner, project } = parseCoprProject(target.project, targetWhere));
  } else {
    throw new UsageError('name the Copr project: --copr owner/project, or targets.copr.project in the variant');
  }
  const cliChroots = Array.isArray(options.chroot) ? (options.chroot as string[]) : [];
  const excluded = Array.isArray(options.excludeChroot) ? (options.excludeChroot as string[]) : [];
  const allChroots = [...new Set(cliChroots.length ? cliChroots : (target?.chroots ?? []))];
  const chroots = allChroots.filter((c) => !excluded.some((g) => chrootPattern(g).test(c)));
  if (allChroots.length && chroots.length === 0) {
    throw new UsageError(`--exclude-chroot ${excluded.join(' ')} leaves none of the chroots ${allChroots.join(', ')}`);
  }
  if (chroots.length === 0) {
    throw new UsageError('name at least one chroot: --chroot fedora-rawhide-x86_64 (repeatable), or targets.copr.chroots in the variant');
  }
  for (const c of chroots)
    if (!CHROOT.test(c)) throw new UsageError(`${JSON.stringify(c)} is not a Copr chroot name (e.g. fedora-rawhide-x86_64)`);
  const timeout = parseTimeout(options.timeout, target?.timeout, targetWhere);
  const enableNet = enableNetOption(options.enableNet) ?? target?.enable_net ?? false;
  const settings: CoprProjectSettings = target?.enable_net !== undefined ? { enable_net: target.enable_net } : {};
  if (target) {
    for (const k of [
      'description',
      'instructions',
      'isolation',
      'bootstrap',
      'follow_fedora_branching',
      'auto_prune',
      'delete_after_days',
      'additional_repos',
    ] as const) {
      if (target[k] !== undefined) (settings as unknown as Record<string, unknown>)[k] = target[k];
    }
  }
  const afterBuildId = buildId(options.afterBuildId, '--after-build-id');
  const withBuildId = buildId(options.withBuildId, '--with-build-id');
  // the frontend's setup_batch: "You may either build after build ID, or with build id, not both."
  if (afterBuildId !== undefined && withBuildId !== undefined)
    throw new UsageError('--after-build-id and --with-build-id cannot be used together (Copr refuses both)');
  return {
    owner,
    project,
    chroots,
    timeout,
    enableNet,
    description: target?.description,
    settings,
    without: target?.without ?? [],
    ...(options.background === true ? { background: true } : {}),
    ...(afterBuildId !== undefined ? { afterBuildId } : {}),
    ...(withBuildId !== undefined ? { withBuildId } : {}),
  };
}

/** copr-cli's `--enable-net on|off`; a bare `--enable-net` is on. */
function enableNetOption(v: unknown): boolean | undefined {
  if (v === undefined || v === false) return undefined;
  if (v === true || v === 'on') return true;
  if (v === 'off') return false;
  throw new UsageError(`--enable-net ${JSON.stringify(v)}: give on or off (as copr-cli takes it)`);
}

function parseTimeout(cli: unknown, fromTarget: number | undefined, targetWhere: string): number {
  const [value, where] =
    cli !== undefined
      ? [Number(cli), '--timeout']
      : fromTarget !== undefined
        ? [fromTarget, `${targetWhere}: timeout`]
        : [DEFAULT_KERNEL_BUILD_TIMEOUT, ''];
  if (!Number.isInteger(value) || value <= 0 || value > MAX_COPR_TIMEOUT) {
    throw new UsageError(`${where}: the build timeout must be a whole number of seconds from 1 to ${MAX_COPR_TIMEOUT} (Copr's maximum)`);
  }
  return value;
}
