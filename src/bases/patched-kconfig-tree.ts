import { UsageError, type RelatedLocation } from '../findings/finding.js';
import {
  asUsageError,
  KconfigError,
  loadKconfigTree,
  type KconfigToolchain,
  type KconfigTree,
  type PatchedFiles,
} from '../kconfig/index.js';
import type { RpmArch } from '../model/arch.js';
import { displayPath } from '../model/safe-path.js';
import type { PatchReport } from '../patches/check-series.js';
import path from 'node:path';

/**
 * The Kconfig tree of a kernel source as patches (the distribution's, the variant's) leave it:
 * the source's files, with the ones the patches changed read from `patched` instead.
 *
 * The patches are untrusted, so the parse runs no macro command: the unpatched source is parsed
 * first with the same toolchain, and the patched tree's `$(shell,...)` (and `$(success,...)`,
 * `$(cc-option,...)`, ... built on it) gets only the commands that parse issued, with the outputs
 * it recorded. Any other command is an E_KCONFIG_SHELL error at the macro's file:line, naming the
 * patches that changed that file.
 */
export async function loadPatchedKconfigTree(args: {
  kernelSource: string;
  patched: PatchedFiles;
  arch: RpmArch;
  patches: readonly PatchReport[];
  /** The `feature` the distribution's own patches carry. */
  distributionSeries: string;
  toolchain?: KconfigToolchain;
}): Promise<KconfigTree> {
  const toolchain = args.toolchain ? { toolchain: args.toolchain } : {};
  // the unpatched source's own commands, needed only when the patched tree is not cached yet
  // the Kconfig files the unpatched parse read stay readable when they are links (a tree of links)
  const unpatchedFiles = new Set<string>();
  const unpatchedCommands = async () => {
    const unpatched = await loadKconfigTree({ source: args.kernelSource, arch: args.arch, ...toolchain }).catch((err: unknown) => {
      throw asUsageError(err);
    });
    for (const f of unpatched.files) unpatchedFiles.add(f);
    return unpatched.shellCommands ?? {};
  };
  try {
    return await loadKconfigTree({
      source: args.kernelSource,
      arch: args.arch,
      ...toolchain,
      onlyCommands: unpatchedCommands,
      patched: args.patched,
      alsoReadable: unpatchedFiles,
    });
  } catch (err) {
    if (!(err instanceof KconfigError)) throw err;
    throw withPatchesOf(asUsageError(err) as UsageError, args);
  }
}

/** The applied patches with a hunk on a path `changes` accepts, in series order. */
export function patchesChanging(patches: readonly PatchReport[], changes: (rel: string) => boolean): PatchReport[] {
  return patches.filter((p) => p.status === 'applied' && p.hunks.some((h) => changes(h.path)));
}

/** The patch line of `p`'s first hunk on a path `changes` accepts (0 when it has none). */
export function hunkLine(p: PatchReport, changes: (rel: string) => boolean): number {
  return p.hunks.find((h) => changes(h.path))?.patchLine ?? 0;
}

/** The feature of the last of `patches` that is not the distribution's own. */
export function lastFeature(patches: readonly PatchReport[], distributionSeries: string): string | undefined {
  return [...patches].reverse().find((p) => p.feature !== distributionSeries)?.feature;
}

/** The error's findings, each at its Kconfig file as patched, with the patches that changed that file. */
function withPatchesOf(
  err: UsageError,
  {
    kernelSource,
    patches,
    distributionSeries,
    patched,
  }: { kernelSource: string; patches: readonly PatchReport[]; distributionSeries: string; patched: PatchedFiles },
): UsageError {
  const touching = (rel: string) => patchesChanging(patches, (h) => h === rel);
  const findings = err.findings.map((f) => {
    const file = f.where?.file;
    if (!file) return f;
    // a file the message names (`can't open file "fs/overlayfs/Kconfig"`) that a patch deleted
    const deleted = [...f.message.matchAll(/"([^"]+)"/g)]
      .map((m) => path.posix.normalize(m[1]!))
      .filter((rel) => rel !== file && patched.files.has(rel) && patched.files.get(rel) === null);
    const changes = [
      ...touching(file).map((p) => ({ p, rel: file, what: 'changed' })),
      ...deleted.flatMap((rel) => touching(rel).map((p) => ({ p, rel, what: 'deleted' }))),
    ];
    const changedBy = changes.map((c) => c.p);
    const related: RelatedLocation[] = changes.map(({ p, rel, what }) => ({
      message: `${rel} is ${what} by this patch (${p.feature === distributionSeries ? "the distribution's" : `feature ${p.feature}`})`,
      where: { file: p.patch, line: hunkLine(p, (h) => h === rel), col: 0 },
    }));
    const byList = (rel: string) =>
      touching(rel)
        .map((p) => p.patch)
        .join(', ');
    const said = [
      ...(touching(file).length ? [`changed by ${byList(file)}`] : []),
      ...deleted.filter((rel) => touching(rel).length).map((rel) => `${rel} deleted by ${byList(rel)}`),
    ];
    const by = said.length ? `, ${said.join('; ')}` : '';
    const feature = lastFeature(changedBy, distributionSeries);
    return {
      ...f,
      message: `${f.message} (${file} of ${displayPath(kernelSource)} as patched${by})`,
      ...(f.code === 'E_KCONFIG_SHELL'
        ? {
            hint: `kplay does not run commands that patches add to Kconfig files (the kernel build will): review the command; to check the rest of the variant, take the macro out of ${changedBy.at(-1)?.patch ?? 'the patch'}, or skip the checks (no --kernel-source; kplay srpm --no-check)`,
          }
        : {}),
      ...(related.length ? { related: [...(f.related ?? []), ...related] } : {}),
      ...(feature && !f.feature ? { feature } : {}),
    };
  });
  return new UsageError(err.message, findings, err.exitCode);
}
