#!/usr/bin/env node
// A stand-in for the `koji` CLI (and `cbs`, which is koji under its profile's name) for tests.
// It appends its arguments to $FAKE_KOJI_LOG (one JSON line per run), reads the profile's
// `server` and `weburl` from the koji config (~/.koji/config, or -c FILE), and does what
// `koji build --nowait TARGET SRPM` does against the local test hub: getBuildTarget, getTag
// (a locked tag is refused unless --scratch), build(...), then prints what the real CLI prints.
// $FAKE_KOJI_LOGIN_ERROR, when set, is printed on stderr as a failed login (exit 1).
// $FAKE_KOJI_CHECK_SRPM=1 makes it check that the file is a source RPM (lead magic and type).
// Configuration follows koji's read_config (koji/__init__.py): $KPLAY_KOJI_SYSCONFDIR (standing
// for /etc) koji.conf.d/*.conf sorted, koji.conf, then -c FILE (must exist) or
// ~/.koji/config.d/*.conf sorted and ~/.koji/config; later files override earlier ones; a missing
// section is "no configuration for profile name"; `cert` and `serverca` default to
// ~/.koji/client.crt and ~/.koji/serverca.crt when those files exist, else ''.
// Login follows koji's activate_session: noauth; SSL when authtype is ssl or (no authtype and the
// cert is a file); password; Kerberos when authtype is kerberos or unset, which succeeds only when
// $FAKE_KRB5_TICKET is set (a `kinit` stand-in); any other authtype cannot log in.
// Besides `build` it does `hello`, `cancel TASK`, `tag-build TAG NVR` and `untag-build TAG NVR`.
import { accessSync, appendFileSync, constants, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';

const prog = path.basename(process.argv[1]);
const argv = process.argv.slice(2);
if (process.env.FAKE_KOJI_LOG) appendFileSync(process.env.FAKE_KOJI_LOG, `${JSON.stringify({ prog, argv })}\n`);

function usageError(message) {
  process.stderr.write(`Usage: ${prog} build [options] <target> <srpm path or scm url>\n`);
  process.stderr.write('(Specify the --help global option for a list of other help options)\n\n');
  process.stderr.write(`${prog}: error: ${message}\n`);
  process.exit(2);
}

// global options, then the command
let profile = prog === 'cbs' ? 'cbs' : 'koji';
let configFile;
let i = 0;
for (; i < argv.length && argv[i].startsWith('-'); i++) {
  const a = argv[i];
  if (a === '-p' || a === '--profile') profile = argv[++i];
  else if (a.startsWith('--profile=')) profile = a.slice(10);
  else if (a === '-c' || a === '--config') configFile = argv[++i];
  else if (a.startsWith('--config=')) configFile = a.slice(9);
  else usageError(`no such option: ${a}`);
}
const command = argv[i++];
if (!['build', 'cancel', 'tag-build', 'untag-build', 'hello'].includes(command)) {
  process.stderr.write(`${prog}: error: Unknown command: ${command}\n`);
  process.exit(1);
}

const known = new Set([
  '--scratch',
  '--nowait',
  '--wait',
  '--quiet',
  '--noprogress',
  '--background',
  '--skip-tag',
  '--fail-fast',
  '--force',
  '--rebuild-srpm',
  '--no-rebuild-srpm',
  '--wait-repo',
  '--draft',
]);
const flags = new Set();
const positional = [];
let archOverride;
const waitBuilds = [];
for (; i < argv.length; i++) {
  const a = argv[i];
  if (a.startsWith('--arch-override=')) archOverride = a.slice('--arch-override='.length);
  else if (a === '--arch-override') archOverride = argv[++i];
  else if (a.startsWith('--wait-build=')) waitBuilds.push(a.slice('--wait-build='.length));
  else if (a === '--wait-build') waitBuilds.push(argv[++i]);
  else if (a.startsWith('--')) {
    if (!known.has(a)) usageError(`no such option: ${a}`);
    flags.add(a);
  } else positional.push(a);
}
if (command === 'build' && positional.length !== 2)
  usageError('Exactly two arguments (a build target and a SCM URL or srpm file) are required');
if (command === 'build' && archOverride && !flags.has('--scratch')) usageError('--arch_override is only allowed for --scratch builds');
if (command === 'build' && (flags.has('--rebuild-srpm') || flags.has('--no-rebuild-srpm')) && !flags.has('--scratch'))
  usageError('--no-/rebuild-srpm is only allowed for --scratch builds');
if (command === 'build' && flags.has('--draft') && flags.has('--scratch')) usageError('--scratch and --draft cannot be both specfied');
if (flags.has('--wait')) {
  process.stderr.write('fake koji: --wait is not supported here (kplay must pass --nowait)\n');
  process.exit(3);
}

// koji's read_config: every place, in order, a later file overriding an earlier one
const home = os.homedir();
const expand = (p) => (p === '~' ? home : p && p.startsWith('~/') ? path.join(home, p.slice(2)) : p);
const isDir = (p) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};
const isFile = (p) => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};
const etc = process.env.KPLAY_KOJI_SYSCONFDIR || '/etc';
const places = [
  [path.join(etc, 'koji.conf.d'), false],
  [path.join(etc, 'koji.conf'), false],
  ...(configFile
    ? [[expand(configFile), true]]
    : [
        [path.join(home, '.koji', 'config.d'), false],
        [path.join(home, '.koji', 'config'), false],
      ]),
];
const files = [];
for (const [p, strict] of places) {
  if (isDir(p)) {
    const confs = readdirSync(p)
      .filter((n) => n.endsWith('.conf'))
      .sort()
      .map((n) => path.join(p, n));
    if (!confs.length && strict) {
      process.stderr.write(`koji.ConfigurationError: No config files found in directory: ${p}\n`);
      process.exit(1);
    }
    files.push(...confs);
  } else if (isFile(p)) files.push(p);
  else if (strict) {
    process.stderr.write(`koji.ConfigurationError: Config file ${p} can't be opened.\n`);
    process.exit(1);
  }
}
const conf = {};
let haveSection = false;
for (const f of files) {
  let section;
  for (const raw of readFileSync(f, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const h = /^\[(.+)\]$/.exec(line);
    if (h) {
      section = h[1];
      if (section === profile) haveSection = true;
      continue;
    }
    const kv = /^([\w-]+)\s*[=:]\s*(.*)$/.exec(line);
    if (kv && section === profile) conf[kv[1].toLowerCase()] = kv[2].trim();
  }
}
if (!haveSection) {
  process.stderr.write(`koji.ConfigurationError: no configuration for profile name: ${profile}\n`);
  process.exit(1);
}
conf.server ??= 'http://localhost/kojihub';
for (const [key, fallback] of [
  ['cert', '~/.koji/client.crt'],
  ['serverca', '~/.koji/serverca.crt'],
]) {
  if (conf[key] !== undefined) conf[key] = expand(conf[key]);
  else conf[key] = existsSync(expand(fallback)) ? expand(fallback) : '';
}
if (process.env.FAKE_KOJI_LOGIN_ERROR) {
  process.stderr.write(`${process.env.FAKE_KOJI_LOGIN_ERROR}\n`);
  process.exit(1);
}
// activate_session's order
const authtype = conf.authtype || undefined;
let login;
if (authtype === 'noauth') login = 'noauth';
else if (authtype === 'ssl' || (isFile(conf.cert) && authtype === undefined)) login = 'ssl';
else if (authtype === 'password') login = 'password';
else if (authtype === 'kerberos' || authtype === undefined) login = 'kerberos';
const readable = (p) => {
  try {
    accessSync(p, constants.R_OK);
    return true;
  } catch {
    return false;
  }
};
if (login === 'ssl') {
  if (!readable(conf.cert)) {
    process.stderr.write(`koji.AuthError: Certificate ${conf.cert} doesn't exist or is not accessible\n`);
    process.exit(1);
  }
  if (conf.serverca && !readable(conf.serverca)) {
    process.stderr.write(`koji.AuthError: Server CA ${conf.serverca} doesn't exist or is not accessible\n`);
    process.exit(1);
  }
}
if (login === 'kerberos' && !process.env.FAKE_KRB5_TICKET) {
  process.stderr.write(
    '2025-01-01 00:00:00,000 [ERROR] koji: GSSAPIAuthError: unable to obtain a session (gssapi auth failed: No Kerberos credentials available (default cache: KCM:))\n',
  );
  process.exit(1);
}
if (login === 'password') {
  process.stderr.write('2025-01-01 00:00:00,000 [ERROR] koji: AuthError: no username given\n');
  process.exit(1);
}
if (login === undefined) {
  process.stderr.write('Error: Unable to log in, no authentication methods available\n');
  process.exit(1);
}
if (command === 'hello') {
  console.log('olá, kplay-tester!\n');
  console.log(`You are using the hub at ${conf.server}`);
  if (login === 'ssl') console.log(`Authenticated via client certificate ${conf.cert}`);
  else if (login === 'kerberos') console.log('Authenticated via GSSAPI');
  console.log(`fake-koji: serverca ${conf.serverca || '(none)'}`);
  process.exit(0);
}

const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const val = (v) => {
  if (v === null) return '<value><nil/></value>';
  if (typeof v === 'boolean') return `<value><boolean>${v ? 1 : 0}</boolean></value>`;
  if (typeof v === 'number') return `<value><int>${v}</int></value>`;
  if (typeof v === 'string') return `<value><string>${esc(v)}</string></value>`;
  if (Array.isArray(v)) return `<value><array><data>${v.map(val).join('')}</data></array></value>`;
  return `<value><struct>${Object.entries(v)
    .map(([k, x]) => `<member><name>${k}</name>${val(x)}</member>`)
    .join('')}</struct></value>`;
};
// like koji (requests with verify=serverca): an https hub is checked against the profile's serverca
function post(url, body) {
  if (!url.startsWith('https:') || !conf.serverca) {
    return fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body }).then((r) => r.text());
  }
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method: 'POST', headers: { 'content-type': 'text/xml' }, ca: readFileSync(expand(conf.serverca)) },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve(text));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function call(method, ...params) {
  const body = `<?xml version='1.0'?>\n<methodCall><methodName>${method}</methodName><params>${params.map((p) => `<param>${val(p)}</param>`).join('')}</params></methodCall>`;
  let text;
  try {
    text = await post(conf.server, body);
  } catch (err) {
    process.stderr.write(
      `requests.exceptions.SSLError: HTTPSConnectionPool: Max retries exceeded (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: ${err.code}')))\n`,
    );
    process.exit(1);
  }
  const fault =
    /<name>faultCode<\/name>\s*<value><(?:int|i4)>(\d+)<\/(?:int|i4)><\/value>[\s\S]*?<name>faultString<\/name>\s*<value>(?:<string>)?([\s\S]*?)(?:<\/string>)?<\/value>/.exec(
      text,
    );
  if (fault) {
    process.stderr.write(`GenericError: ${fault[2]} (fault ${fault[1]})\n`);
    process.exit(1);
  }
  return text;
}

if (command === 'cancel') {
  for (const id of positional) await call('cancelTask', Number(id));
  process.exit(0);
}
if (command === 'tag-build' || command === 'untag-build') {
  if (positional.length < 2) usageError("This command takes at least two arguments: a tag name/ID and one or more package n-v-r's");
  const [tag, ...nvrs] = positional;
  for (const nvr of nvrs) {
    const answer = await call(command === 'tag-build' ? 'tagBuild' : 'untagBuild', tag, nvr);
    if (command === 'tag-build') console.log(`Created task ${/<(?:int|i4|i8)>(\d+)</.exec(answer)[1]}`);
  }
  process.exit(0);
}
const [target, source] = positional;
const targetInfo = await call('getBuildTarget', target);
if (/<nil\/>/.test(targetInfo) && !/<struct>/.test(targetInfo)) usageError(`No such build target: ${target}`);
const destTag = Number(/<name>dest_tag<\/name>\s*<value><(?:int|i4)>(\d+)</.exec(targetInfo)[1]);
const tagInfo = await call('getTag', destTag);
const tagName = /<name>name<\/name>\s*<value>(?:<string>)?([^<]*)/.exec(tagInfo)[1];
const locked = /<name>locked<\/name>\s*<value><boolean>1</.test(tagInfo);
if (locked && !flags.has('--scratch')) usageError(`Destination tag ${tagName} is locked`);

if (!existsSync(source)) {
  process.stderr.write(`FileNotFoundError: [Errno 2] No such file or directory: '${source}'\n`);
  process.exit(1);
}
if (process.env.FAKE_KOJI_CHECK_SRPM === '1') {
  // RPM lead: magic ed ab ee db, then major/minor version, then type (big-endian 16 bits): 1 = source
  const lead = readFileSync(source).subarray(0, 8);
  if (lead.length < 8 || lead.readUInt32BE(0) !== 0xedabeedb || lead.readUInt16BE(6) !== 1) {
    process.stderr.write(`GenericError: ${source} is not a source rpm\n`);
    process.exit(1);
  }
}
console.log(`Uploading srpm: ${source}`);
const serverdir = `cli-build/${Date.now() / 1000}.${Math.random().toString(36).slice(2, 12)}`;
console.log('');
const opts = flags.has('--scratch') ? { scratch: true, custom_user_metadata: {} } : { custom_user_metadata: {} };
// koji_cli handle_build: arch_override = koji.parse_arches(...) (a space separated string), skip_tag, fail_fast
if (archOverride)
  opts.arch_override = archOverride
    .split(/[\s,]+/)
    .filter(Boolean)
    .join(' ');
if (flags.has('--skip-tag')) opts.skip_tag = true;
if (flags.has('--fail-fast')) opts.fail_fast = true;
if (flags.has('--wait-repo')) opts.wait_repo = true;
if (waitBuilds.length) opts.wait_builds = waitBuilds;
if (flags.has('--rebuild-srpm')) opts.rebuild_srpm = true;
if (flags.has('--no-rebuild-srpm')) opts.rebuild_srpm = false;
if (flags.has('--draft')) opts.draft = true;
const priority = flags.has('--background') ? 5 : null;
const answer = await call('build', `${serverdir}/${path.basename(source)}`, target, opts, { priority, __starstar: true });
const taskId = Number(/<(?:int|i4|i8)>(\d+)</.exec(answer)[1]);
console.log(`Created task: ${taskId}`);
console.log(`Task info: ${conf.weburl ?? 'http://localhost/koji'}/taskinfo?taskID=${taskId}`);
