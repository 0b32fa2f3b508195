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
}

export interface CbsFlags {
  cbs?: string | boolean;
  scratch?: boolean;
  kojiProfile?: string;
  kojiConfig?: string;
}

export function resolveCbsRequest(flags: CbsFlags, variantTarget: CbsTarget | undefined): CbsRequest {
  const fromFlag = typeof flags.cbs === 'string' ? flags.cbs.trim() : undefined;
  if (fromFlag !== undefined && /\.(ya?ml|src\.rpm)$/.test(fromFlag)) {
    throw new UsageError(
      `"${fromFlag}" was taken as the CBS target: put the variant before --cbs (kplay submit VARIANT --cbs [TARGET])`,
    );
  }
  const target = fromFlag || variantTarget?.target;
  if (!target) {
    const message = 'no CBS build target: pass --cbs TARGET or set targets.cbs.target in the variant';
    throw new UsageError(message, [
      { code: 'E_CBS_NO_TARGET', severity: 'error', message, hint: 'list the targets with `cbs list-targets`' },
    ]);
  }
  if (!/^[\w.+-]+$/.test(target)) throw new UsageError(`"${target}" is not a Koji build target name`);
  return {
    target,
    profile: flags.kojiProfile || variantTarget?.profile || 'cbs',
    scratch: flags.scratch ?? variantTarget?.scratch ?? false,
    where: fromFlag ? undefined : variantTarget?.where,
    userConfig: flags.kojiConfig,
  };
}
