import type { Severity } from '../findings/finding.js';

/**
 * ok: every check that applies ran, no findings; warning: the same with warnings only; broken: an
 * error; unchecked: compose stopped before this feature was checked, or skipped a check (never green).
 */
export type CellStatus = 'ok' | 'warning' | 'broken' | 'unchecked';

/** A finding as the report shows it: the location already formatted as file:line:col. */
export interface MatrixFinding {
  code: string;
  severity: Severity;
  message: string;
  where?: string;
  arch?: string;
  hint?: string;
  related?: Array<{ message: string; where: string }>;
}

/** One feature of one variant on one base. */
export interface FeatureCell {
  status: CellStatus;
  codes: string[];
  findings: MatrixFinding[];
  /** What this compose left out of the feature and why (patches for other kernels, arches the variant does not build). */
  leftOut?: string[];
}

/** The row name for findings that belong to the variant itself rather than to one feature. */
export const VARIANT_ROW = '(variant)';

/** One variant composed and checked on one base. */
export interface MatrixCell {
  variant: string;
  /** Base column key (the --base argument as given). */
  base: string;
  status: CellStatus;
  exitCode: 0 | 1 | 2;
  /** Feature name (or VARIANT_ROW) → its cell. */
  features: Record<string, FeatureCell>;
  checks: Record<string, string>;
  /** The checks that were skipped (`build (no kernel-devel given …)`): why the cell is unchecked. */
  skipped?: string[];
  millis: number;
}

export interface MatrixBase {
  spec: string;
  version: string;
  kernelSource: string;
  url: string;
  sha256?: string;
  /** kernel.org (vanilla variants) or distribution (kmod and overlay variants). */
  kind?: 'kernel.org' | 'distribution';
  /** Why the column could not be fetched (its cells are failed). */
  error?: string;
}

export interface MatrixVariant {
  name: string;
  file: string;
  /** Rows in display order: the variant's features (and the features they require), then VARIANT_ROW when used. */
  rows: string[];
}

export interface MatrixReport {
  kplayVersion: string;
  generatedAt: string;
  bases: MatrixBase[];
  variants: MatrixVariant[];
  cells: MatrixCell[];
  /** Wall time of the whole run and of the per-base preparation (Kconfig trees parsed once per base and arch). */
  timing: { totalMillis: number; prepareMillis: Record<string, number>; concurrency: number };
}

const ORDER: CellStatus[] = ['ok', 'warning', 'unchecked', 'broken'];

/** The worse of two statuses. */
export function worstStatus(a: CellStatus, b: CellStatus): CellStatus {
  return ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b;
}
