import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { findRepositoryRoot } from '../compose/find-root.js';
import { writeOutputAtomically } from '../compose/write-output.js';
import { exitCodeForFindings } from '../findings/exit-code.js';
import type { Finding } from '../findings/finding.js';
import { loadVariant } from '../load/load-variant.js';
import { kmodVariant } from '../bases/index.js';
import { kmodName } from '../bases/kmod/kmod-spec-context.js';
import { resolveFeatures } from '../resolve/resolve-features.js';
import { KPLAY_VERSION } from '../version.js';
import { defaultBaseImages, renderBuildScript, renderContainerfile, renderSignScript } from './containerfile.js';
import type { Day1Settings } from './day1-scripts.js';
import { parseImageReference } from './image-reference.js';
import { kernelTargets, type KernelTarget } from './kernel-targets.js';
import { bootModuleConfig, day1MachineConfig, day2Module, dnsLabel } from './machine-config.js';
import { bootModuleConfigProblems, embeddedScripts, machineConfigProblems, moduleProblems } from './validate-machine-config.js';

export interface KmmOptions {
  image: string;
  kernels: string[];
  roles: string[];
  module?: string;
  /** In-tree modules to unload first; default: the module's own name. `[]`: none. */
  replace?: string[];
  /** A folder of firmware files in the image (KMM's firmwarePath / firmwareFilesPath). */
  firmwarePath?: string;
  namespace: string;
  /** Default: from the variant's kernel (CentOS Stream N for elN, Fedora N for fcN). */
  builderImage?: string;
  finalImage?: string;
  out?: string;
  write?: boolean;
  /** The SIG key and certificate the build signs the modules with (build secrets; kplay reads only the certificate). */
  signKey?: string;
  signCert?: string;
}

export interface KmmResult {
  findings: Finding[];
  exitCode: 0 | 1 | 2 | 3;
  files?: Map<string, string>;
  outDir?: string;
  targets?: KernelTarget[];
  written: boolean;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
/** A repository-relative file name that is one token in a Containerfile comment, a shell word and a unit field. */
const FILE_TOKEN = /^[A-Za-z0-9._+-][A-Za-z0-9._+/-]{0,254}$/;
const ROLE = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

function arg(flag: string, message: string): Finding {
  return { code: 'E_KMM_ARGUMENT', severity: 'error', message: `${flag}: ${message}`, where: { file: flag, line: 1, col: 1 } };
}

/** bash -n and shellcheck over a script; problems as lines (a missing shellcheck is one, too). */
export async function lintScript(name: string, text: string): Promise<string[]> {
  const out: string[] = [];
  const syntax = await execa('bash', ['-n'], { input: text, reject: false });
  if (syntax.exitCode !== 0) out.push(`${name}: bash -n: ${String(syntax.stderr).trim()}`);
  const sc = await execa('shellcheck', ['-s', 'bash', '-f', 'gcc', '-'], { input: text, reject: false });
  if ((sc as { code?: string }).code === 'ENOENT' || (sc.failed && sc.exitCode === undefined))
    out.push(`${name}: shellcheck is not installed (Debian package shellcheck)`);
  else if (sc.exitCode !== 0)
    out.push(
      ...String(sc.stdout)
        .trim()
        .split('\n')
        .map((l) => `${name}: shellcheck ${l.replace(/^-:/, '')}`),
    );
  return out;
}

/**
 * --sign-key / --sign-cert: both or neither, existing files, a certificate file without a private
 * key. The key is never read (the image build mounts it as a secret); absolute paths go into
 * build-images.sh as defaults.
 */
async function signingFiles(opts: KmmOptions, findings: Finding[]): Promise<{ key: string; cert: string } | undefined> {
  if (opts.signKey === undefined && opts.signCert === undefined) return undefined;
  if (opts.signKey === undefined || opts.signCert === undefined) {
    findings.push(arg(opts.signKey === undefined ? '--sign-key' : '--sign-cert', 'give --sign-key and --sign-cert together'));
    return undefined;
  }
  const out = { key: path.resolve(opts.signKey), cert: path.resolve(opts.signCert) };
  let bad = false;
  for (const [flag, file] of [
    ['--sign-key', out.key],
    ['--sign-cert', out.cert],
  ] as const) {
    if (!/^\/[A-Za-z0-9._+/@=,-]{1,4095}$/.test(file)) {
      findings.push(arg(flag, `${JSON.stringify(file)}: name the file with letters, digits and . _ + / @ = , - only`));
      bad = true;
    } else if (!(await stat(file).catch(() => undefined))?.isFile()) {
      findings.push(arg(flag, `${file} is not a file`));
      bad = true;
    }
  }
  if (bad) return undefined;
  const certText = await readFile(out.cert, 'latin1');
  if (/PRIVATE KEY-----/.test(certText)) {
    findings.push(arg('--sign-cert', `${out.cert} holds a private key; give the certificate file (the .crt.pem of kplay keys new)`));
    return undefined;
  }
  if (!/-----BEGIN CERTIFICATE-----/.test(certText)) {
    findings.push(arg('--sign-cert', `${out.cert} is not a PEM certificate`));
    return undefined;
  }
  return out;
}

/**
 * `kplay kmm`: for a kmod variant, the driver-container Containerfile (one tag per kernel), the
 * Day-1 MachineConfig per node role and the Day-2 Module CR per role, validated against the
 * vendored Ignition 3.2.0 schema and MachineConfig CRD, their scripts through bash -n and
 * shellcheck. Deterministic: the same inputs give the same bytes.
 */
export async function runKmm(variantFile: string, opts: KmmOptions): Promise<KmmResult> {
  const findings: Finding[] = [];
  const done = (extra: Partial<KmmResult> = {}): KmmResult => ({
    findings,
    exitCode: exitCodeForFindings(findings),
    written: false,
    ...extra,
  });
  const image = parseImageReference(opts.image);
  if (image.finding) findings.push(image.finding);
  if (!opts.kernels.length) findings.push(arg('--kernel', 'give at least one kernel version (5.14.0-570.el9)'));
  for (const r of opts.roles)
    if (!ROLE.test(r)) findings.push(arg('--role', `'${r}' is not a MachineConfigPool role name (lower-case letters, digits, -)`));
  if (opts.module !== undefined && !NAME.test(opts.module)) findings.push(arg('--module', `'${opts.module}' is not a module name`));
  for (const m of opts.replace ?? []) if (!NAME.test(m)) findings.push(arg('--replace', `'${m}' is not a module name`));
  if (opts.firmwarePath !== undefined && !/^\/[A-Za-z0-9._/-]{1,255}$/.test(opts.firmwarePath))
    findings.push(arg('--firmware-path', `'${opts.firmwarePath}' is not an absolute folder path in the image`));
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(opts.namespace))
    findings.push(arg('--namespace', `'${opts.namespace}' is not a namespace name`));
  for (const [flag, ref] of [
    ['--builder-image', opts.builderImage],
    ['--final-image', opts.finalImage],
  ] as const) {
    if (ref !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._/:@-]{0,254}$/.test(ref))
      findings.push(arg(flag, `'${ref}' is not an image reference`));
  }
  const sign = await signingFiles(opts, findings);
  const loaded = await loadVariant(variantFile);
  findings.push(...loaded.findings);
  if (!loaded.variant) return done();
  const variant = kmodVariant(loaded.variant);
  if (!variant) {
    findings.push({
      code: 'E_KMM_NOT_KMOD',
      severity: 'error',
      message: `${loaded.variant.file} is not a kmod variant: KMM loads out-of-tree modules`,
      where: { file: loaded.variant.file, line: 1, col: 1 },
      hint: 'use a variant with type: kmod (see variants/kmod-wireguard.yml)',
    });
    return done();
  }
  const root = await findRepositoryRoot(variantFile);
  const { findings: rf } = await resolveFeatures(variant, root);
  findings.push(...rf);
  if (exitCodeForFindings(findings) !== 0) return done();
  const { targets, findings: kf } = kernelTargets(opts.kernels, variant);
  findings.push(...kf);
  if (exitCodeForFindings(findings) !== 0 || !image.image) return done();

  const name = kmodName(variant);
  const variantDisplay = path.relative(root, path.resolve(variant.file)).split(path.sep).join('/');
  // the file name and the module name reach Containerfile lines, shell scripts, systemd units
  // and Ignition fields: they must be tokens there (a newline in a file name was a RUN line)
  if (!FILE_TOKEN.test(variantDisplay))
    findings.push({
      code: 'E_KMM_NAME',
      severity: 'error',
      message: `the variant file name ${JSON.stringify(variantDisplay)} cannot be written into the Containerfile and scripts`,
      where: { file: loaded.variant.file, line: 1, col: 1 },
      hint: 'rename the file: letters, digits and . _ + - / only',
    });
  if (!NAME.test(name))
    findings.push({
      code: 'E_KMM_NAME',
      severity: 'error',
      message: `the kmod name '${name}' (from the variant name '${variant.name}') is not a module name`,
      where: { file: variantDisplay, line: 1, col: 1 },
      hint: 'name the variant kmod-<module>, with a module name after kmod-',
    });
  if (exitCodeForFindings(findings) !== 0) return done();
  const module = opts.module ?? name.replace(/-/g, '_');
  const settings: Day1Settings = {
    image: image.image.name,
    module,
    inTree: opts.replace ?? [module],
    ...(opts.firmwarePath ? { firmware: opts.firmwarePath } : {}),
  };
  const files = new Map<string, string>();
  const bases = defaultBaseImages(variant.base.kernelVersion);
  files.set(
    'Containerfile',
    renderContainerfile({
      kmodName: name,
      builderImage: opts.builderImage ?? bases.builder,
      finalImage: opts.finalImage ?? bases.final,
      variantFile: variantDisplay,
      kplayVersion: KPLAY_VERSION,
      ...(sign ? { sign: 'yes' as const } : {}),
    }),
  );
  files.set('build-images.sh', renderBuildScript(image.image.name, targets, sign));
  const lint: string[] = [...(await lintScript('build-images.sh', files.get('build-images.sh')!))];
  if (sign) {
    files.set('sign-modules.sh', renderSignScript());
    lint.push(...(await lintScript('sign-modules.sh', files.get('sign-modules.sh')!)));
  } else
    findings.push({
      code: 'N_KMM_MODULES_UNSIGNED',
      severity: 'note',
      message: 'the modules in the driver image are not signed: a node with Secure Boot refuses to load them',
      hint: 'give --sign-key and --sign-cert (the SIG key from kplay keys new): the image build signs them with build secrets',
    });
  for (const role of [...new Set(opts.roles)].sort()) {
    const mc = day1MachineConfig(role, settings);
    for (const p of machineConfigProblems(mc))
      findings.push({ code: 'E_KMM_SCHEMA', severity: 'error', message: `machineconfig-${role}.yaml: ${p}` });
    for (const s of embeddedScripts(mc)) lint.push(...(await lintScript(`machineconfig-${role}.yaml:${s.path}`, s.text)));
    files.set(`machineconfig-${role}.yaml`, stringify(mc, { lineWidth: 0 }));
    // object names are DNS-1123 (BusLogic -> buslogic), whatever the module is called
    const moduleName = opts.roles.length > 1 ? `${dnsLabel(module, 62 - role.length)}-${role}` : dnsLabel(module);
    const mod = day2Module(role, moduleName, opts.namespace, settings, targets);
    for (const p of moduleProblems(mod)) findings.push({ code: 'E_KMM_SCHEMA', severity: 'error', message: `module-${role}.yaml: ${p}` });
    files.set(`module-${role}.yaml`, stringify(mod, { lineWidth: 0 }));
    const bmc = bootModuleConfig(role, moduleName, opts.namespace, settings);
    for (const p of bootModuleConfigProblems(bmc))
      findings.push({ code: 'E_KMM_SCHEMA', severity: 'error', message: `bootmoduleconfig-${role}.yaml: ${p}` });
    files.set(`bootmoduleconfig-${role}.yaml`, stringify(bmc, { lineWidth: 0 }));
  }
  for (const l of lint) {
    if (l.endsWith('shellcheck is not installed (Debian package shellcheck)'))
      findings.push({ code: 'W_KMM_NO_SHELLCHECK', severity: 'warning', message: l });
    else findings.push({ code: 'E_KMM_SCRIPT', severity: 'error', message: l });
  }
  files.set(
    'kmm.json',
    `${JSON.stringify({ kplay: KPLAY_VERSION, variant: variantDisplay, image: image.image.name, module, replace: settings.inTree, roles: [...new Set(opts.roles)].sort(), images: targets.map((t) => ({ kernel: t.full, kernelDevel: t.version, arch: t.arch, tag: `${image.image!.name}:${t.full}` })) }, null, 2)}\n`,
  );
  // schema or lint problems in kplay's own output are kplay's bug
  if (findings.some((f) => f.code === 'E_KMM_SCHEMA' || f.code === 'E_KMM_SCRIPT')) return { ...done({ files, targets }), exitCode: 3 };
  const outDir = path.resolve(opts.out ?? path.join(root, 'out', `${variant.name}-kmm`));
  const result = done({ files, outDir, targets });
  if (result.exitCode === 0 && opts.write !== false) {
    await writeOutputAtomically(outDir, files, {
      variant: `${variant.name}-kmm`,
      root,
      variantFile: variant.file,
      named: opts.out !== undefined,
    });
    result.written = true;
  }
  return result;
}
