import type { KmodBase } from '../../model/variant.js';
import type { BaseSettingContext } from '../base-kind.js';

/**
 * kmods SIG packaging unless ELRepo's is chosen: `packaging: elrepo`, or the older
 * `stable-kabi: true` (which meant weak-modules).
 */
function kmodPackaging(kmod: Record<string, unknown>): Pick<KmodBase, 'packaging' | 'stableKabi'> {
  const asked = kmod.packaging as KmodBase['packaging'] | undefined;
  const packaging = asked ?? (kmod['stable-kabi'] === true ? 'elrepo' : 'kmods-sig');
  return { packaging, stableKabi: packaging === 'elrepo' };
}

/**
 * `type: kmod` with its `kmod:` section: the kernel-devel version-release to build against
 * (`kmod_kernel_version`), the tarball holding the module sources, and per feature the folders
 * of that tree that build its modules.
 */
export function loadKmodBase(kmod: Record<string, unknown>, ctx: BaseSettingContext): Promise<KmodBase | undefined> {
  const kernelVersion = String(kmod['kernel-version']);
  const upstream = kernelVersion.split('-')[0]!;
  const source = kmod.source as { url: string; sha256?: string; topdir?: string; 'file-name'?: string };
  const modules: KmodBase['modules'] = {};
  for (const [feature, dirs] of Object.entries((kmod.modules ?? {}) as Record<string, string[]>)) {
    const where = ctx.whereSet(['kmod', 'modules', feature]);
    const bad = dirs.find((d) => d.split('/').includes('..'));
    if (bad) {
      ctx.findings.push({
        code: 'E_PATH_ESCAPE',
        severity: 'error',
        message: `module folder '${bad}' of ${feature} leaves the source tree`,
        where,
      });
      continue;
    }
    modules[feature] = { dirs, where };
  }
  const dependencies: NonNullable<KmodBase['dependencies']> = [];
  for (const [key, tag] of [
    ['requires', 'Requires'],
    ['supplements', 'Supplements'],
    ['recommends', 'Recommends'],
  ] as const) {
    const list = (kmod[key] ?? []) as string[];
    list.forEach((value, i) => dependencies.push({ tag, value, where: ctx.whereSet(['kmod', key, i]) }));
  }
  const fileList = (key: string) => (Array.isArray(kmod[key]) ? (kmod[key] as string[]) : undefined);
  const tarName = source.url.split('/').pop() ?? '';
  return Promise.resolve({
    kind: 'kernel-devel',
    version: upstream,
    versionWhere: ctx.whereSet(['kmod', 'kernel-version']),
    kernelVersion,
    ...kmodPackaging(kmod),
    ...(typeof kmod.version === 'string' ? { driverVersion: kmod.version } : {}),
    ...(typeof kmod.url === 'string' ? { url: kmod.url } : {}),
    source: {
      url: source.url,
      ...(source.sha256 ? { sha256: source.sha256 } : {}),
      ...(source['file-name'] !== undefined ? { fileName: source['file-name'] } : {}),
      topdir: source.topdir ?? tarName.replace(/\.tar\.\w+$/, ''),
      where: ctx.whereSet(['kmod', 'source']),
    },
    modules,
    ...(typeof kmod['install-dir'] === 'string' ? { installDir: kmod['install-dir'] } : {}),
    ...(dependencies.length ? { dependencies } : {}),
    ...(fileList('license-files') ? { licenseFiles: fileList('license-files') } : {}),
    ...(fileList('doc-files') ? { docFiles: fileList('doc-files') } : {}),
    ...(fileList('firmware') ? { firmware: fileList('firmware') } : {}),
    filesWhere: ctx.whereSet(['kmod']),
    ...(kmod['provides-kernel-modules'] === true ? { providesKernelModules: true } : {}),
  });
}
