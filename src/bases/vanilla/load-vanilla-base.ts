import path from 'node:path';
import type { RpmArch } from '../../model/arch.js';
import { parseKernelVersion } from '../../model/kernel-version.js';
import { displayPath, isInside, realPathInside } from '../../model/safe-path.js';
import type { BaseConfig, VanillaBase } from '../../model/variant.js';
import { tarballUrl } from '../../releases/kernel-org-urls.js';
import type { BaseSettingContext } from '../base-kind.js';

async function baseConfigs(ctx: BaseSettingContext): Promise<Partial<Record<RpmArch, BaseConfig>>> {
  const out: Partial<Record<RpmArch, BaseConfig>> = {};
  const given = ((ctx.data.base as Record<string, unknown>).config ?? {}) as Record<string, unknown>;
  for (const arch of ctx.arches) {
    const v = given[arch];
    const where = v === undefined ? ctx.whereSet(['arches']) : ctx.whereSet(['base', 'config', arch]);
    if (v === undefined || typeof v === 'string') {
      out[arch] = { kind: 'target', target: v ?? 'defconfig', where };
    } else if (typeof v === 'object' && v && 'file' in v) {
      // relative to the variant file that set it
      const folder = ctx.folderOf(['base', 'config', arch]);
      const abs = path.resolve(folder, String((v as { file: string }).file));
      const check = await realPathInside(folder, abs);
      if (!isInside(folder, abs) || (check.exists && !check.real)) {
        ctx.findings.push({
          code: 'E_PATH_ESCAPE',
          severity: 'error',
          message: `base config file '${(v as { file: string }).file}' leaves the folder of ${ctx.fileOf(['base', 'config', arch])}`,
          where,
          hint: 'keep base configs next to the variant, e.g. variants/configs/',
        });
        continue;
      }
      if (!check.exists) {
        ctx.findings.push({
          code: 'E_BASE_CONFIG_MISSING',
          severity: 'error',
          message: `base config file ${displayPath(abs)} does not exist`,
          where,
        });
        continue;
      }
      out[arch] = { kind: 'file', path: abs, display: displayPath(abs), where };
    } else {
      const u = v as { url: string; sha256: string; 'file-name'?: string };
      out[arch] = {
        kind: 'url',
        url: u.url,
        sha256: u.sha256,
        ...(u['file-name'] !== undefined ? { fileName: u['file-name'] } : {}),
        where,
      };
    }
  }
  return out;
}

/**
 * `base.kind: vanilla`: a kernel.org release (`version`), its tarball (`source`, kernel.org's by
 * default) and per arch a base config: a make target (defconfig), a file next to the variant, or
 * a URL with its digest. Returns undefined after pushing findings.
 */
export async function loadVanillaBase(ctx: BaseSettingContext): Promise<VanillaBase | undefined> {
  const before = ctx.findings.filter((f) => f.severity === 'error').length;
  const base = (ctx.data.base ?? {}) as Record<string, unknown>;
  const version = String(base.version);
  const versionWhere = ctx.whereSet(['base', 'version']);
  if (!parseKernelVersion(version)) {
    ctx.findings.push({
      code: 'E_VERSION_SYNTAX',
      severity: 'error',
      message: `base version '${version}' is not a kernel release`,
      where: versionWhere,
    });
  }
  const source = (base.source ?? {}) as { url?: string; sha256?: string; topdir?: string; 'file-name'?: string };
  const url = source.url ?? tarballUrl(version);
  const config = await baseConfigs(ctx);
  if (ctx.findings.filter((f) => f.severity === 'error').length > before) return undefined;
  return {
    kind: 'vanilla',
    version,
    versionWhere,
    source: {
      url,
      ...(source.sha256 ? { sha256: source.sha256 } : {}),
      ...(source['file-name'] !== undefined ? { fileName: source['file-name'] } : {}),
      topdir: source.topdir ?? `linux-${version}`,
      where: ctx.whereSet(source.url !== undefined ? ['base', 'source', 'url'] : ['base']),
    },
    config,
  };
}
