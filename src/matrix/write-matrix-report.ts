import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MatrixReport } from './matrix-report.js';
import { renderMatrixHtml } from './render-matrix-html.js';

/** Write `matrix.json` and `index.html` into outDir (each replaced atomically). Returns their paths. */
export async function writeMatrixReport(outDir: string, report: MatrixReport): Promise<{ json: string; html: string }> {
  await mkdir(outDir, { recursive: true });
  const json = path.join(outDir, 'matrix.json');
  const html = path.join(outDir, 'index.html');
  for (const [file, text] of [
    [json, `${JSON.stringify(report, null, 2)}\n`],
    [html, renderMatrixHtml(report)],
  ] as const) {
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, text);
    await rename(tmp, file);
  }
  return { json, html };
}
