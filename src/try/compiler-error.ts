import { at, finding, type Finding } from '../findings/finding.js';
import type { PatchReport } from '../patches/check-series.js';
import { parsePatch } from '../patches/parse-patch.js';

/** The first error of a kernel build log, as the compiler (or the linker, or make) wrote it. */
export interface BuildError {
  /** Tree-relative file and line, when the error names them. */
  file?: string;
  line?: number;
  col?: number;
  /** The error line, and the lines the compiler printed right after it (source line, caret). */
  message: string;
  context: string[];
}

const COMPILER_ERROR = /^(?<file>[^\s:][^:]*):(?<line>\d+):(?:(?<col>\d+):)?\s+(?:fatal\s+)?error:\s*(?<msg>.*)$/;
const OTHER_ERROR = /(\berror\b|undefined reference|Error \d+|\*\*\*)/i;

/**
 * The first error of a build log. Paths are made relative to the tree: the build runs with
 * `O=.kplay-build`, so the compiler names sources `../fs/x.c` (or with the tree's absolute path).
 */
export function firstBuildError(log: string, treeDir?: string): BuildError | undefined {
  const lines = log.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = COMPILER_ERROR.exec(lines[i]!);
    if (!m?.groups) continue;
    const context: string[] = [];
    for (let j = i + 1; j < lines.length && context.length < 4; j++) {
      const l = lines[j]!;
      if (COMPILER_ERROR.test(l) || /^make(\[\d+\])?: /.test(l) || /^\S+: (In function|At top level)/.test(l)) break;
      context.push(l);
    }
    return {
      file: treeRelative(m.groups.file!, treeDir),
      line: Number(m.groups.line),
      ...(m.groups.col ? { col: Number(m.groups.col) } : {}),
      message: m.groups.msg!.trim(),
      context,
    };
  }
  const other = lines.find((l) => OTHER_ERROR.test(l) && !/^make(\[\d+\])?: \*\*\* \[/.test(l)) ?? lines.find((l) => OTHER_ERROR.test(l));
  if (!other) return undefined;
  return { message: other.trim(), context: [] };
}

function treeRelative(file: string, treeDir: string | undefined): string {
  let f = file;
  if (treeDir && f.startsWith(`${treeDir}/`)) f = f.slice(treeDir.length + 1);
  while (f.startsWith('../')) f = f.slice(3);
  while (f.startsWith('./')) f = f.slice(2);
  return f;
}

/** A hunk of the series that wrote `line` of `file` (as the series left the file), latest patch first. */
export interface TouchingHunk {
  feature: string;
  patch: string;
  patchLine: number;
  /** Lines of the file the hunk's new side covers. */
  from: number;
  to: number;
}

/**
 * The applied hunks on `file` whose new side covers `line`, the last patch first (the series'
 * own order decides who wrote the line last). `texts` gives each patch's text by display path.
 */
export function hunksTouching(
  results: readonly PatchReport[],
  texts: ReadonlyMap<string, Buffer>,
  file: string,
  line: number,
): TouchingHunk[] {
  const out: TouchingHunk[] = [];
  for (const r of results) {
    if (r.status !== 'applied') continue;
    const onFile = r.hunks.filter((h) => h.path === file && h.line !== undefined);
    if (!onFile.length) continue;
    const text = texts.get(r.patch);
    const parsed = text ? parsePatch(text, r.patch).patch : undefined;
    for (const h of onFile) {
      const hunk = parsed?.files.flatMap((f) => f.hunks).find((x) => x.patchLine === h.patchLine);
      const span = hunk ? Math.max(1, hunk.newLines) : 1;
      const from = h.line!;
      const to = from + span - 1;
      if (line >= from && line <= to) out.push({ feature: r.feature, patch: r.patch, patchLine: h.patchLine, from, to });
    }
  }
  return out.reverse();
}

/** E_TRY_BUILD: the compiler's first error, at the patch hunk that wrote that line when one did. */
export function buildErrorFinding(
  err: BuildError | undefined,
  touching: readonly TouchingHunk[],
  arch: string,
  logTail: string,
  displayTree: string,
): Finding {
  if (!err) {
    return finding('E_TRY_BUILD', `the smoke kernel does not build, and the log names no error; its last lines:\n${logTail}`, {
      arch,
      hint: 'run the build again with --keep and read the whole log in the kept folder',
    });
  }
  const located = err.file ? `${err.file}:${err.line}${err.col ? `:${err.col}` : ''}: ` : '';
  const context = err.context.length ? `\n${err.context.join('\n')}` : '';
  const hunk = touching[0];
  if (hunk) {
    return finding(
      'E_TRY_BUILD',
      `the smoke kernel does not build: ${located}error: ${err.message}${context}\n(line ${err.line} of ${err.file} is written by this hunk of feature ${hunk.feature})`,
      {
        where: at(hunk.patch, hunk.patchLine),
        feature: hunk.feature,
        arch,
        related: [
          { message: `the line in the patched tree (${displayTree})`, where: at(err.file!, err.line ?? 0, err.col ?? 0) },
          ...touching
            .slice(1)
            .map((t) => ({ message: `an earlier hunk of feature ${t.feature} also wrote it`, where: at(t.patch, t.patchLine) })),
        ],
        hint: 'fix the hunk (it applies, but the code it leaves does not compile for this kernel), or limit the patch to the kernels it is for (a kernel: range in series)',
      },
    );
  }
  return finding('E_TRY_BUILD', `the smoke kernel does not build: ${located}error: ${err.message}${context}`, {
    ...(err.file ? { where: at(err.file, err.line ?? 0, err.col ?? 0) } : {}),
    arch,
    hint: err.file
      ? `no patch of the variant changes that line: a config value the variant asks for may not build in ${displayTree}, or the tree itself does not build with this compiler`
      : 'read the log with --keep: a link or modpost error names the symbol',
  });
}
