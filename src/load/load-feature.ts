import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Finding } from '../findings/finding.js';
import { configMapRequests } from '../config/config-map-requests.js';
import { parseFragment } from '../config/parse-fragment.js';
import { parseVersionRange } from '../model/kernel-version.js';
import { isRpmArch, RPM_ARCHES, type RpmArch } from '../model/arch.js';
import { DEFAULT_TEST_TIMEOUT, type Feature, type FeaturePatch, type NameRef } from '../model/feature.js';
import { displayPath, isSafeRelativeName, realPathInside } from '../model/safe-path.js';
import { validateAgainstSchema } from '../model/schemas.js';
import { locate, parseYamlSource, type YamlSource } from '../model/yaml-source.js';
import { inputReadFinding, readInputFile } from '../model/read-input-file.js';
import { decodeUtf8 } from '../model/decode-utf8.js';
import { folderKernelRange, seriesKernelOption } from '../resolve/patch-kernel-range.js';
import { codePointOrder } from '../model/code-point-order.js';

export const FEATURE_NAME = /^[a-z0-9][a-z0-9._+-]*(\/[a-z0-9][a-z0-9._+-]*)*$/;

interface FeatureYaml {
  summary: string;
  description?: string;
  kernel?: string;
  arches?: RpmArch[];
  requires?: string[];
  conflicts?: string[];
  provides?: string[];
  'accept-promotion'?: string[];
  test?: { run: string[]; timeout?: number; modules?: string[] };
}

function refs(src: YamlSource, key: string, names: string[] | undefined): NameRef[] {
  return (names ?? []).map((name, i) => ({ name, where: locate(src, [key, i]) }));
}

/** Read a file of the feature folder, refusing one whose real path leaves the folder. */
async function readInside(featureDir: string, abs: string, findings: Finding[], what: string): Promise<Buffer | undefined> {
  const { real, exists } = await realPathInside(featureDir, abs);
  if (!exists) {
    // a path through a file (features/x/config/... with config a file) is not "missing"
    const r = await readInputFile(abs);
    if (!r.ok && r.reason !== 'missing' && r.reason !== 'parent-not-folder') findings.push(inputReadFinding(abs, r, what));
    return undefined;
  }
  if (!real) {
    findings.push({
      code: 'E_PATH_ESCAPE',
      severity: 'error',
      message: `${what} ${displayPath(abs)} is a link that leads outside its feature folder`,
      where: { file: displayPath(abs), line: 0, col: 0 },
      hint: 'keep every file of a feature inside features/<name>/ (copy it in instead of linking)',
    });
    return undefined;
  }
  const r = await readInputFile(real);
  if (!r.ok) {
    if (r.reason !== 'missing') findings.push(inputReadFinding(abs, r, what));
    return undefined;
  }
  return r.bytes;
}

/** Text of an input file: UTF-8 or a finding at the first invalid byte. */
function textOf(bytes: Buffer, abs: string, findings: Finding[]): string | undefined {
  const d = decodeUtf8(bytes, displayPath(abs));
  for (const f of d.findings) findings.push(f);
  return d.text;
}

async function listPatches(featureDir: string, rel: (abs: string) => string, findings: Finding[]): Promise<FeaturePatch[]> {
  const patchesDir = path.join(featureDir, 'patches');
  const seriesFile = path.join(featureDir, 'series');
  const seriesText = await readInside(featureDir, seriesFile, findings, 'series file');
  const names: Array<{ name: string; where: { file: string; line: number; col: number }; kernel?: FeaturePatch['kernel'] }> = [];
  const seriesString = seriesText === undefined ? undefined : textOf(seriesText, seriesFile, findings);
  if (seriesText !== undefined && seriesString === undefined) return [];
  if (seriesString !== undefined) {
    const listed = new Map<string, { file: string; line: number; col: number }>();
    seriesString.split('\n').forEach((raw, i) => {
      const line = raw.replace(/#.*$/, '').trim();
      if (!line) return;
      const name = line.split(/\s+/)[0]!;
      const where = { file: displayPath(seriesFile), line: i + 1, col: 1 };
      const rest = line.slice(name.length).trim();
      const option = rest ? seriesKernelOption(rest) : undefined;
      if (rest && !option) {
        findings.push({
          code: 'E_SERIES_SYNTAX',
          severity: 'error',
          message: `series line '${line}' has options; kplay applies patches with -p1 and takes only 'kernel: RANGE'`,
          where,
          hint: 'e.g. 6.12/0001-fix.patch kernel: >=6.12',
        });
        return;
      }
      if (option && !option.range) {
        findings.push({
          code: 'E_VERSION_SYNTAX',
          severity: 'error',
          message: `series line '${line}': kernel range '${option.text}': ${option.error}`,
          where,
          hint: 'write comparators separated by spaces, e.g. kernel: >=6.1 <6.12',
        });
        return;
      }
      if (!isSafeRelativeName(name)) {
        findings.push({
          code: 'E_PATH_ESCAPE',
          severity: 'error',
          message: `series entry '${name}' leaves the patches/ folder`,
          where,
          hint: 'name patches relative to patches/, without .. or a leading /',
        });
        return;
      }
      const first = listed.get(name);
      if (first) {
        findings.push({
          code: 'W_SERIES_DUPLICATE',
          severity: 'warning',
          message: `series lists ${name} twice; it is applied once`,
          where,
          related: [{ message: 'first listed here', where: first }],
          hint: 'remove the second entry',
        });
        return;
      }
      listed.set(name, where);
      const kernel = option?.range
        ? { text: option.text, range: option.range }
        : name.includes('/')
          ? folderKernelRange(name.split('/')[0]!)
          : undefined;
      names.push({ name, where, ...(kernel ? { kernel } : {}) });
    });
  } else {
    let entries: Array<{ name: string; kernel?: FeaturePatch['kernel'] }> = [];
    try {
      const dirents = await readdir(patchesDir, { withFileTypes: true });
      entries = dirents
        .filter((d) => d.isFile() && (d.name.endsWith('.patch') || d.name.endsWith('.diff')))
        .map((d) => ({ name: d.name }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      // patches/6.1/, patches/6.12+/: a series per kernel version, after the common patches
      for (const d of dirents.filter((x) => x.isDirectory()).sort((a, b) => codePointOrder(a.name, b.name))) {
        const kernel = folderKernelRange(d.name);
        if (!kernel) continue;
        const inner = (await readdir(path.join(patchesDir, d.name))).filter((n) => n.endsWith('.patch') || n.endsWith('.diff')).sort();
        for (const n of inner) entries.push({ name: `${d.name}/${n}`, kernel });
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') {
        findings.push({
          code: 'E_INPUT_KIND',
          severity: 'error',
          message: `${displayPath(patchesDir)} is a file; patches/ must be a folder of patches`,
          where: { file: displayPath(patchesDir), line: 0, col: 0 },
        });
      } else if (code !== 'ENOENT') {
        findings.push({
          code: 'E_INPUT_UNREADABLE',
          severity: 'error',
          message: `cannot list ${displayPath(patchesDir)}: ${code ?? (err as Error).message}`,
          where: { file: displayPath(patchesDir), line: 0, col: 0 },
        });
      }
    }
    for (const { name, kernel } of entries)
      names.push({ name, where: { file: displayPath(path.join(patchesDir, name)), line: 0, col: 0 }, ...(kernel ? { kernel } : {}) });
  }
  const patches: FeaturePatch[] = [];
  for (const { name, where, kernel } of names) {
    const abs = path.join(patchesDir, name);
    const text = await readInside(featureDir, abs, findings, 'patch');
    if (text === undefined) {
      if (
        !findings.some(
          (f) =>
            (f.code === 'E_PATH_ESCAPE' || f.code === 'E_INPUT_KIND' || f.code === 'E_INPUT_UNREADABLE') &&
            f.message.includes(displayPath(abs)),
        )
      ) {
        findings.push({
          code: 'E_PATCH_MISSING',
          severity: 'error',
          message: `series names ${name}, but patches/${name} does not exist`,
          where,
        });
      }
      continue;
    }
    patches.push({ path: rel(abs), display: displayPath(abs), text, where, ...(kernel ? { kernel } : {}) });
  }
  return patches;
}

/**
 * Load features/<name>/: feature.yml (schema-validated), the `config` and `config.<arch>`
 * fragments, and the patch series. Every problem is a finding; `feature` is set only when the
 * folder is usable.
 */
export async function loadFeature(root: string, name: string, ref?: NameRef): Promise<{ feature?: Feature; findings: Finding[] }> {
  const findings: Finding[] = [];
  const featuresDir = path.join(root, 'features');
  const rel = (abs: string) => path.relative(root, abs).split(path.sep).join('/');
  if (!FEATURE_NAME.test(name) || !isSafeRelativeName(name)) {
    findings.push({
      code: 'E_FEATURE_NAME',
      severity: 'error',
      message: `'${name}' is not a valid feature name`,
      ...(ref ? { where: ref.where } : {}),
      hint: 'feature names are lower-case folder names under features/, like overlayfs or deprecated-drivers/megaraid_sas',
    });
    return { findings };
  }
  const featureDir = path.join(featuresDir, name);
  const file = path.join(featureDir, 'feature.yml');
  const dirRead = await readInputFile(featureDir);
  if (!dirRead.ok && dirRead.reason !== 'directory' && dirRead.reason !== 'missing') {
    const why = dirRead.reason === 'parent-not-folder' ? 'a folder on its path is a file' : 'it is a file, not a folder';
    findings.push({
      code: 'E_INPUT_KIND',
      severity: 'error',
      message: `feature '${name}': ${displayPath(featureDir)} cannot be a feature folder: ${why}`,
      ...(ref ? { where: ref.where } : { where: { file: displayPath(featureDir), line: 0, col: 0 } }),
      hint: 'a feature is a folder features/<name>/ holding feature.yml',
    });
    return { findings };
  }
  if (dirRead.ok) {
    findings.push({
      code: 'E_INPUT_KIND',
      severity: 'error',
      message: `feature '${name}': ${displayPath(featureDir)} is a file, not a folder`,
      ...(ref ? { where: ref.where } : { where: { file: displayPath(featureDir), line: 0, col: 0 } }),
      hint: 'a feature is a folder features/<name>/ holding feature.yml',
    });
    return { findings };
  }
  const dirCheck = await realPathInside(featuresDir, featureDir);
  if (dirCheck.exists && !dirCheck.real) {
    findings.push({
      code: 'E_PATH_ESCAPE',
      severity: 'error',
      message: `features/${name} is a link that leads outside features/`,
      ...(ref ? { where: ref.where } : {}),
    });
    return { findings };
  }
  const yml = await readInside(featureDir, file, findings, 'feature file');
  if (yml === undefined) {
    if (!findings.length) {
      findings.push({
        code: 'E_FEATURE_MISSING',
        severity: 'error',
        message: `feature '${name}' not found: ${displayPath(file)} does not exist`,
        ...(ref ? { where: ref.where } : {}),
        hint: `create it with 'kplay feature new ${name}', or fix the name`,
      });
    }
    return { findings };
  }
  const ymlText = textOf(yml, file, findings);
  if (ymlText === undefined) return { findings };
  const parsed = parseYamlSource(displayPath(file), ymlText);
  findings.push(...parsed.findings);
  const src = parsed.source;
  if (!src) return { findings };
  const data = parsed.data as FeatureYaml | null;
  if (data === null || typeof data !== 'object') {
    findings.push({
      code: 'E_SCHEMA',
      severity: 'error',
      message: 'feature.yml is empty; it needs at least a summary',
      where: { file: src.file, line: 1, col: 1 },
    });
    return { findings };
  }
  const schemaFindings = validateAgainstSchema('feature', src, data);
  if (schemaFindings.length) return { findings: [...findings, ...schemaFindings] };
  const self = (data.conflicts ?? []).indexOf(name);
  if (self >= 0) {
    findings.push({
      code: 'W_FEATURE_SELF_CONFLICT',
      severity: 'warning',
      message: `feature ${name} lists itself under conflicts; the entry is ignored`,
      where: locate(src, ['conflicts', self]),
      feature: name,
      hint: 'remove it from conflicts',
    });
    data.conflicts = data.conflicts!.filter((c) => c !== name);
  }

  const origin = { kind: 'feature' as const, name };
  const inline = configMapRequests(src, ['config'], origin);
  findings.push(...inline.findings);
  const requests = [...inline.requests];
  const fragmentFiles: Array<{ file: string; arch?: RpmArch }> = [
    { file: 'config' },
    ...RPM_ARCHES.map((a) => ({ file: `config.${a}`, arch: a })),
  ];
  for (const { file: fragName, arch } of fragmentFiles) {
    const abs = path.join(featureDir, fragName);
    const text = await readInside(featureDir, abs, findings, 'config fragment');
    if (text === undefined) continue;
    const fragText = textOf(text, abs, findings);
    if (fragText === undefined) continue;
    const frag = parseFragment(fragText, displayPath(abs), origin, arch);
    // a loop, not push(...): a fragment of 150k lines would overflow the call stack
    for (const f of frag.findings) findings.push(f);
    for (const r of frag.requests) requests.push(r);
  }
  // config.<something> that is not an RPM arch is almost always a typo (config.x86 for x86_64)
  try {
    for (const entry of await readdir(featureDir)) {
      const m = /^config\.(.+)$/.exec(entry);
      if (m && !isRpmArch(m[1]!)) {
        findings.push({
          code: 'E_FRAGMENT_ARCH',
          severity: 'error',
          message: `${entry}: '${m[1]}' is not an RPM arch`,
          where: { file: displayPath(path.join(featureDir, entry)), line: 0, col: 0 },
          hint: `name per-arch fragments config.<arch> with one of: ${RPM_ARCHES.join(', ')}`,
        });
      }
    }
  } catch {
    /* folder listing is best effort: the folder exists (feature.yml was read) */
  }
  const accept = new Set((data['accept-promotion'] ?? []).map((s) => s.replace(/^CONFIG_/, '')));
  for (const r of requests) if (accept.has(r.symbol)) r.acceptPromotion = true;

  let kernel: Feature['kernel'];
  if (data.kernel !== undefined) {
    const where = locate(src, ['kernel']);
    const range = parseVersionRange(data.kernel);
    if (!range.range) {
      findings.push({
        code: 'E_VERSION_SYNTAX',
        severity: 'error',
        message: `kernel range '${data.kernel}': ${range.error}`,
        where,
        hint: 'write comparators separated by spaces, e.g. ">=5.6 <6.9"',
      });
    } else {
      kernel = { text: data.kernel, range: range.range, where };
    }
  }
  const readme = await readInside(featureDir, path.join(featureDir, 'README.md'), findings, 'README');
  const patches = await listPatches(featureDir, rel, findings);
  const feature: Feature = {
    name,
    dir: rel(featureDir),
    file: src.file,
    where: { file: src.file, line: 1, col: 1 },
    summary: data.summary,
    ...(data.description !== undefined ? { description: data.description } : {}),
    ...(kernel ? { kernel } : {}),
    ...(data.arches ? { arches: { list: data.arches, where: locate(src, ['arches']) } } : {}),
    requires: refs(src, 'requires', data.requires),
    conflicts: refs(src, 'conflicts', data.conflicts),
    provides: refs(src, 'provides', data.provides),
    requests,
    patches,
    hasReadme: readme !== undefined,
    ...(data.test
      ? {
          test: {
            run: data.test.run.map((line, i) => ({ line, where: locate(src, ['test', 'run', i]) })),
            timeout: data.test.timeout ?? DEFAULT_TEST_TIMEOUT,
            ...(data.test.modules ? { modules: data.test.modules } : {}),
            where: locate(src, ['test']),
          },
        }
      : {}),
  };
  return { feature, findings };
}
