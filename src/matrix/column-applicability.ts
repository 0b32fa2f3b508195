import { exitCodeForFindings } from '../findings/exit-code.js';
import type { Finding } from '../findings/finding.js';
import { isVanillaVariant, type Variant } from '../model/variant.js';
import type { ResolvedBase } from '../releases/resolve-base.js';
import { VARIANT_ROW, type MatrixCell } from './matrix-report.js';

/**
 * Why a variant is not composed on a column, or undefined when it is: vanilla variants run on
 * kernel.org columns, kmod and overlay variants on distribution columns.
 */
export function notApplicable(variant: Variant | undefined, base: ResolvedBase): Finding | undefined {
  if (!variant || base.error) return undefined;
  const vanilla = isVanillaVariant(variant);
  const distributionColumn = base.kind === 'distribution';
  if (vanilla === !distributionColumn) return undefined;
  return {
    code: 'N_MATRIX_NOT_APPLICABLE',
    severity: 'note',
    message: vanilla
      ? `${variant.name} builds on a kernel.org release; ${base.spec} is a distribution kernel column (not checked)`
      : `${variant.name} builds on a ${variant.base.kind} base; ${base.spec} is a kernel.org column: give a distribution column (--base dist:<version-release>=<tree>) to check it`,
    where: variant.base.versionWhere,
  };
}

/** A cell that was not checked: every row `unchecked` (never green, never counted as passing). */
export function uncheckedCell(variantName: string, base: string, rows: readonly string[], finding: Finding): MatrixCell {
  const features: MatrixCell['features'] = {};
  for (const r of [...rows, VARIANT_ROW]) features[r] = { status: 'unchecked', codes: r === VARIANT_ROW ? [finding.code] : [], findings: [] };
  features[VARIANT_ROW]!.findings.push({ code: finding.code, severity: finding.severity, message: finding.message });
  return { variant: variantName, base, status: 'unchecked', exitCode: 0, features, checks: {}, millis: 0 };
}

/** A column that could not be fetched: the cell fails with the reason, the other columns still run. */
export function baseUnavailableFinding(base: ResolvedBase, variantFile: string): Finding {
  return { code: 'E_MATRIX_BASE_UNAVAILABLE', severity: 'error', message: `${base.spec}: ${base.error}`, where: { file: variantFile, line: 0, col: 0 } };
}

export { exitCodeForFindings };
