import type { Finding } from '../findings/finding.js';
import { at } from '../findings/finding.js';
import type { SourceTree } from '../sources/source-tree.js';
import { applyFilePatch, type SectionFailure } from './apply-file-patch.js';
import { applyFilePatchWithFuzz } from './apply-file-patch-with-fuzz.js';
import { hunkSides } from './apply-hunk.js';
import { explainFailure } from './explain-patch-failure.js';
import type { FilePatch, Hunk, ParsedPatch, ParsedSeriesEntry } from './patch-types.js';
import { reversePatch } from './reverse-patch.js';
import type { AppliedHunk, FileChange } from './series-history.js';

export interface CheckSeriesOptions {
  /**
   * 0 (default): `git apply` rules (newer specs). N > 0: `patch -p1 -FN` rules (older specs),
   * ignoring up to N context lines at each end of a hunk that does not match exactly.
   */
  fuzz?: number;
}

export type PatchStatus = 'applied' | 'failed' | 'already-applied' | 'invalid';
export type HunkStatus = 'exact' | 'offset' | 'fuzz' | 'failed';

export interface HunkReport {
  path: string;
  hunk: number;
  /** Line of the hunk's `@@` header in the patch file. */
  patchLine: number;
  status: HunkStatus;
  /** 1-based line of the file where the hunk applied. */
  line?: number;
  offset?: number;
  fuzz?: number;
}

export interface PatchReport {
  feature: string;
  patch: string;
  status: PatchStatus;
  hunks: HunkReport[];
}

export interface SeriesCheck {
  findings: Finding[];
  results: PatchReport[];
  /** Final content of every file the series changed (latin1-exact bytes); null = deleted. */
  files: Map<string, Buffer | null>;
}

/**
 * Apply the series, in order, to the base source (only the files it touches are read) and report
 * every patch that does not apply, naming the earlier patch that changed the lines it expects.
 * A patch applies all-or-nothing, like `git apply`: a failed patch leaves the files unchanged
 * and the series goes on with the next one.
 */
export async function checkSeries(
  tree: SourceTree,
  entries: readonly ParsedSeriesEntry[],
  options: CheckSeriesOptions = {},
): Promise<SeriesCheck> {
  const fuzz = options.fuzz ?? 0;
  const base = new Map<string, string | undefined>();
  for (const entry of entries) {
    for (const fp of entry.patch?.files ?? []) {
      for (const p of [fp.oldPath, fp.newPath]) {
        if (p && !base.has(p)) base.set(p, await readBaseFile(tree, p));
      }
    }
  }
  const state = new Map<string, string | null>();
  const history = new Map<string, FileChange[]>();
  const findings: Finding[] = [];
  const results: PatchReport[] = [];
  const contentOf = (overlay: Map<string, string | null>, p: string): string | undefined => {
    const v = overlay.has(p) ? overlay.get(p) : state.has(p) ? state.get(p) : base.get(p);
    return v === null ? undefined : v;
  };

  for (const [order, entry] of entries.entries()) {
    const patch = entry.patch;
    if (!patch) {
      results.push({ feature: entry.feature, patch: entry.file, status: 'invalid', hunks: [] });
      continue;
    }
    const attempt = applyPatch(patch, (o, p) => contentOf(o, p), fuzz);
    const report: PatchReport = { feature: entry.feature, patch: entry.file, status: 'applied', hunks: attempt.hunks };
    results.push(report);
    if (attempt.ok) {
      for (const [p, v] of attempt.overlay) state.set(p, v);
      for (const change of attempt.changes) {
        const list = history.get(change.path) ?? [];
        list.push({ entry, before: change.before, hunks: change.hunks, removed: change.removed, order });
        history.set(change.path, list);
      }
      findings.push(...placementWarnings(entry, attempt.hunks));
      continue;
    }
    const reverse = applyPatch(reversePatch(patch), (o, p) => contentOf(o, p), 0);
    if (reverse.ok && reversalIsEvidence(patch)) {
      report.status = 'already-applied';
      const inBase = applyPatch(reversePatch(patch), (o, p) => (o.has(p) ? (o.get(p) ?? undefined) : base.get(p)), 0).ok;
      const earlier = inBase ? undefined : latestChangeTo(history, patch);
      findings.push({
        code: 'E_PATCH_ALREADY_APPLIED',
        severity: 'error',
        message: earlier
          ? `${entry.file} is already applied: ${earlier.entry.file} (feature ${earlier.entry.feature}) made the same changes to ${describePaths(patch)}`
          : `${entry.file} is already contained in the base source: its changes are present in ${describePaths(patch)}`,
        where: at(entry.file, patch.files[0]?.patchLine ?? 0),
        related: earlier ? [{ message: `${earlier.entry.file} makes the same changes`, where: at(earlier.entry.file, 0) }] : [],
        feature: entry.feature,
        hint: earlier
          ? `keep the change in one feature only`
          : `drop the patch from feature ${entry.feature} (it is upstream now), or narrow the feature's kernel version range to releases without it`,
      });
      continue;
    }
    report.status = 'failed';
    findings.push(explainFailure(entry, attempt.failedSection!, attempt.failure!, history));
  }

  const files = new Map<string, Buffer | null>();
  for (const [p, v] of state) files.set(p, v === null ? null : Buffer.from(v, 'latin1'));
  return { findings, results, files };
}

/** A base file as latin1 text; a folder at that path reads as an empty file that exists. */
async function readBaseFile(tree: SourceTree, p: string): Promise<string | undefined> {
  try {
    return (await tree.readFile(p))?.toString('latin1');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EISDIR') return '';
    throw err;
  }
}

interface PatchAttempt {
  ok: boolean;
  overlay: Map<string, string | null>;
  hunks: HunkReport[];
  changes: Array<{ path: string; before: string | undefined; hunks: AppliedHunk[]; removed: boolean }>;
  failedSection?: FilePatch;
  failure?: SectionFailure;
}

/** Apply every section of one patch on top of the series state, into an overlay. */
function applyPatch(
  patch: ParsedPatch,
  contentOf: (overlay: Map<string, string | null>, p: string) => string | undefined,
  fuzz: number,
): PatchAttempt {
  const overlay = new Map<string, string | null>();
  const attempt: PatchAttempt = { ok: false, overlay, hunks: [], changes: [] };
  for (const fp of patch.files) {
    const source = fp.isNew === true ? undefined : (fp.oldPath ?? fp.newPath)!;
    const target = (fp.newPath ?? fp.oldPath)!;
    const current = source === undefined ? undefined : contentOf(overlay, source);
    // renaming or copying onto an existing file is refused (git apply refuses it too)
    if ((fp.isRename || fp.isCopy) && target !== source && contentOf(overlay, target) !== undefined) {
      return { ...attempt, failedSection: fp, failure: { kind: 'exists', path: target } };
    }
    const creating = fp.isNew === true || (fp.isNew === undefined && current === undefined);
    const existing = creating ? contentOf(overlay, target) : current;
    const outcome = fuzz > 0 ? applyFilePatchWithFuzz(existing, fp, fuzz) : applyFilePatch(existing, fp);
    let shift = 0;
    const applied: AppliedHunk[] = [];
    for (const { hunk, placement } of outcome.hunks) {
      const path = target;
      if (!placement.applied) {
        attempt.hunks.push({ path, hunk: hunk.index, patchLine: hunk.patchLine, status: 'failed' });
        continue;
      }
      const status: HunkStatus = placement.fuzz ? 'fuzz' : placement.offset ? 'offset' : 'exact';
      attempt.hunks.push({
        path,
        hunk: hunk.index,
        patchLine: hunk.patchLine,
        status,
        line: placement.at + 1,
        offset: placement.offset,
        ...(placement.fuzz ? { fuzz: placement.fuzz } : {}),
      });
      const first = placement.at - shift;
      const count = hunkSides(hunk).pre.length;
      const lead = leadingContext(hunk);
      const trail = Math.min(trailingContext(hunk), count - lead);
      applied.push({ hunk, first, count, changedFirst: first + lead, changedCount: Math.max(0, count - lead - trail) });
      shift += placement.inserted - placement.removed;
    }
    if (!outcome.applied) return { ...attempt, failedSection: fp, failure: outcome.failure };
    const renamedAway = fp.isRename && source !== undefined && source !== target;
    if (renamedAway) overlay.set(source, null);
    overlay.set(target, outcome.result);
    attempt.changes.push({
      path: source ?? target,
      before: creating ? existing : current,
      hunks: applied,
      removed: outcome.result === null || renamedAway,
    });
    if (renamedAway) attempt.changes.push({ path: target, before: undefined, hunks: [], removed: false });
  }
  return { ...attempt, ok: true };
}

/**
 * A reversed hunk without any line to match (a forward hunk that only deletes, without context)
 * applies anywhere, so its reversal proves nothing about the change being present.
 */
function reversalIsEvidence(patch: ParsedPatch): boolean {
  return patch.files.every((fp) => fp.hunks.every((h) => h.lines.some((l) => l.kind !== '-')));
}

function latestChangeTo(history: ReadonlyMap<string, FileChange[]>, patch: ParsedPatch): FileChange | undefined {
  let latest: FileChange | undefined;
  let latestIndex = -1;
  for (const fp of patch.files) {
    for (const p of [fp.oldPath, fp.newPath]) {
      const list = p ? history.get(p) : undefined;
      const last = list?.at(-1);
      if (last && last.order > latestIndex) {
        latest = last;
        latestIndex = last.order;
      }
    }
  }
  return latest;
}

function leadingContext(h: Hunk): number {
  let n = 0;
  while (n < h.lines.length && h.lines[n]!.kind === ' ') n++;
  return n;
}

function trailingContext(h: Hunk): number {
  let n = 0;
  for (let i = h.lines.length - 1; i >= 0 && h.lines[i]!.kind === ' '; i--) n++;
  return n;
}

function describePaths(patch: ParsedPatch): string {
  const paths = [...new Set(patch.files.map((f) => f.newPath ?? f.oldPath))];
  return paths.length <= 3 ? paths.join(', ') : `${paths.slice(0, 3).join(', ')} and ${paths.length - 3} more files`;
}

function placementWarnings(entry: ParsedSeriesEntry, hunks: readonly HunkReport[]): Finding[] {
  const out: Finding[] = [];
  for (const h of hunks) {
    if (h.status === 'offset') {
      const n = Math.abs(h.offset!);
      out.push({
        code: 'W_PATCH_OFFSET',
        severity: 'warning',
        message: `hunk #${h.hunk} of ${h.path} applied at line ${h.line}, ${n} line${n === 1 ? '' : 's'} ${h.offset! > 0 ? 'after' : 'before'} where the patch places it`,
        where: at(entry.file, h.patchLine),
        feature: entry.feature,
        hint: 'refresh the patch against this base so its line numbers match',
      });
    } else if (h.status === 'fuzz') {
      out.push({
        code: 'W_PATCH_FUZZ',
        severity: 'warning',
        message: `hunk #${h.hunk} of ${h.path} applied at line ${h.line} only by ignoring ${h.fuzz} context line${h.fuzz === 1 ? '' : 's'} (fuzz ${h.fuzz})`,
        where: at(entry.file, h.patchLine),
        feature: entry.feature,
        hint: 'fuzzy hunks may land in the wrong place; refresh the patch (git apply, used by newer specs, refuses it)',
      });
    }
  }
  return out;
}
