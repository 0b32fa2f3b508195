import { tagList, tagString, type RpmHeader } from './rpm-header.js';

/**
 * A spec that rebuilds a binary RPM from its extracted (re-signed) payload with the same header
 * data: name, EVR, summary, description, license, URL, vendor, every dependency of every kind
 * with its flags (AutoReqProv off, so nothing is added or dropped), the scriptlets with their
 * interpreters, the file list with modes, owners, config/doc/ghost flags, verify flags and
 * capabilities, and the changelog. Values are copied from the header, which already holds
 * expanded text: every `%` is doubled so RPM does not expand it again.
 */

const SENSE = { LESS: 2, GREATER: 4, EQUAL: 8, POSTTRANS: 32, PRETRANS: 128, INTERP: 256, PRE: 512, POST: 1024, PREUN: 2048, POSTUN: 4096, VERIFY: 8192, RPMLIB: 1 << 24, CONFIG: 1 << 28 } as const;
const FILE = { CONFIG: 1, DOC: 2, MISSINGOK: 8, NOREPLACE: 16, GHOST: 64, LICENSE: 128, README: 256 } as const;
const VERIFY_BITS: Array<[number, string]> = [[1, 'md5'], [2, 'size'], [4, 'link'], [8, 'user'], [16, 'group'], [32, 'mtime'], [64, 'mode'], [128, 'rdev'], [256, 'caps']];

export class RebuildRefused extends Error {}

const esc = (s: string): string => s.replace(/%/g, '%%');
const oneLine = (s: string): string => esc(s.replace(/[\r\n]+/g, ' ').trim());

function depLines(h: RpmHeader, kind: string, tag: string, pkgName: string, evr: string): string[] {
  const names = tagList(h, `${kind}name`).map(String);
  const flags = tagList(h, `${kind}flags`).map(Number);
  const versions = tagList(h, `${kind}version`).map(String);
  const out: string[] = [];
  names.forEach((name, i) => {
    const f = flags[i] ?? 0;
    const v = versions[i] ?? '';
    if (f & SENSE.RPMLIB) return; // rpmlib(...) features: rpmbuild adds what this payload needs
    if (kind === 'require' && f & SENSE.INTERP) return; // scriptlet interpreters: generated from the scriptlets
    if (kind === 'provide' && (name === pkgName || (name.startsWith(`${pkgName}(`) && /^\([a-z0-9_-]+\)$/.test(name.slice(pkgName.length)))) && (!v || v === evr)) return; // self-provides, rpmbuild adds them
    const q: string[] = [];
    if (kind === 'require') {
      if (f & SENSE.PRE) q.push('pre');
      if (f & SENSE.POST) q.push('post');
      if (f & SENSE.PREUN) q.push('preun');
      if (f & SENSE.POSTUN) q.push('postun');
      if (f & SENSE.PRETRANS) q.push('pretrans');
      if (f & SENSE.POSTTRANS) q.push('posttrans');
      if (f & SENSE.VERIFY) q.push('verify');
    }
    const op = (f & SENSE.LESS ? '<' : '') + (f & SENSE.GREATER ? '>' : '') + (f & SENSE.EQUAL ? '=' : '');
    out.push(`${tag}${q.length ? `(${q.join(',')})` : ''}: ${esc(name)}${op && v ? ` ${op} ${esc(v)}` : ''}`);
  });
  return out;
}

const SCRIPTS: Array<[string, string]> = [['prein', 'pre'], ['postin', 'post'], ['preun', 'preun'], ['postun', 'postun'], ['pretrans', 'pretrans'], ['posttrans', 'posttrans'], ['verifyscript', 'verifyscript']];

function scriptSections(h: RpmHeader, sub: string): string[] {
  const out: string[] = [];
  for (const [tag, section] of SCRIPTS) {
    const body = tagString(h, tag);
    const prog = tagList(h, `${tag}prog`).map(String);
    if (body === undefined && !prog.length) continue;
    if (prog.length > 1) throw new RebuildRefused(`the %${section} scriptlet runs '${prog.join(' ')}': interpreter arguments cannot be reproduced`);
    const interp = prog[0] ?? '/bin/sh';
    out.push(`%${section}${sub}${interp === '/bin/sh' ? '' : ` -p ${interp}`}`);
    if (body !== undefined) out.push(esc(body));
    out.push('');
  }
  return out;
}

export function filePaths(h: RpmHeader): string[] {
  const base = tagList(h, 'basenames').map(String);
  const dirs = tagList(h, 'dirnames').map(String);
  const idx = tagList(h, 'dirindexes').map(Number);
  return base.map((b, i) => `${dirs[idx[i]!] ?? ''}${b}`);
}

function fileLine(path: string, mode: number, user: string, group: string, flags: number, verify: number, caps: string, lang: string): string {
  if (/["\n\\*?[\]{}]/.test(path)) throw new RebuildRefused(`file name ${JSON.stringify(path)} cannot be listed in a spec file list`);
  const parts: string[] = [];
  const isDir = (mode & 0o170000) === 0o040000;
  parts.push(`%attr(${(mode & 0o7777).toString(8).padStart(4, '0')},${user},${group})`);
  if (isDir) parts.push('%dir');
  if (flags & FILE.GHOST) parts.push('%ghost');
  if (flags & FILE.CONFIG) {
    const o = [flags & FILE.NOREPLACE ? 'noreplace' : '', flags & FILE.MISSINGOK ? 'missingok' : ''].filter(Boolean);
    parts.push(o.length ? `%config(${o.join(',')})` : '%config');
  }
  if (flags & FILE.DOC) parts.push('%doc');
  if (flags & FILE.LICENSE) parts.push('%license');
  if (flags & FILE.README) parts.push('%readme');
  if (lang) parts.push(`%lang(${lang})`);
  if (caps) parts.push(`%caps(${caps})`);
  const missing = VERIFY_BITS.filter(([bit]) => !((verify >>> 0) & bit)).map(([, n]) => n);
  if (missing.length && (verify >>> 0) !== 0xffffffff) parts.push(`%verify(not ${missing.join(' ')})`);
  const p = esc(path);
  parts.push(/\s/.test(p) ? `"${p}"` : p);
  return parts.join(' ');
}

export interface RebuildPlan {
  spec: string;
  /** The binary package's name. */
  name: string;
  arch: string;
  /** Payload path → mtime from the header, restored after signing. */
  mtimes: Map<string, number>;
  /** SOURCERPM is kept when the source package's version-release equals the binary's. */
  sourceRpmKept: boolean;
  buildTime?: number;
  buildHost?: string;
}

function changelogDate(seconds: number): string {
  const d = new Date(seconds * 1000);
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  return `${day} ${mon} ${String(d.getUTCDate()).padStart(2, '0')} ${d.getUTCFullYear()}`;
}

const PAYLOAD_IO: Record<string, string> = { zstd: 'zstdio', xz: 'xzdio', lzma: 'lzdio', gzip: 'gzdio', bzip2: 'bzdio' };

export function rebuildSpec(h: RpmHeader, originName: string): RebuildPlan {
  if (tagList(h, 'triggerscripts').length || tagList(h, 'filetriggerscripts').length || tagList(h, 'transfiletriggerscripts').length) {
    throw new RebuildRefused('the package has triggers, which kplay sign does not reproduce');
  }
  const name = tagString(h, 'name')!;
  const version = tagString(h, 'version')!;
  const release = tagString(h, 'release')!;
  const epoch = tagString(h, 'epoch');
  const arch = tagString(h, 'arch')!;
  const evr = `${epoch ? `${epoch}:` : ''}${version}-${release}`;
  const sourceRpm = tagString(h, 'sourcerpm') ?? '';
  const src = /^(.+)-([^-]+)-([^-]+)\.src\.rpm$/.exec(sourceRpm);
  const sourceRpmKept = Boolean(src && src[2] === version && src[3] === release && src[1] !== name);
  const mainName = sourceRpmKept ? src![1]! : name;
  const sub = sourceRpmKept ? ` -n ${name}` : '';
  const compressor = tagString(h, 'payloadcompressor') ?? 'gzip';
  const level = tagString(h, 'payloadflags') ?? '';
  const io = PAYLOAD_IO[compressor];
  const digestAlgo = tagString(h, 'filedigestalgo');

  const pkgTags = [
    `Summary: ${oneLine(tagString(h, 'summary') ?? name)}`,
    ...(tagString(h, 'url') ? [`URL: ${oneLine(tagString(h, 'url')!)}`] : []),
    ...(tagString(h, 'group') && tagString(h, 'group') !== 'Unspecified' ? [`Group: ${oneLine(tagString(h, 'group')!)}`] : []),
    ...(tagString(h, 'vendor') ? [`Vendor: ${oneLine(tagString(h, 'vendor')!)}`] : []),
    ...(tagString(h, 'packager') ? [`Packager: ${oneLine(tagString(h, 'packager')!)}`] : []),
    ...(tagString(h, 'distribution') ? [`Distribution: ${oneLine(tagString(h, 'distribution')!)}`] : []),
    `License: ${oneLine(tagString(h, 'license') ?? 'unknown')}`,
    'AutoReqProv: no',
    ...(['require', 'provide', 'conflict', 'obsolete', 'recommend', 'suggest', 'supplement', 'enhance'] as const).flatMap((k) =>
      depLines(h, k, k === 'require' ? 'Requires' : k === 'provide' ? 'Provides' : k === 'conflict' ? 'Conflicts' : k === 'obsolete' ? 'Obsoletes' : `${k[0]!.toUpperCase()}${k.slice(1)}s`, name, evr),
    ),
  ];
  const description = esc(tagString(h, 'description') ?? '');
  const paths = filePaths(h);
  const modes = tagList(h, 'filemodes').map(Number);
  const users = tagList(h, 'fileusername').map(String);
  const groups = tagList(h, 'filegroupname').map(String);
  const fflags = tagList(h, 'fileflags').map(Number);
  const verify = tagList(h, 'fileverifyflags').map(Number);
  const caps = tagList(h, 'filecaps').map(String);
  const langs = tagList(h, 'filelangs').map(String);
  const files = paths.map((p, i) => {
    return fileLine(p, modes[i] ?? 0o644, users[i] ?? 'root', groups[i] ?? 'root', fflags[i] ?? 0, verify[i] ?? 0xffffffff, caps[i] ?? '', langs[i] ?? '');
  });
  const times = tagList(h, 'changelogtime').map(Number);
  const cnames = tagList(h, 'changelogname').map(String);
  const ctexts = tagList(h, 'changelogtext').map(String);

  const lines = [
    `# Regenerated by kplay sign from ${esc(originName)}: the same header data, scriptlets and files, with a signed payload.`,
    '%global debug_package %{nil}',
    '%global __os_install_post %{nil}',
    '%global __arch_install_post %{nil}',
    '%global __spec_install_post %{nil}',
    '%global _build_id_links none',
    '%undefine _missing_build_ids_terminate_build',
    ...(io ? [`%global _binary_payload w${/^\d+$/.test(level) ? level : '9'}.${io}`] : []),
    ...(digestAlgo && /^\d+$/.test(digestAlgo) ? [`%global _binary_filedigest_algorithm ${digestAlgo}`] : []),
    '',
    `Name: ${esc(mainName)}`,
    ...(epoch ? [`Epoch: ${epoch}`] : []),
    `Version: ${esc(version)}`,
    `Release: ${esc(release)}`,
    ...(arch === 'noarch' ? ['BuildArch: noarch'] : []),
    ...(sourceRpmKept ? [`Summary: ${oneLine(tagString(h, 'summary') ?? name)}`, `License: ${oneLine(tagString(h, 'license') ?? 'unknown')}`] : pkgTags),
    '',
    '%description',
    description,
    '',
    ...(sourceRpmKept ? [`%package -n ${esc(name)}`, ...pkgTags, '', `%description -n ${esc(name)}`, description, ''] : []),
    '%install',
    'cp -a %{kplay_payload}/. %{buildroot}/',
    '',
    ...scriptSections(h, sub),
    `%files${sub}`,
    ...files,
    '',
    '%changelog',
    ...times.flatMap((t, i) => [`* ${changelogDate(t)} ${oneLine(cnames[i] ?? '')}`, esc(ctexts[i] ?? ''), '']),
  ];
  const buildTime = Number(tagString(h, 'buildtime'));
  const mt = tagList(h, 'filemtimes').map(Number);
  return {
    mtimes: new Map(paths.map((p, i) => [p, mt[i] ?? 0])),
    spec: `${lines.join('\n').trimEnd()}\n`,
    name,
    arch,
    sourceRpmKept,
    ...(Number.isFinite(buildTime) ? { buildTime } : {}),
    ...(tagString(h, 'buildhost') ? { buildHost: tagString(h, 'buildhost')! } : {}),
  };
}
