import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Finding } from '../../findings/finding.js';
import { isDirectory } from '../../fs/path-kind.js';
import { displayPath } from '../../model/safe-path.js';
import type { KmodBase } from '../../model/variant.js';
import type { ResolvedFeatures } from '../../resolve/resolve-features.js';
import { readTarballEntries } from '../../sources/tarball-entries.js';

async function walk(root: string, rel: string, out: Map<string, Buffer>): Promise<void> {
  const abs = path.join(root, rel);
  for (const e of await readdir(abs, { withFileTypes: true })) {
    const child = `${rel}/${e.name}`;
    if (e.isDirectory()) await walk(root, child, out);
    else if (e.isFile()) out.set(child, await readFile(path.join(root, child)));
  }
}

/** Every file under the given folders of a kernel tree folder or tarball (paths relative to the tree top). */
export async function readModuleFolders(kernelSource: string, dirs: readonly string[]): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  if (await isDirectory(kernelSource)) {
    for (const d of dirs) if (await isDirectory(path.join(kernelSource, d))) await walk(kernelSource, d, files);
    return files;
  }
  const under = (p: string) => dirs.some((d) => p.startsWith(`${d}/`));
  return readTarballEntries(kernelSource, under);
}

/**
 * Before any build: each feature's module folders must exist in the base source and hold a
 * Makefile or Kbuild (what `make M=<dir>` reads). Returns the folders' files for the compile test.
 */
export async function checkModuleFolders(base: KmodBase, resolved: ResolvedFeatures, kernelSource: string): Promise<{ findings: Finding[]; files: Map<string, Buffer> }> {
  const dirs = resolved.order.flatMap((r) => (base.modules[r.feature.name]?.dirs ?? []).map((d) => ({ feature: r.feature.name, dir: d.replace(/\/+$/, '') })));
  const files = await readModuleFolders(kernelSource, dirs.map((d) => d.dir));
  const findings: Finding[] = [];
  for (const { feature, dir } of dirs) {
    const inside = [...files.keys()].filter((p) => p.startsWith(`${dir}/`));
    const where = base.modules[feature]!.where;
    if (!inside.length) {
      findings.push({ code: 'E_KMOD_FOLDER_MISSING', severity: 'error', message: `module folder ${dir} of ${feature} does not exist in ${displayPath(kernelSource)}`, where, feature, hint: 'check the folder name in kmod.modules against the kernel tree of kmod.kernel-version (the build would fail in %prep)' });
    } else if (!inside.some((p) => p === `${dir}/Makefile` || p === `${dir}/Kbuild`)) {
      findings.push({ code: 'E_KMOD_FOLDER_MISSING', severity: 'error', message: `module folder ${dir} of ${feature} has no Makefile or Kbuild in ${displayPath(kernelSource)}: make M=${dir} would build nothing`, where, feature });
    }
  }
  return { findings, files };
}
