import { VARIANT_ROW, type CellStatus, type MatrixReport } from './matrix-report.js';

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** JSON safe inside a <script> element: no `</script>`, no HTML comment openers. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const SYMBOL: Record<CellStatus, string> = { ok: '✔ ok', warning: '⚠ warning', broken: '✖ broken', unchecked: '– unchecked' };

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1b1b1b;background:#fff}
h1{font-size:1.3rem;margin:0 0 .25rem}
.meta{color:#555;margin-bottom:1rem}
table{border-collapse:collapse;margin-bottom:1.5rem}
th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;vertical-align:top}
th.variant{background:#eef;font-size:1rem}
th.feature{font-weight:normal;font-family:monospace}
td.cell{cursor:pointer;min-width:9rem}
td.cell:focus,td.cell.selected{outline:3px solid #1f6feb;outline-offset:-3px}
td.ok{background:#e6f4ea}td.warning{background:#fff4ce}td.broken{background:#fde2e1}td.unchecked{background:#eee;color:#555}
.codes{display:block;font-family:monospace;font-size:.8rem}
#details{border:1px solid #ccc;padding:.75rem 1rem;max-width:70rem}
#details h2{font-size:1.05rem;margin:0 0 .5rem}
#details li{margin:.3rem 0}
.where{font-family:monospace}
.sev-error{color:#b00020;font-weight:bold}.sev-warning{color:#8a6100;font-weight:bold}.sev-note{color:#555}
.related,.hint{color:#555;margin-left:1.5rem}
.left-out{color:#555;font-size:.75rem;margin-left:.3rem}
`;

const SCRIPT = `
const report = JSON.parse(document.getElementById('matrix-data').textContent);
const details = document.getElementById('details');
function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }
function show(td) {
  document.querySelectorAll('td.cell.selected').forEach((c) => c.classList.remove('selected'));
  td.classList.add('selected');
  const cell = report.cells.find((c) => c.variant === td.dataset.variant && c.base === td.dataset.base);
  const row = cell && cell.features[td.dataset.feature];
  details.replaceChildren();
  details.append(el('h2', '', td.dataset.variant + ' / ' + td.dataset.feature + ' on ' + td.dataset.base + ': ' + (row ? row.status : 'no data')));
  if (cell && cell.skipped && cell.skipped.length) {
    const skipped = el('ul', 'skipped');
    for (const s of cell.skipped) skipped.append(el('li', '', 'not checked: ' + s));
    details.append(el('p', '', 'Not green: these checks did not run.'), skipped);
  }
  if (row && row.leftOut && row.leftOut.length) {
    const left = el('ul', 'left-out');
    for (const s of row.leftOut) left.append(el('li', '', 'left out: ' + s));
    details.append(left);
  }
  if (!row || row.findings.length === 0) { details.append(el('p', 'none', cell && cell.skipped && cell.skipped.length ? 'No findings from the checks that ran.' : 'No findings: composed and checked cleanly.')); return; }
  const list = el('ul', 'findings');
  for (const f of row.findings) {
    const li = el('li', 'finding');
    li.dataset.code = f.code;
    li.append(el('span', 'where', f.where || '(no location)'), document.createTextNode(': '), el('span', 'sev-' + f.severity, f.severity + ' ' + f.code), document.createTextNode(': ' + f.message + (f.arch ? ' [' + f.arch + ']' : '')));
    for (const r of f.related || []) li.append(el('div', 'related', r.where + ': ' + r.message));
    if (f.hint) li.append(el('div', 'hint', 'hint: ' + f.hint));
    list.append(li);
  }
  details.append(list);
}
document.querySelectorAll('td.cell').forEach((td) => {
  td.addEventListener('click', () => show(td));
  td.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); show(td); } });
});
`;

/**
 * A static, self-contained page (no network): features (rows, grouped by variant) × bases
 * (columns); each cell ok / warning / broken with its finding codes; clicking a cell lists its
 * findings with file:line:col.
 */
export function renderMatrixHtml(report: MatrixReport): string {
  const head = report.bases
    .map(
      (b) =>
        `<th class="base${b.error ? ' failed' : ''}" scope="col" title="${escapeHtml(b.error ?? b.kernelSource)}">${escapeHtml(b.spec)}${b.spec !== b.version && b.version ? `<br><small>${escapeHtml(b.version)}</small>` : ''}${b.error ? '<br><small>cannot be fetched</small>' : ''}</th>`,
    )
    .join('');
  const body: string[] = [];
  for (const v of report.variants) {
    body.push(
      `<tr><th class="variant" colspan="${report.bases.length + 1}" scope="rowgroup">${escapeHtml(v.name)} <small>${escapeHtml(v.file)}</small></th></tr>`,
    );
    for (const feature of v.rows) {
      const tds = report.bases.map((b) => {
        const cell = report.cells.find((c) => c.variant === v.name && c.base === b.spec);
        const fc = cell?.features[feature];
        const status: CellStatus = fc?.status ?? 'unchecked';
        const codes = fc?.codes.length ? `<span class="codes">${fc.codes.map(escapeHtml).join(' ')}</span>` : '';
        const notes = [
          ...(cell?.skipped?.length ? [`not checked: ${cell.skipped.join('; ')}`] : []),
          ...(fc?.leftOut ?? []).map((l) => `left out: ${l}`),
        ];
        const title = notes.length ? ` title="${escapeHtml(notes.join('\n'))}"` : '';
        const leftMark = fc?.leftOut?.length ? `<span class="left-out">−${fc.leftOut.length}</span>` : '';
        return `<td class="cell ${status}"${title} tabindex="0" data-variant="${escapeHtml(v.name)}" data-feature="${escapeHtml(feature)}" data-base="${escapeHtml(b.spec)}" data-status="${status}">${SYMBOL[status]}${codes}${leftMark}</td>`;
      });
      body.push(
        `<tr><th class="feature" scope="row">${feature === VARIANT_ROW ? '<em>(variant)</em>' : escapeHtml(feature)}</th>${tds.join('')}</tr>`,
      );
    }
  }
  const total = report.cells.length;
  const count = (st: CellStatus) => report.cells.filter((c) => c.status === st).length;
  // unchecked cells are neither passing nor failing: counted on their own
  const passing = count('ok') + count('warning');
  const headline = `${passing} of ${total} composed and checked without errors, ${count('broken')} broken, ${count('unchecked')} unchecked`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kplay matrix: ${report.variants.length} variant(s) × ${report.bases.length} base(s)</title>
<style>${STYLE}</style>
</head>
<body>
<h1>kplay matrix</h1>
<p class="meta">${report.variants.length} variant(s) × ${report.bases.length} base(s): ${headline} · kplay ${escapeHtml(report.kplayVersion)} · ${escapeHtml(report.generatedAt)}</p>
<table id="matrix">
<thead><tr><th scope="col">feature</th>${head}</tr></thead>
<tbody>
${body.join('\n')}
</tbody>
</table>
<section id="details" aria-live="polite"><p>Click a cell to see its findings.</p></section>
<script type="application/json" id="matrix-data">${scriptJson(report)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
