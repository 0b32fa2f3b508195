import {
  foldToOneLine,
  quotedExcerpt,
  RenderRefusal,
  specDependencyName,
  specDependencyVersion,
  specFileCaps,
  specFileLang,
  specFileOwner,
  specFilePath,
  specScriptBody,
  specScriptInterpreter,
  specToken,
  specVerbatimChangelog,
  specVerbatimTag,
  specVerbatimText,
  verbatimPercent,
} from '../boundary/index.js';
import { tagList, tagString, type RpmHeader } from './rpm-header.js';
import { rpmChangelogDay } from '../boundary/rpm-date.js';

/**
 * A spec that rebuilds a binary RPM from its extracted (re-signed) payload with the same header
 * data: name, EVR, summary, description, license, URL, vendor, every dependency of every kind
 * with its flags (AutoReqProv off, so nothing is added or dropped), the scriptlets with their
 * interpreters, the file list with modes, owners, config/doc/ghost flags, verify flags and
 * capabilities, and the changelog. The header may come from anyone's spec, so every value passes
 * the rendering boundary (src/boundary/: the verbatim forms of spec-verbatim.ts,
 * spec-scriptlet.ts, spec-dependency.ts, spec-file-entry.ts and spec-token.ts), which gives rpm
 * back exactly the header's value or refuses it: the rebuilt header equals the input's or
 * kplay sign stops before anything is built (E_SIGN_HEADER).
 */

const SENSE = {
  LESS: 2,
  GREATER: 4,
  EQUAL: 8,
  POSTTRANS: 32,
  PRETRANS: 128,
  INTERP: 256,
  PRE: 512,
  POST: 1024,
  PREUN: 2048,
  POSTUN: 4096,
  VERIFY: 8192,
  RPMLIB: 1 << 24,
  CONFIG: 1 << 28,
  META: 1 << 29,
} as const;
const FILE = { CONFIG: 1, DOC: 2, MISSINGOK: 8, NOREPLACE: 16, GHOST: 64, LICENSE: 128, README: 256, ARTIFACT: 4096 } as const;
/** The file flags a `%files` line can set (RPMFILE_*, lib/rpmfiles.h); MISSINGOK and NOREPLACE only with CONFIG. */
const FILE_FLAGS = FILE.CONFIG | FILE.DOC | FILE.MISSINGOK | FILE.NOREPLACE | FILE.GHOST | FILE.LICENSE | FILE.README | FILE.ARTIFACT;
const VERIFY_BITS: Array<[number, string]> = [
  [1, 'md5'],
  [2, 'size'],
  [4, 'link'],
  [8, 'user'],
  [16, 'group'],
  [32, 'mtime'],
  [64, 'mode'],
  [128, 'rdev'],
  [256, 'caps'],
];

/** The header holds something the rebuilt RPM could not carry exactly (the message names the field). */
export class RebuildRefused extends Error {}

/** Run a boundary function; its refusal becomes the plan's refusal. */
function boundary<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RenderRefusal) throw new RebuildRefused(err.message);
    throw err;
  }
}

const token = (value: string, what: string): string => boundary(() => specToken(value, what));
const tag = (value: string, what: string, singleToken = false): string => boundary(() => specVerbatimTag(value, what, { singleToken }));

/** A `Prefix:` of a relocatable package: an absolute path of plain segments, no trailing `/`. */
function prefix(value: string): string {
  if (!/^(\/[A-Za-z0-9_+~^-][A-Za-z0-9._+~^-]*)+$/.test(value) || value.split('/').includes('..') || value.length > 4096)
    throw new RebuildRefused(`PREFIXES '${foldToOneLine(value.slice(0, 60))}' is not an absolute path of letters, digits and . _ + ~ ^ -`);
  return value;
}

/** Translations (one string per language) are not reproduced: refused rather than silently dropped. */
function oneLanguage(h: RpmHeader, t: string): void {
  if (tagList(h, t).length > 1)
    throw new RebuildRefused(`${t.toUpperCase()} is translated into several languages, which kplay sign does not reproduce`);
}

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
    if (
      kind === 'provide' &&
      (name === pkgName || (name.startsWith(`${pkgName}(`) && /^\([a-z0-9_-]+\)$/.test(name.slice(pkgName.length)))) &&
      (!v || v === evr)
    )
      return; // self-provides, rpmbuild adds them
    const q: string[] = [];
    if (kind === 'require') {
      if (f & SENSE.PRE) q.push('pre');
      if (f & SENSE.POST) q.push('post');
      if (f & SENSE.PREUN) q.push('preun');
      if (f & SENSE.POSTUN) q.push('postun');
      if (f & SENSE.PRETRANS) q.push('pretrans');
      if (f & SENSE.POSTTRANS) q.push('posttrans');
      if (f & SENSE.VERIFY) q.push('verify');
      if (f & SENSE.META) q.push('meta');
    }
    const op = (f & SENSE.LESS ? '<' : '') + (f & SENSE.GREATER ? '>' : '') + (f & SENSE.EQUAL ? '=' : '');
    const what = `${tag} '${foldToOneLine(name.slice(0, 60))}'`;
    const rich = ['provide', 'obsolete', 'order'].includes(kind)
      ? undefined
      : ['conflict', 'supplement', 'enhance'].includes(kind)
        ? ('conflicts' as const)
        : ('requires' as const);
    const n = boundary(() => specDependencyName(name, `${tag}`, { ...(rich ? { rich } : {}), packageName: kind === 'obsolete' }));
    if (Boolean(op) !== Boolean(v))
      throw new RebuildRefused(`${what} has ${op ? 'a comparison without a version' : 'a version without a comparison'}`);
    if (op && v && name.startsWith('/')) throw new RebuildRefused(`${what} is a file name with a version, which rpm refuses`);
    if (op && v && name.startsWith('(')) throw new RebuildRefused(`${what} is a rich dependency with a version outside it`);
    const ver = op && v ? ` ${op} ${boundary(() => specDependencyVersion(v, `the version of ${what}`))}` : '';
    out.push(`${tag}${q.length ? `(${q.join(',')})` : ''}: ${n}${ver}`);
  });
  return out;
}

const SCRIPTS: Array<[string, string]> = [
  ['prein', 'pre'],
  ['postin', 'post'],
  ['preun', 'preun'],
  ['postun', 'postun'],
  ['pretrans', 'pretrans'],
  ['posttrans', 'posttrans'],
  ['verifyscript', 'verifyscript'],
];
/** RPMSCRIPT_FLAG_EXPAND (`-e`) and RPMSCRIPT_FLAG_QFORMAT (`-q`), lib/rpmscript.h. */
const SCRIPT_FLAGS: Array<[number, string]> = [
  [1, '-e'],
  [2, '-q'],
];

function scriptSections(h: RpmHeader, sub: string): string[] {
  const out: string[] = [];
  for (const [tag, section] of SCRIPTS) {
    const body = tagString(h, tag);
    const prog = tagList(h, `${tag}prog`).map(String);
    const flags = Number(tagString(h, `${tag}flags`) ?? 0);
    if (body === undefined && !prog.length) continue;
    const what = `the %${section} scriptlet`;
    if (prog.length > 1)
      throw new RebuildRefused(`${what} runs ${quotedExcerpt(prog.join(' '))}: interpreter arguments cannot be reproduced`);
    if (flags & ~3) throw new RebuildRefused(`${what} has flags ${flags} that a spec cannot set`);
    const interp = boundary(() => specScriptInterpreter(prog[0] ?? '/bin/sh', what));
    const opts = [...SCRIPT_FLAGS.filter(([bit]) => flags & bit).map(([, o]) => ` ${o}`), interp === '/bin/sh' ? '' : ` -p ${interp}`];
    out.push(`%${section}${sub}${opts.join('')}`);
    if (body !== undefined) out.push(boundary(() => specScriptBody(body, what)));
    out.push('');
  }
  return out;
}

/**
 * A listed file below a symbolic link would be read by rpmbuild THROUGH the link, from outside the
 * package (a link `/k -> /home/signer/keys` and a file `/k/sig.key.pem` would pack the signing
 * key). Returns the refusal for the first such file, or undefined.
 */
export function firstUnderLink(paths: Iterable<string>, links: Set<string>): string | undefined {
  if (!links.size) return undefined;
  for (const p of paths) {
    for (let i = p.indexOf('/', 1); i > 0; i = p.indexOf('/', i + 1)) {
      const prefix = p.slice(0, i);
      if (links.has(prefix))
        return `file ${quotedExcerpt(p)} lies below the symbolic link ${quotedExcerpt(prefix)}: rpmbuild would read it from wherever the link points`;
    }
  }
  return undefined;
}

export function filePaths(h: RpmHeader): string[] {
  const base = tagList(h, 'basenames').map(String);
  const dirs = tagList(h, 'dirnames').map(String);
  const idx = tagList(h, 'dirindexes').map(Number);
  return base.map((b, i) => `${dirs[idx[i]!] ?? ''}${b}`);
}

function fileLine(
  path: string,
  mode: number,
  user: string,
  group: string,
  flags: number,
  verify: number,
  caps: string,
  lang: string,
): string {
  const p = boundary(() => specFilePath(path));
  const what = `file ${p}`;
  const parts: string[] = [];
  const isDir = (mode & 0o170000) === 0o040000;
  const owner = boundary(() => specFileOwner(user, `the owner of ${what}`));
  const grp = boundary(() => specFileOwner(group, `the group of ${what}`));
  parts.push(`%attr(${(mode & 0o7777).toString(8).padStart(4, '0')},${owner},${grp})`);
  if (isDir) parts.push('%dir');
  if (flags & FILE.GHOST) parts.push('%ghost');
  if (flags & FILE.CONFIG) {
    const o = [flags & FILE.NOREPLACE ? 'noreplace' : '', flags & FILE.MISSINGOK ? 'missingok' : ''].filter(Boolean);
    parts.push(o.length ? `%config(${o.join(',')})` : '%config');
  }
  if (flags & FILE.DOC) parts.push('%doc');
  if (flags & FILE.LICENSE) parts.push('%license');
  if (flags & FILE.README) parts.push('%readme');
  if (flags & FILE.ARTIFACT) parts.push('%artifact');
  if (flags & ~FILE_FLAGS || (flags & (FILE.MISSINGOK | FILE.NOREPLACE) && !(flags & FILE.CONFIG)))
    throw new RebuildRefused(`${what} has file flags ${flags} that a spec file list cannot set`);
  if (lang) parts.push(`%lang(${boundary(() => specFileLang(lang, what))})`);
  if (caps) parts.push(`%caps(${boundary(() => specFileCaps(caps, what))})`);
  const missing = VERIFY_BITS.filter(([bit]) => !((verify >>> 0) & bit)).map(([, n]) => n);
  if (missing.length && verify >>> 0 !== 0xffffffff) parts.push(`%verify(not ${missing.join(' ')})`);
  parts.push(p);
  return parts.join(' ');
}

export interface RebuildPlan {
  spec: string;
  /** The binary package's name. */
  name: string;
  arch: string;
  /** Payload path → mtime from the header, restored after signing. */
  mtimes: Map<string, number>;
  /**
   * What the payload must hold: every file of the header but the `%ghost` ones (path → file type,
   * `mode & 0o170000`). A payload holding anything else would be signed and packed unseen.
   */
  payload: Map<string, number>;
  /**
   * What the payload's files must hold before signing: regular file → its header digest (hex, in
   * `digestAlgorithm`), link → its header target. A payload that contradicts its header is not
   * installable as it is; rebuilt, it would carry contents the header never described.
   */
  contents: Map<string, { digest?: string; linkTo?: string }>;
  /** RPMTAG_FILEDIGESTALGO (1 md5, 2 sha1, 8 sha256, 9 sha384, 10 sha512, 11 sha224); rpm's default is md5. */
  digestAlgorithm: number;
  /** SOURCERPM is kept when the source package's version-release equals the binary's. */
  sourceRpmKept: boolean;
  buildTime?: number;
  /** BUILDHOST, a plain token (it reaches rpmbuild as `--define '_buildhost …'`, which rpm expands). */
  buildHost?: string;
}

/**
 * A changelog date rpm turns back into `seconds`: `Mon Nov 30 2026` is noon UTC; any other time
 * needs the extended form `Mon Nov 30 09:05:00 UTC 2026` (build/parseChangelog.c, years 1990-2999).
 */
function changelogDate(seconds: number): string {
  const d = new Date(seconds * 1000);
  if (!Number.isInteger(seconds) || d.getUTCFullYear() < 1990 || d.getUTCFullYear() > 2999)
    throw new RebuildRefused(`a changelog entry's time ${seconds} is outside the years 1990-2999 rpm accepts`);
  const day = rpmChangelogDay(d);
  if (seconds % 86400 === 43200) return `${day} ${d.getUTCFullYear()}`;
  return `${day} ${d.toISOString().slice(11, 19)} UTC ${d.getUTCFullYear()}`;
}

const PAYLOAD_IO: Record<string, string> = { zstd: 'zstdio', xz: 'xzdio', lzma: 'lzdio', gzip: 'gzdio', bzip2: 'bzdio' };

export function rebuildSpec(h: RpmHeader, originName: string): RebuildPlan {
  if (tagList(h, 'triggerscripts').length || tagList(h, 'filetriggerscripts').length || tagList(h, 'transfiletriggerscripts').length) {
    throw new RebuildRefused('the package has triggers, which kplay sign does not reproduce');
  }
  if (['preuntrans', 'postuntrans', 'preuntransprog', 'postuntransprog'].some((t) => h.has(t)))
    throw new RebuildRefused('the package has %preuntrans or %postuntrans scriptlets (rpm 4.19), which kplay sign does not reproduce');
  for (const t of ['summary', 'description', 'group']) oneLanguage(h, t);
  // rpm -qp --xml prints raw bytes; what is not UTF-8 reaches kplay as U+FFFD and could not be written back
  for (const [t, values] of h)
    if (values.some((v) => typeof v === 'string' && v.includes('\uFFFD')))
      throw new RebuildRefused(`${t.toUpperCase()} holds bytes that are not UTF-8, which kplay sign cannot write back unchanged`);
  const name = token(tagString(h, 'name') ?? '', 'NAME');
  const version = token(tagString(h, 'version') ?? '', 'VERSION');
  const release = token(tagString(h, 'release') ?? '', 'RELEASE');
  const epoch = tagString(h, 'epoch');
  if (epoch !== undefined && !/^\d{1,10}$/.test(epoch))
    throw new RebuildRefused(`EPOCH '${foldToOneLine(epoch.slice(0, 20))}' is not a number`);
  const arch = token(tagString(h, 'arch') ?? '', 'ARCH');
  const evr = `${epoch ? `${epoch}:` : ''}${version}-${release}`;
  const sourceRpm = tagString(h, 'sourcerpm') ?? '';
  const src = /^(.+)-([^-]+)-([^-]+)\.src\.rpm$/.exec(sourceRpm);
  const sourceRpmKept = Boolean(src && src[2] === version && src[3] === release && src[1] !== name);
  const mainName = sourceRpmKept ? token(src![1]!, 'the source package name in SOURCERPM') : name;
  const sub = sourceRpmKept ? ` -n ${name}` : '';
  const compressor = tagString(h, 'payloadcompressor') ?? 'gzip';
  const level = tagString(h, 'payloadflags') ?? '';
  // own keys only: a header naming "constructor" would otherwise write Object's source into the spec
  const io = Object.hasOwn(PAYLOAD_IO, compressor) ? PAYLOAD_IO[compressor] : undefined;
  const digestAlgo = tagString(h, 'filedigestalgo');
  const buildHost = tagString(h, 'buildhost');

  const summary = tag(tagString(h, 'summary') ?? name, 'SUMMARY');
  const license = tag(tagString(h, 'license') ?? 'unknown', 'LICENSE');
  const optional = (t: string, label: string, singleToken = false): string[] => {
    const v = tagString(h, t);
    return v !== undefined ? [`${label}: ${tag(v, t.toUpperCase(), singleToken)}`] : [];
  };
  const pkgTags = [
    `Summary: ${summary}`,
    ...optional('url', 'URL', true),
    ...optional('bugurl', 'BugURL', true),
    ...optional('vcs', 'VCS', true),
    ...optional('disttag', 'DistTag', true),
    ...optional('modularitylabel', 'ModularityLabel'),
    ...tagList(h, 'prefixes').map((p) => `Prefix: ${prefix(String(p))}`),
    ...(tagString(h, 'group') !== 'Unspecified' ? optional('group', 'Group') : []),
    ...optional('vendor', 'Vendor'),
    ...optional('packager', 'Packager'),
    ...optional('distribution', 'Distribution'),
    `License: ${license}`,
    'AutoReqProv: no',
    ...(['require', 'provide', 'conflict', 'obsolete', 'recommend', 'suggest', 'supplement', 'enhance', 'order'] as const).flatMap((k) =>
      depLines(
        h,
        k,
        k === 'require'
          ? 'Requires'
          : k === 'order'
            ? 'OrderWithRequires'
            : k === 'provide'
              ? 'Provides'
              : k === 'conflict'
                ? 'Conflicts'
                : k === 'obsolete'
                  ? 'Obsoletes'
                  : `${k[0]!.toUpperCase()}${k.slice(1)}s`,
        name,
        evr,
      ),
    ),
  ];
  const description = boundary(() => specVerbatimText(tagString(h, 'description') ?? '', 'DESCRIPTION'));
  const paths = filePaths(h);
  const modes = tagList(h, 'filemodes').map(Number);
  const users = tagList(h, 'fileusername').map(String);
  const groups = tagList(h, 'filegroupname').map(String);
  const fflags = tagList(h, 'fileflags').map(Number);
  const verify = tagList(h, 'fileverifyflags').map(Number);
  const caps = tagList(h, 'filecaps').map(String);
  const langs = tagList(h, 'filelangs').map(String);
  const links = new Set(paths.filter((_, i) => ((modes[i] ?? 0) & 0o170000) === 0o120000));
  const listed = new Set<string>();
  const twice = paths.find((p) => {
    if (listed.has(p)) return true;
    listed.add(p);
    return false;
  });
  if (twice !== undefined) throw new RebuildRefused(`file ${quotedExcerpt(twice)} is listed twice, which rpmbuild would list once`);
  const underLink = firstUnderLink(paths, links);
  if (underLink) throw new RebuildRefused(underLink);
  const files = paths.map((p, i) => {
    return fileLine(
      p,
      modes[i] ?? 0o644,
      users[i] ?? 'root',
      groups[i] ?? 'root',
      fflags[i] ?? 0,
      verify[i] ?? 0xffffffff,
      caps[i] ?? '',
      langs[i] ?? '',
    );
  });
  const times = tagList(h, 'changelogtime').map(Number);
  const cnames = tagList(h, 'changelogname').map(String);
  const ctexts = tagList(h, 'changelogtext').map(String);
  const changelog = times.flatMap((t, i) => [
    `* ${changelogDate(t)} ${tag(cnames[i] ?? '', `the author of changelog entry ${i + 1}`)}`,
    boundary(() => specVerbatimChangelog(ctexts[i] ?? '', `changelog entry ${i + 1}`)),
    '',
  ]);

  const lines = [
    `# Regenerated by kplay sign from ${verbatimPercent(foldToOneLine(originName))}: the same header data, scriptlets and files, with a signed payload.`,
    '%global debug_package %{nil}',
    '%global __os_install_post %{nil}',
    '%global __arch_install_post %{nil}',
    '%global __spec_install_post %{nil}',
    '%global _build_id_links none',
    '%undefine _missing_build_ids_terminate_build',
    // every changelog entry of the header, however old (Fedora's rpm config trims to two years)
    '%global _changelog_trimage 0',
    '%global _changelog_trimtime 0',
    ...(io ? [`%global _binary_payload w${/^\d{1,2}(T\d{0,4})?$/.test(level) ? level : '9'}.${io}`] : []),
    ...(digestAlgo && /^\d+$/.test(digestAlgo) ? [`%global _binary_filedigest_algorithm ${digestAlgo}`] : []),
    '',
    `Name: ${mainName}`,
    ...(epoch ? [`Epoch: ${epoch}`] : []),
    `Version: ${version}`,
    `Release: ${release}`,
    ...(arch === 'noarch' ? ['BuildArch: noarch'] : []),
    ...(sourceRpmKept ? [`Summary: ${summary}`, `License: ${license}`] : pkgTags),
    '',
    '%description',
    description,
    '',
    ...(sourceRpmKept ? [`%package -n ${name}`, ...pkgTags, '', `%description -n ${name}`, description, ''] : []),
    '%install',
    'cp -a %{kplay_payload}/. %{buildroot}/',
    '',
    ...scriptSections(h, sub),
    `%files${sub}`,
    ...files,
    '',
    '%changelog',
    ...changelog,
  ];
  const buildTime = Number(tagString(h, 'buildtime'));
  const mt = tagList(h, 'filemtimes').map(Number);
  const digests = tagList(h, 'filedigests');
  const linkTos = tagList(h, 'filelinktos');
  return {
    mtimes: new Map(paths.map((p, i) => [p, mt[i] ?? 0])),
    payload: new Map(
      paths.flatMap((p, i): Array<[string, number]> => ((fflags[i] ?? 0) & FILE.GHOST ? [] : [[p, (modes[i] ?? 0) & 0o170000]])),
    ),
    contents: new Map(
      paths.flatMap((p, i): Array<[string, { digest?: string; linkTo?: string }]> => {
        if ((fflags[i] ?? 0) & FILE.GHOST) return [];
        const type = (modes[i] ?? 0) & 0o170000;
        if (type === 0o100000) return [[p, { digest: String(digests[i] ?? '') }]];
        if (type === 0o120000) return [[p, { linkTo: String(linkTos[i] ?? '') }]];
        return [];
      }),
    ),
    digestAlgorithm: /^\d+$/.test(digestAlgo ?? '') ? Number(digestAlgo) : 1,
    // not trimmed: the blank line after the last changelog entry ends a trailing backslash's continuation
    spec: `${lines.join('\n')}\n`,
    name,
    arch,
    sourceRpmKept,
    ...(Number.isFinite(buildTime) ? { buildTime } : {}),
    ...(buildHost ? { buildHost: token(buildHost, 'BUILDHOST') } : {}),
  };
}
