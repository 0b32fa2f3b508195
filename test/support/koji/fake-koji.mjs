#!/usr/bin/env node
// A stand-in for the `koji` CLI (and `cbs`, which is koji under its profile's name) for tests.
// It appends its arguments to $FAKE_KOJI_LOG (one JSON line per run), reads the profile's
// `server` and `weburl` from the koji config (~/.koji/config, or -c FILE), and does what
// `koji build --nowait TARGET SRPM` does against the local test hub: getBuildTarget, getTag
// (a locked tag is refused unless --scratch), build(...), then prints what the real CLI prints.
// $FAKE_KOJI_LOGIN_ERROR, when set, is printed on stderr as a failed login (exit 1).
// $FAKE_KOJI_CHECK_SRPM=1 makes it check that the file is a source RPM (lead magic and type).
// Login follows koji's activate_session: SSL when authtype is ssl or (no authtype and the cert file
// exists); else Kerberos, which succeeds only when $FAKE_KRB5_TICKET is set (a `kinit` stand-in).
// Besides `build` it does `cancel TASK`, `tag-build TAG NVR` and `untag-build TAG NVR`.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
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
if (!['build', 'cancel', 'tag-build', 'untag-build'].includes(command)) {
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
]);
const flags = new Set();
const positional = [];
let archOverride;
for (; i < argv.length; i++) {
  const a = argv[i];
  if (a.startsWith('--arch-override=')) archOverride = a.slice('--arch-override='.length);
  else if (a === '--arch-override') archOverride = argv[++i];
  else if (a.startsWith('--')) {
    if (!known.has(a)) usageError(`no such option: ${a}`);
    flags.add(a);
  } else positional.push(a);
}
if (command === 'build' && positional.length !== 2)
  usageError('Exactly two arguments (a build target and a SCM URL or srpm file) are required');
if (command === 'build' && archOverride && !flags.has('--scratch')) usageError('--arch_override is only allowed for --scratch builds');
if (flags.has('--wait')) {
  process.stderr.write('fake koji: --wait is not supported here (kplay must pass --nowait)\n');
  process.exit(3);
}

// the profile's section, from the user's config (this fake reads only the user locations)
const configPath = configFile ?? path.join(os.homedir(), '.koji', 'config');
const conf = {};
if (existsSync(configPath)) {
  let section;
  for (const line of readFileSync(configPath, 'utf8').split('\n')) {
    const h = /^\[(.+)\]\s*$/.exec(line.trim());
    if (h) section = h[1];
    const kv = /^([\w-]+)\s*[=:]\s*(.*)$/.exec(line.trim());
    if (kv && section === profile) conf[kv[1].toLowerCase()] = kv[2].trim();
  }
}
if (!conf.server) {
  process.stderr.write(`ConfigurationError: no configuration for profile name: ${profile}\n`);
  process.exit(1);
}
if (process.env.FAKE_KOJI_LOGIN_ERROR) {
  process.stderr.write(`${process.env.FAKE_KOJI_LOGIN_ERROR}\n`);
  process.exit(1);
}
const expand = (p) => (p && p.startsWith('~/') ? path.join(os.homedir(), p.slice(2)) : p);
const certFile = expand(conf.cert ?? (profile === 'cbs' ? '~/.centos.cert' : '~/.koji/client.crt'));
const ssl = conf.authtype === 'ssl' || (!conf.authtype && existsSync(certFile));
if (!ssl && conf.authtype !== 'noauth' && !process.env.FAKE_KRB5_TICKET) {
  process.stderr.write(
    '2025-01-01 00:00:00,000 [ERROR] koji: GSSAPIAuthError: unable to obtain a session (gssapi auth failed: No Kerberos credentials available (default cache: KCM:))\n',
  );
  process.exit(1);
}

const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const val = (v) => {
  if (v === null) return '<value><nil/></value>';
  if (typeof v === 'boolean') return `<value><boolean>${v ? 1 : 0}</boolean></value>`;
  if (typeof v === 'number') return `<value><int>${v}</int></value>`;
  if (typeof v === 'string') return `<value><string>${esc(v)}</string></value>`;
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
const answer = await call('build', `${serverdir}/${path.basename(source)}`, target, opts, { priority: null, __starstar: true });
const taskId = Number(/<(?:int|i4|i8)>(\d+)</.exec(answer)[1]);
console.log(`Created task: ${taskId}`);
console.log(`Task info: ${conf.weburl ?? 'http://localhost/koji'}/taskinfo?taskID=${taskId}`);
