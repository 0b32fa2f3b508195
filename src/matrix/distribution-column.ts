import { UsageError } from '../findings/finding.js';
import { pathExists } from '../fs/path-kind.js';
import type { ResolvedBase } from '../releases/resolve-base.js';

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
  return { spec, version: '', source: { url: '' }, kernelSource: '', error, ...(spec.startsWith('dist:') ? { kind: 'distribution' as const } : {}) };
}
