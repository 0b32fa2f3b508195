import { UsageError, type SourceLocation } from '../../findings/finding.js';
import type { CbsTarget } from '../../model/types.js';

/** Target, profile and kind of a CBS submission, from the flags over the variant's `targets.cbs`. */
export interface CbsRequest {
  target: string;
  profile: string;
  scratch: boolean;
  /** Where the target came from (the variant), for messages. */
  where?: SourceLocation;
  /** `--koji-config FILE`, passed on to the CLI as `-c FILE`. */
  userConfig?: string;
  /** `--arch-override`: scratch builds only (koji refuses it otherwise). */
  archOverride?: string[];
  /** `--fail-fast`: stop the other arches when one fails (overrides build_arch_can_fail). */
  failFast: boolean;
  /** `--skip-tag`: build, but do not tag into the destination tag. */
  skipTag: boolean;
  /** koji build options passed through with koji's own names (see KOJI_BUILD_OPTIONS). */
  buildOptions: KojiBuildOptions;
}

/**
 * `koji build` options kplay passes on unchanged (cli/koji_cli/commands.py handle_build):
 * `--rebuild-srpm`/`--no-rebuild-srpm` (scratch only: a real build always follows the build
 * tag's `rebuild_srpm`, True by default), `--background` (priority 5, below the default),
 * `--wait-repo` (wait for a current repo of the build tag), `--wait-build NVR` (wait until NVR
 * is in the buildroot repo: the build this one depends on), `--draft` (not with --scratch).
 */
export interface KojiBuildOptions {
  rebuildSrpm?: boolean;
  background?: boolean;
  waitRepo?: boolean;
  waitBuilds?: string[];
  draft?: boolean;
}

/** The options as koji's CLI flags, in a stable order (also the record's key for a resume). */
export function kojiBuildFlags(o: KojiBuildOptions): string[] {
  return [
    ...(o.rebuildSrpm === true ? ['--rebuild-srpm'] : o.rebuildSrpm === false ? ['--no-rebuild-srpm'] : []),
    ...(o.background ? ['--background'] : []),
    ...(o.waitRepo ? ['--wait-repo'] : []),
    ...(o.waitBuilds ?? []).map((nvr) => `--wait-build=${nvr}`),
    ...(o.draft ? ['--draft'] : []),
  ];
}

export interface CbsFlags {
  cbs?: string | boolean;
  scratch?: boolean;
  kojiProfile?: string;
  kojiConfig?: string;
  archOverride?: string;
  failFast?: boolean;
  skipTag?: boolean;
  rebuildSrpm?: boolean;
  background?: boolean;
  waitRepo?: boolean;
  waitBuild?: string[];
  draft?: boolean;
}

const NVR = /^[\w.+~^-]+-[\w.+~^]+-[\w.+~^]+$/;

function kojiBuildOptions(flags: CbsFlags, scratch: boolean): KojiBuildOptions {
  // the refusals are koji_cli's own (parser.error in handle_build), found before anything runs
  if (flags.rebuildSrpm !== undefined && !scratch) {
    throw new UsageError('--rebuild-srpm/--no-rebuild-srpm is only allowed for --scratch builds (koji refuses it for real builds)');
  }
  if (flags.draft && scratch) throw new UsageError('--scratch and --draft cannot be both specified (koji refuses it)');
  const waitBuilds = flags.waitBuild ?? [];
  const bad = waitBuilds.find((n) => !NVR.test(n));
  if (bad !== undefined) throw new UsageError(`--wait-build: "${bad}" is not a name-version-release`);
  return {
    ...(flags.rebuildSrpm !== undefined ? { rebuildSrpm: flags.rebuildSrpm } : {}),
    ...(flags.background ? { background: true } : {}),
    ...(flags.waitRepo ? { waitRepo: true } : {}),
    ...(waitBuilds.length ? { waitBuilds } : {}),
    ...(flags.draft ? { draft: true } : {}),
  };
}

export function resolveCbsRequest(flags: CbsFlags, variantTarget: CbsTarget | undefined): CbsRequest {
  const fromFlag = typeof flags.cbs === 'string' ? flags.cbs.trim() : undefined;
  if (fromFlag !== undefined && /\.(ya?ml|src\.rpm)$/.test(fromFlag)) {
    throw new UsageError(`"${fromFlag}" was taken as the CBS target: put the variant before --cbs (kplay submit VARIANT --cbs [TARGET])`);
  }
  const target = fromFlag || variantTarget?.target;
  if (!target) {
    const message = 'no CBS build target: pass --cbs TARGET or set targets.cbs.target in the variant';
    throw new UsageError(message, [
      { code: 'E_CBS_NO_TARGET', severity: 'error', message, hint: 'list the targets with `cbs list-targets`' },
    ]);
  }
  if (!/^[\w.+-]+$/.test(target)) throw new UsageError(`"${target}" is not a Koji build target name`);
  const scratch = flags.scratch ?? variantTarget?.scratch ?? false;
  let archOverride: string[] | undefined;
  if (flags.archOverride !== undefined) {
    // koji_cli handle_build: "--arch_override is only allowed for --scratch builds"
    if (!scratch) throw new UsageError('--arch-override is only allowed for --scratch builds (koji refuses it for real builds)');
    // koji.parse_arches: comma or space separated
    archOverride = flags.archOverride.split(/[\s,]+/).filter(Boolean);
    const bad = archOverride.find((a) => !/^[a-z0-9_]+$/.test(a));
    if (!archOverride.length || bad !== undefined)
      throw new UsageError(`--arch-override: "${flags.archOverride}" is not a list of arches (e.g. x86_64,aarch64)`);
  }
  return {
    target,
    profile: flags.kojiProfile || variantTarget?.profile || 'cbs',
    scratch,
    where: fromFlag ? undefined : variantTarget?.where,
    userConfig: flags.kojiConfig,
    ...(archOverride ? { archOverride } : {}),
    failFast: Boolean(flags.failFast),
    skipTag: Boolean(flags.skipTag),
    buildOptions: kojiBuildOptions(flags, scratch),
  };
}
