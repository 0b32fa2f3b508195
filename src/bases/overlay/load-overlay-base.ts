import path from 'node:path';
import { displayPath, isInside, realPathInside } from '../../model/safe-path.js';
import type { DistGitOrigin, OverlayBase } from '../../model/variant.js';
import { parseKernelVersion } from '../../model/kernel-version.js';
import type { BaseSettingContext } from '../base-kind.js';
import { DISTRIBUTIONS } from './distribution-defaults.js';

export type { BaseSettingContext };

const VANILLA_ONLY = ['source', 'config'] as const;

/** A path given in the variant, resolved against the variant's folder; escapes and missing files are findings. */
async function localPath(key: 'path' | 'srpm', value: string, ctx: BaseSettingContext): Promise<string | undefined> {
  const where = ctx.whereSet(['base', key]);
  const folder = ctx.folderOf(['base', key]);
  const abs = path.resolve(folder, value);
  const check = await realPathInside(path.dirname(folder), abs);
  // a dist-git checkout usually sits next to the repository, so one level above variants/ is allowed
  if (!isInside(path.dirname(folder), abs) || (check.exists && !check.real)) {
    ctx.findings.push({
      code: 'E_PATH_ESCAPE',
      severity: 'error',
      message: `base ${key} '${value}' leaves the repository`,
      where,
      hint: 'keep dist-git checkouts and SRPMs inside the repository (e.g. dist-git/kernel)',
    });
    return undefined;
  }
  if (!check.exists) {
    ctx.findings.push({
      code: 'E_OVERLAY_BASE_MISSING',
      severity: 'error',
      message: `base ${key} ${displayPath(abs)} does not exist`,
      where,
    });
    return undefined;
  }
  return abs;
}

/**
 * `base.kind: fedora | centos-stream`: exactly one of `dist-git`, `path` or `srpm`, plus the
 * overlay options (rename, without, short-patches). Returns undefined after pushing findings.
 */
export async function loadOverlayBase(base: Record<string, unknown>, ctx: BaseSettingContext): Promise<OverlayBase | undefined> {
  const kind = base.kind as OverlayBase['kind'];
  const where = ctx.whereSet(['base']);
  const before = ctx.findings.length;
  for (const key of VANILLA_ONLY) {
    if (base[key] !== undefined) {
      ctx.findings.push({
        code: 'E_SCHEMA',
        severity: 'error',
        message: `base.${key} is for vanilla bases; a ${kind} base takes its sources and configs from the distribution's kernel package`,
        where: ctx.whereSet(['base', key]),
      });
    }
  }
  const given = (['dist-git', 'path', 'srpm'] as const).filter((k) => base[k] !== undefined);
  if (given.length !== 1) {
    ctx.findings.push({
      code: 'E_SCHEMA',
      severity: 'error',
      message: given.length
        ? `base gives ${given.join(' and ')}: give only one`
        : `a ${kind} base needs one of dist-git (url + ref), path (a local checkout) or srpm`,
      where,
      hint: 'e.g. dist-git: { ref: f41 }',
    });
  }
  const version = base.version === undefined ? '' : typeof base.version === 'string' ? base.version : JSON.stringify(base.version);
  if (version && !parseKernelVersion(version)) {
    ctx.findings.push({
      code: 'E_VERSION_SYNTAX',
      severity: 'error',
      message: `base version '${version}' is not a kernel release`,
      where: ctx.whereSet(['base', 'version']),
    });
  }
  const pkg = (base.package as string | undefined) ?? 'kernel';
  let origin: DistGitOrigin | undefined;
  if (given.length === 1) {
    const which = given[0]!;
    if (which === 'dist-git') {
      const dg = base['dist-git'] as { url?: string; ref: string };
      origin = { kind: 'git', url: dg.url ?? DISTRIBUTIONS[kind].distGitUrl(pkg), ref: dg.ref, where: ctx.whereSet(['base', 'dist-git']) };
    } else {
      const abs = await localPath(which, String(base[which]), ctx);
      if (abs) origin = { kind: which, path: abs, display: displayPath(abs), where: ctx.whereSet(['base', which]) };
    }
  }
  let rename: string | undefined;
  if (base.rename === true) rename = `kernel-${ctx.variantName}`;
  else if (typeof base.rename === 'string') rename = base.rename;
  if (ctx.findings.length > before || !origin) return undefined;
  return {
    kind,
    version,
    versionWhere: base.version === undefined ? where : ctx.whereSet(['base', 'version']),
    origin,
    package: pkg,
    ...(rename ? { rename } : {}),
    without: (base.without as OverlayBase['without'] | undefined) ?? [],
    shortPatches: (base['short-patches'] as OverlayBase['shortPatches'] | undefined) ?? 'pad',
    where,
  };
}
