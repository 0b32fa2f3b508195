import type { Hunk, ParsedSeriesEntry } from './patch-types.js';

/**
 * What the series did to each file so far: kept while a series is applied, to explain later
 * failures by the earlier patch that changed the lines a hunk expects.
 */

/** An applied hunk, in the coordinates of the file before its patch. */
export interface AppliedHunk {
  hunk: Hunk;
  /** 0-based first line and line count of the hunk's old side in the file before the patch. */
  first: number;
  count: number;
  /** The same for the lines it really changes (context left out). */
  changedFirst: number;
  changedCount: number;
}

/** One patch's change to one file, kept to explain later failures. */
export interface FileChange {
  entry: ParsedSeriesEntry;
  before: string | undefined;
  hunks: AppliedHunk[];
  /** The change deleted or renamed the file away. */
  removed: boolean;
  /** Position of the patch in the series. */
  order: number;
}
