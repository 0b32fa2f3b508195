import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { UsageError } from '../findings/finding.js';
import { parseFragment } from '../config/parse-fragment.js';
import { formatConfigLine } from '../config/config-value.js';
import { FEATURE_NAME } from '../load/load-feature.js';
import { isSafeRelativeName } from '../model/safe-path.js';
import { parseVersionRange } from '../model/kernel-version.js';
import { folderKernelRange } from '../resolve/patch-kernel-range.js';
import { safeFileName } from '../render/rpm-escape.js';
import { pathExists } from '../fs/path-kind.js';

export interface ScaffoldOptions {
  summary?: string;
  kernel?: string;
  patches?: string[];
  config?: string[];
  /** a patches/ subfolder name (`6.12`, `6.12+`): the patches are for that kernel series only */
  forKernel?: string;
}

/**
 * Create features/<name>/ with a commented feature.yml (schema modeline), a config fragment,
 * patches/ + series from the given patch files, and a README stub. Built in a temporary folder
 * and renamed, so a refused option leaves nothing behind. Returns the files written.
 */
export async function scaffoldFeature(root: string, name: string, opts: ScaffoldOptions): Promise<string[]> {
  if (!FEATURE_NAME.test(name) || !isSafeRelativeName(name)) {
    throw new UsageError(`'${name}' is not a valid feature name: use lower-case folder names like wireguard or deprecated-drivers/mptsas`);
  }
  const dir = path.join(root, 'features', name);
  if (await pathExists(dir)) throw new UsageError(`features/${name} already exists; choose another name or edit it`);
  if (opts.kernel && !parseVersionRange(opts.kernel).range)
    throw new UsageError(`--kernel '${opts.kernel}': ${parseVersionRange(opts.kernel).error}`);
  const fragmentLines: string[] = [];
  for (const c of opts.config ?? []) {
    const parsed = parseFragment(c, '--config', { kind: 'feature', name });
    const errors = parsed.findings.filter((f) => f.severity === 'error');
    if (errors.length || parsed.requests.length !== 1)
      throw new UsageError(`--config '${c}': write CONFIG_X=y, CONFIG_X=m, CONFIG_X="text" or CONFIG_X=n`);
    const r = parsed.requests[0]!;
    fragmentLines.push(formatConfigLine(r.symbol, r.value));
  }
  const patches: Array<{ name: string; text: Buffer }> = [];
  for (const p of opts.patches ?? []) {
    let text: Buffer;
    try {
      text = await readFile(p);
    } catch {
      throw new UsageError(`--from-patch ${p}: cannot read that file`);
    }
    const base = safeFileName(path.basename(p));
    patches.push({ name: /\.(patch|diff)$/.test(base) ? base : `${base}.patch`, text });
  }
  if (opts.forKernel !== undefined && !folderKernelRange(opts.forKernel))
    throw new UsageError(`--for-kernel '${opts.forKernel}': write a kernel series like 6.12 (that series only) or 6.12+ (it and later)`);
  const patchDir = opts.forKernel ? `patches/${opts.forKernel}` : 'patches';
  const depth = name.split('/').length + 1;
  const schemaRef = `${'../'.repeat(depth)}schemas/feature.schema.json`;
  const meta: Record<string, unknown> = { summary: opts.summary ?? `TODO: one line saying what ${name} adds` };
  if (opts.kernel) meta.kernel = opts.kernel;
  const yml = [
    `# yaml-language-server: $schema=${schemaRef}`,
    `# Feature ${name}. Keys: summary, description, kernel (">=6.1 <6.9"), arches, requires,`,
    '# conflicts, provides, config (inline CONFIG_X: y|m|n), accept-promotion. See README.md of kplay.',
    stringify(meta).trimEnd(),
    '',
  ].join('\n');
  const files = new Map<string, string | Buffer>([
    ['feature.yml', yml],
    ['config', ["# config for every arch, in the kernel's syntax (CONFIG_X=m, # CONFIG_X is not set)", ...fragmentLines, ''].join('\n')],
    [
      'README.md',
      [
        `# ${name}`,
        '',
        'TODO: what this feature is for, where its patches come from, and how to test it.',
        '',
        '## Patches for several kernels',
        '',
        'Patches directly in `patches/` apply to every kernel in the `kernel:` range. A patch that',
        'needs a different version per kernel series goes in `patches/<major.minor>/` (that series',
        'only, e.g. `patches/6.1/`) or `patches/<major.minor>+/` (that series and later); kplay picks',
        "the folder matching the variant's base and lists the others as left out. A `series` line",
        'can say the same with `kernel: RANGE` (`6.12/0001-fix.patch kernel: >=6.12`).',
        '',
      ].join('\n'),
    ],
  ]);
  if (patches.length) {
    const inSeries = (p: { name: string }) => (opts.forKernel ? `${opts.forKernel}/${p.name}` : p.name);
    files.set('series', ['# applied in this order with -p1', ...patches.map(inSeries), ''].join('\n'));
    for (const p of patches) files.set(`${patchDir}/${p.name}`, p.text);
  }
  const tmp = path.join(root, 'features', `.new-${process.pid}-${safeFileName(name)}`);
  try {
    for (const [rel, content] of files) {
      await mkdir(path.dirname(path.join(tmp, rel)), { recursive: true });
      await writeFile(path.join(tmp, rel), content);
    }
    await mkdir(path.dirname(dir), { recursive: true });
    await rename(tmp, dir);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return [...files.keys()].map((rel) => `features/${name}/${rel}`);
}
