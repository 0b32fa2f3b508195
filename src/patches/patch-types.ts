/**
 * The parsed form of a patch file (git format-patch mail, `git diff` output or a plain unified
 * diff). Texts are kept as latin1 strings: one char per byte, so every comparison and every
 * result is byte-exact whatever the encoding of the patched files.
 */

/** One line of a hunk body: ' ' context, '-' removed, '+' added. */
export interface HunkLine {
  kind: ' ' | '-' | '+';
  /** The line without its marker; ends with '\n' unless the patch says "\ No newline at end of file". */
  text: string;
}

export interface Hunk {
  /** 1-based position among the hunks of its file section. */
  index: number;
  /** 1-based line of the `@@` header in the patch file. */
  patchLine: number;
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** Context lines before the first change / after the last change (as counted by git apply). */
  leading: number;
  trailing: number;
  lines: HunkLine[];
  /** Text after the closing `@@` (usually the enclosing function), trimmed. */
  section: string;
}

/** The changes to one file: one `diff --git` section or one `---`/`+++` pair. */
export interface FilePatch {
  /** Path before (undefined when the file is created). */
  oldPath?: string;
  /** Path after (undefined when the file is deleted). */
  newPath?: string;
  /** Creation: true / false, or undefined when a traditional diff leaves it open (decided by the tree). */
  isNew: boolean | undefined;
  isDelete: boolean | undefined;
  isRename: boolean;
  isCopy: boolean;
  oldMode?: number;
  newMode?: number;
  /** `GIT binary patch` or `Binary files ... differ`: kplay refuses these. */
  binary: boolean;
  /** Came from a `diff --git` header (explicit metadata) rather than a traditional header. */
  git: boolean;
  hunks: Hunk[];
  /** 1-based line of the section's first header line in the patch file. */
  patchLine: number;
}

export interface ParsedPatch {
  /** Display path of the patch file, e.g. features/x/patches/0001-foo.patch. */
  file: string;
  /** Mail subject without the `[PATCH n/m]` tag, when the patch is a git format-patch mail. */
  subject?: string;
  files: FilePatch[];
}

/** One patch of a composed series, as compose hands it over. */
export interface SeriesPatch {
  /** Feature the patch belongs to (its folder name). */
  feature: string;
  /** Display path like features/x/patches/0001-foo.patch. */
  file: string;
  text: Buffer;
}

/** A series entry after parsing: the patch is absent when it could not be parsed. */
export interface ParsedSeriesEntry extends SeriesPatch {
  patch?: ParsedPatch;
}

/** Every tree path a patch reads or writes. */
export function pathsTouchedBy(patch: ParsedPatch): string[] {
  const paths = new Set<string>();
  for (const fp of patch.files) {
    if (fp.oldPath) paths.add(fp.oldPath);
    if (fp.newPath) paths.add(fp.newPath);
  }
  return [...paths];
}
