import { UsageError } from '../findings/finding.js';
import { pathExists } from '../fs/path-kind.js';
import type { DistributionKernelSource } from '../releases/distribution-kernels.js';
import { KojiTagSource } from '../releases/koji-tag.js';
import { RepoMetadataSource } from '../releases/repo-metadata.js';
import type { ResolvedBase } from '../releases/resolve-base.js';
import { compareVersionRelease } from '../releases/rpm-version-compare.js';

/**
 * `--base dist:5.14.0-570.el9=TREE[,KERNEL-DEVEL]`: a distribution kernel column, on which kmod
 * and overlay variants are composed and checked (vanilla variants are not applicable there). TREE
 * is that kernel's source tree or tarball (module folders, patches, Kconfig); the optional
 * KERNEL-DEVEL its kernel-devel tree or RPM (compile test, kABI).
 */
export async function resolveDistributionColumn(spec: string): Promise<ResolvedBase> {
  const body = spec.slice('dist:'.length);
  const eq = body.indexOf('=');
  const vr = eq < 0 ? body : body.slice(0, eq);
  if (!/^\d+\.\d+(\.\d+)?-[A-Za-z0-9._]+$/.test(vr)) throw new UsageError(`--base ${spec}: '${vr}' is not a kernel version-release like 5.14.0-570.el9`);
  if (eq < 0) throw new UsageError(`--base ${spec}: give the kernel's source after '=' (dist:${vr}=TREE-OR-TARBALL[,KERNEL-DEVEL])`);
  const [tree = '', devel] = body.slice(eq + 1).split(',');
  if (!(await pathExists(tree))) throw new UsageError(`--base ${spec}: ${tree} does not exist`);
  if (devel && !(await pathExists(devel))) throw new UsageError(`--base ${spec}: ${devel} does not exist`);
  return { spec: `dist:${vr}`, version: vr.split('-')[0]!, versionRelease: vr, kind: 'distribution', source: { url: tree }, kernelSource: tree, ...(devel ? { kernelDevel: devel } : {}) };
}

/** A column that could not be resolved: kept in the report, every cell of it failed. */
export function failedColumn(spec: string, error: string): ResolvedBase {
  return { spec, version: '', source: { url: '' }, kernelSource: '', error, ...(/^(dist|repo|koji):/.test(spec) ? { kind: 'distribution' as const } : {}) };
}

/**
 * `--base repo:<URL>=TREE[,KERNEL-DEVEL]` or `--base koji:<HUB>#<TAG>=TREE[,KERNEL-DEVEL]`: the
 * newest kernel a distribution repository (repomd.xml → primary, kernel-devel) or a Koji tag
 * (listTagged kernel) lists today, as a distribution column; `{kernel}` in TREE and KERNEL-DEVEL
 * stands for its version-release. The column is named `dist:<version-release>`.
 */
export async function resolveListedDistributionColumn(spec: string, sourceFor: (spec: string) => DistributionKernelSource = distributionSourceOf): Promise<ResolvedBase> {
  const eq = spec.lastIndexOf('=');
  if (eq < 0) throw new UsageError(`--base ${spec}: give the kernel's source tree after '=' ({kernel} stands for the version-release)`);
  const source = sourceFor(spec.slice(0, eq));
  const listed = await source.kernels();
  const newest = [...new Set(listed.map((k) => k.versionRelease))].sort(compareVersionRelease).at(-1);
  if (!newest) throw new UsageError(`--base ${spec}: ${source.label} lists no kernel`);
  const trees = spec.slice(eq + 1).split('{kernel}').join(newest);
  return resolveDistributionColumn(`dist:${newest}=${trees}`);
}

function distributionSourceOf(head: string): DistributionKernelSource {
  if (head.startsWith('repo:')) return new RepoMetadataSource(head.slice('repo:'.length));
  const m = /^koji:(.+)#([^#]+)$/.exec(head);
  if (m) return new KojiTagSource(m[1]!, m[2]!);
  throw new UsageError(`--base ${head}: expected repo:<URL> or koji:<HUB>#<TAG>`);
}
