import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstUnderLink } from '../../src/signing/rebuild-spec.js';
import { payloadLinks } from '../../src/signing/rpm-payload.js';
import { canaryFired, canaryPath } from './support/hostile-repo.js';
import { runKplay } from '../support/run-kplay.js';
import { rpmbuildBinary } from '../support/test-rpm.js';

/**
 * `kplay sign <rpm>` on RPMs whose headers carry hostile values (built here with the real
 * rpmbuild, some then patched byte for byte where rpmbuild itself would not write the value):
 * no macro or command ever runs, and the re-signed RPM has the same header, or kplay refuses
 * with one E_SIGN_HEADER line naming the RPM and the field, exit 2, and writes nothing.
 */
let work: string;
const canary = canaryPath('sign-header');
const touch = `touch ${canary}`;

function rpmbuild(spec: string, name: string, defines: string[] = []): Promise<string> {
  return rpmbuildBinary(work, name, spec, defines);
}

/** Times fixed, so that the integers of a header to patch are the same on every run. */
const REPRODUCIBLE = ['use_source_date_epoch_as_buildtime 1', 'clamp_mtime_to_source_date_epoch 1', '_buildhost kplay.test'];

/** Where the main header of an RPM file lies: after the 96-byte lead and the 8-aligned signature header. */
function headerRegion(bytes: Buffer): [number, number] {
  const sized = (at: number) => 16 + bytes.readUInt32BE(at + 8) * 16 + bytes.readUInt32BE(at + 12);
  const start = 96 + Math.ceil(sized(96) / 8) * 8;
  return [start, start + sized(start)];
}

/**
 * The same RPM with each `from` replaced by its `to` (same length, once in the main header): a
 * value rpmbuild would not write. kplay reads headers without checking digests, as it must (the
 * signature header is rebuilt anyway); an attacker would simply write a consistent header.
 */
async function patched(rpm: string, name: string, ...edits: Array<[string | Buffer, string | Buffer]>): Promise<string> {
  const bytes = await readFile(rpm);
  const [start, end] = headerRegion(bytes);
  for (const [from, to] of edits) {
    const f = Buffer.from(from);
    const t = Buffer.from(to);
    expect(t.length).toBe(f.length);
    const at = bytes.indexOf(f, start);
    expect(at, String(from)).toBeGreaterThan(0);
    expect(at + f.length, String(from)).toBeLessThanOrEqual(end);
    const again = bytes.indexOf(f, at + 1);
    expect(again === -1 || again >= end, `${String(from)} is unique in the header`).toBe(true);
    t.copy(bytes, at);
  }
  const out = path.join(work, `${name}.rpm`);
  await writeFile(out, bytes);
  return out;
}

/**
 * The header of `headerRpm` with the payload of `payloadRpm`, made consistent the way rpm2cpio
 * checks it (the payload digest in the header, the archive size in the signature header): a
 * payload that is not what the header lists.
 */
async function spliced(headerRpm: string, payloadRpm: string, name: string): Promise<string> {
  const [h, p] = await Promise.all([readFile(headerRpm), readFile(payloadRpm)]);
  const [start, end] = headerRegion(h);
  const q = async (rpm: string, tag: string) => (await query(rpm, ['--qf', `%{${tag}}`])).trim();
  const swap = async (region: Buffer, tag: string, encode: (v: string) => Buffer) => {
    const from = encode(await q(headerRpm, tag));
    const at = region.indexOf(from);
    expect(at, tag).toBeGreaterThanOrEqual(0);
    expect(region.indexOf(from, at + 1), `${tag} is unique`).toBe(-1);
    encode(await q(payloadRpm, tag)).copy(region, at);
  };
  const sig = h.subarray(96, start);
  const header = h.subarray(start, end);
  await swap(header, 'PAYLOADDIGEST', (v) => Buffer.from(v));
  await swap(sig, 'LONGARCHIVESIZE', (v) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(Number(v));
    return b;
  });
  const out = path.join(work, `${name}.rpm`);
  await writeFile(out, Buffer.concat([h.subarray(0, end), p.subarray(headerRegion(p)[1])]));
  return out;
}

const PREAMBLE = (name: string) => `Name: ${name}
Version: 1.0
Release: 1
Summary: %%{lua:os.execute("${touch}")} 100%% $(${touch})
License: MIT and %%(${touch})
URL: https://example.org/%%{lua:x}
Vendor: Vendor %%post \\%%{y}
Packager: P <p@example.org> %%{expand:%%%%files}
BuildArch: noarch
%global debug_package %{nil}
%global __os_install_post %{nil}
`;

/** Hostile values rpmbuild writes into a header and a spec can carry back exactly. */
const CARRIED = `${PREAMBLE('carried')}Requires: weird(%%{lua:x}) >= 1.0%%{x}
Requires: (a or b(%%c))
Requires(post): coreutils
Provides: p%%(x) = 1
Conflicts: c >= 2
%description
text %%(${touch}) and %%{lua:os.execute("${touch}")}
 word %%%%post, 100%% \\%%{x} and a backslash at the end \\
next line; "quotes" 'single' $(${touch}) \`${touch}\`
%install
d=%{buildroot}/usr/share/h
mkdir -p $d %{buildroot}/etc %{buildroot}/var
echo module > $d/m.ko
echo x > "$d/with space"
echo x > "$d/quote'\\$(id);"
echo x > %{buildroot}/etc/h.conf
%post
echo "%%(${touch})" >/dev/null
# %%{lua:os.execute("${touch}")}
: %%files
printf '%%s\\n' a \\
  b
%{lua: print("echo " .. string.char(92,37,123) .. " done")}
%preun -e
echo %%{_bindir}
%posttrans -p <lua>
print("%%(${touch}) 100%%")
%files
/usr/share/h/m.ko
"/usr/share/h/with space"
/usr/share/h/quote*
%config(noreplace) /etc/h.conf
%ghost /var/h.log
%changelog
* Mon Nov 30 09:05:00 UTC 2026 Eve %%(${touch}) <e@example.org> - 1.0-1
- %%description in the middle, 100%% \\%%{y}
  and %%{lua:os.execute("${touch}")}

* Sun Nov 29 2026 Old <o@example.org> - 0.9-1
- older
`;

/** rpmbuild writes these too; the first two cannot be carried, the base of the crafted ones can. */
const BUILDHOST_SPEC = `${PREAMBLE('buildhost')}%description
d
%install
mkdir -p %{buildroot}/m; echo module > %{buildroot}/m/m.ko
%files
/m/m.ko
`;
const CAPS_SPEC = `${PREAMBLE('caps')}%description
d
%install
mkdir -p %{buildroot}/x; echo module > %{buildroot}/x/m.ko; echo tool > %{buildroot}/x/tool
touch '%{buildroot}/x/tool%%caps(cap_sys_admin=ep)'
%files
/x/m.ko
/x/tool
%ghost /x/tool?caps*
`;
/** A link to a folder of the signing machine, and a file the header will be patched to list below it. */
const LINK_SPEC = (target: string) => `${PREAMBLE('link')}%description
d
%install
mkdir -p %{buildroot}/m; echo module > %{buildroot}/m/m.ko; ln -s ${target} %{buildroot}/ka
%files
/m/m.ko
/ka
%ghost /kb/sig.key.pem
`;
/**
 * A payload that writes through its own link: `/a` links to a folder of the signing machine and
 * `/a/planted` is a file of the payload (rpmbuild read it through the link on the attacker's
 * side). GNU cpio 2.13 (Debian 12) extracts `./a/planted` through `./a`, outside the work folder.
 */
const ESCAPE_SPEC = (target: string) => `${PREAMBLE('escape')}%description
d
%install
mkdir -p %{buildroot}/m; echo module > %{buildroot}/m/m.ko; ln -s ${target} %{buildroot}/a
%files
/m/m.ko
/a
/a/planted
`;
/** The same package with `/x` a file, or a folder holding a module the first header does not list. */
const SPLICE_SPEC = (name: string, folder: boolean) => `${PREAMBLE(name)}%description
d
%install
mkdir -p %{buildroot}/m; echo module > %{buildroot}/m/m.ko
${folder ? 'mkdir %{buildroot}/x; echo hidden module > %{buildroot}/x/hidden.ko' : 'echo file > %{buildroot}/x'}
%files
/m/m.ko
/x
`;
/** The same files with other contents: a module's bytes, a link's target. */
const CONTENT_SPEC = (name: string, module: string, target: string) => `${PREAMBLE(name)}%description
d
%install
mkdir -p %{buildroot}/m; echo '${module}' > %{buildroot}/m/m.ko; ln -s ${target} %{buildroot}/m/l
%files
/m/m.ko
/m/l
`;
const CRAFT_SPEC = `${PREAMBLE('craft')}%description
text
Qpost
%install
mkdir -p %{buildroot}/m; echo module > %{buildroot}/m/m.ko; echo x > %{buildroot}/m/lineQbreak
%post
echo before
Qfiles
%files
/m/m.ko
/m/lineQbreak
%changelog
* Mon Nov 30 2026 Eve <e@example.org> - 1.0-1
- entry
Qdescription x
`;

const QUERIES: string[][] = [
  ['--scripts'],
  ['--requires'],
  ['--provides'],
  ['--conflicts'],
  ['--changelog'],
  [
    '--qf',
    '%{NAME} %{EPOCH} %{VERSION} %{RELEASE} %{ARCH} %{SUMMARY} %{LICENSE} %{URL} %{VENDOR} %{PACKAGER} %{SOURCERPM} %{BUILDTIME} %{BUILDHOST}\n%{DESCRIPTION}\n',
  ],
  ['--qf', '%{PREINFLAGS} %{POSTINFLAGS} %{PREUNFLAGS} %{POSTTRANSFLAGS} %{POSTTRANSPROG}\n[%{CHANGELOGTIME} %{CHANGELOGNAME}\n]'],
  ['--qf', '[%{REQUIRENAME} %{REQUIREFLAGS} %{REQUIREVERSION}\n]'],
  ['--qf', '[%{FILEMODES:perms} %{FILEUSERNAME} %{FILEGROUPNAME} %{FILEFLAGS:fflags} %{FILECAPS} %{FILENAMES}\n]'],
];

async function query(rpm: string, args: string[]): Promise<string> {
  return String((await execa('rpm', ['-qp', '--nosignature', '--nodigest', ...args, rpm])).stdout);
}

async function sign(out: string, ...rpms: string[]) {
  return runKplay(['sign', '--key', 'k.pem', '--cert', 'c.pem', '--out', out, ...rpms], { cwd: work });
}

let carried: string;
let buildhost: string;
let caps: string;
let craft: string;
let link: string;
let escape: string;
let spliceFile: string;
let spliceFolder: string;
let contentSeen: string;
let contentOther: string;
let linkOther: string;
let outside: string;

beforeAll(async () => {
  for (const tool of ['/usr/bin/rpmbuild', '/usr/bin/rpm2cpio'])
    if (!existsSync(tool))
      throw new Error(`${tool} is missing: apt-get install ${path.basename(tool) === 'rpm2cpio' ? 'rpm2cpio' : 'rpm'}`);
  work = await mkdtemp(path.join(os.tmpdir(), 'kplay-sign-header-'));
  await mkdir(path.join(work, 'rpms'));
  await execa(
    'openssl',
    ['req', '-new', '-x509', '-nodes', '-newkey', 'rsa:2048', '-days', '2', '-subj', '/CN=kplay hostile header'].concat([
      '-keyout',
      path.join(work, 'k.pem'),
      '-out',
      path.join(work, 'c.pem'),
    ]),
  );
  carried = await rpmbuild(CARRIED, 'carried');
  buildhost = await rpmbuild(BUILDHOST_SPEC, 'buildhost', [`_buildhost %%(${touch})`]);
  caps = await rpmbuild(CAPS_SPEC, 'caps');
  craft = await rpmbuild(CRAFT_SPEC, 'craft');
  await mkdir(path.join(work, 'keys'));
  await writeFile(path.join(work, 'keys', 'sig.key.pem'), 'SIGNER-PRIVATE-KEY');
  link = await rpmbuild(LINK_SPEC(path.join(work, 'keys')), 'link', REPRODUCIBLE);
  outside = path.join(work, 'outside');
  await mkdir(outside);
  await writeFile(path.join(outside, 'planted'), 'PLANTED BY THE PAYLOAD');
  escape = await rpmbuild(ESCAPE_SPEC(outside), 'escape', REPRODUCIBLE);
  await rm(path.join(outside, 'planted'));
  spliceFile = await rpmbuild(SPLICE_SPEC('splice-file', false), 'splice-file', REPRODUCIBLE);
  spliceFolder = await rpmbuild(SPLICE_SPEC('splice-folder', true), 'splice-folder', REPRODUCIBLE);
  contentSeen = await rpmbuild(CONTENT_SPEC('content-seen', 'the module the header describes', 'm.ko'), 'content-seen', REPRODUCIBLE);
  contentOther = await rpmbuild(CONTENT_SPEC('content-other', 'another module, same length!!!', 'm.ko'), 'content-other', REPRODUCIBLE);
  linkOther = await rpmbuild(CONTENT_SPEC('link-other', 'the module the header describes', '/etc'), 'link-other', REPRODUCIBLE);
  expect(canaryFired(canary)).toBe(false);
}, 60_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('kplay sign on RPMs with hostile headers', () => {
  it('carries hostile but representable values exactly: same header, nothing runs', async () => {
    // the input really holds them
    expect(await query(carried, ['--qf', '%{SUMMARY}|%{BUILDHOST}'])).toMatch(/^%\{lua:os\.execute\(".*"\)\} 100% \$\(touch /);
    expect(await query(carried, ['--scripts'])).toContain('echo \\%{ done');
    const r = await sign('signed', 'rpms/carried.rpm');
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const output = path.join(work, 'signed', 'carried.rpm');
    for (const q of QUERIES) {
      // the documented differences (docs/signing.md): a %ghost file's mtime, the CONFIG sense bit of config(...)
      const documented = (t: string) =>
        t
          .replace(/ \d+ \/var\/h\.log$/m, ' <ghost> /var/h.log')
          .replace(/^(config\(carried\)) (\d+)/m, (_, n: string, f: string) => `${n} ${Number(f) & ~(1 << 28)}`);
      expect(documented(await query(output, q)), q.join(' ')).toBe(documented(await query(carried, q)));
    }
    expect(canaryFired(canary)).toBe(false);
  });

  const REFUSED: Array<[string, () => string | Promise<string>, RegExp]> = [
    ['a BUILDHOST holding %(...) (rpmbuild would expand it)', () => buildhost, /BUILDHOST '%\(touch /],
    [
      'a file named with %caps(...) (the file list would give /x/tool a capability)',
      () => caps,
      /file '\/x\/tool%caps\(cap_sys_admin=ep\)' holds '%'/,
    ],
    // rpmbuild itself refuses a line break in a file name ("Illegal character (0xa) in filename")
    [
      'a file name with a line break',
      () => patched(craft, 'filename', ['lineQbreak', 'line\nbreak']),
      /file '\/m\/line break' holds the control character U\+000A/,
    ],
    [
      "a file listed below a symbolic link (rpmbuild would pack the signer's own file through it)",
      () => patched(link, 'below-link', ['/kb/', '/ka/']),
      /file '\/ka\/sig\.key\.pem' lies below the symbolic link '\/ka'/,
    ],
    [
      'a link in the payload that the header calls a folder, with a file below it',
      () =>
        patched(
          link,
          'payload-link',
          ['/kb/', '/ka/'],
          [Buffer.from([0o120777 >> 8, 0o120777 & 0xff]), Buffer.from([0o40755 >> 8, 0o40755 & 0xff])],
        ),
      /the payload's '\/ka' is a symbolic link, the header lists a folder/,
    ],
    [
      "a payload that is not what the header lists (a module inside a 'file' that is a folder)",
      () => spliced(spliceFile, spliceFolder, 'spliced'),
      /the payload's '\/x' is a folder, the header lists a regular file/,
    ],
    [
      'a payload whose module is not the one the header describes (another digest)',
      () => spliced(contentSeen, contentOther, 'content'),
      /the payload's '\/m\/m\.ko' is not the file the header describes/,
    ],
    [
      'a payload whose link points elsewhere than the header says',
      () => spliced(contentSeen, linkOther, 'link-target'),
      /the payload's link '\/m\/l' does not point where the header says/,
    ],
    [
      'a description line %post (a root scriptlet)',
      () => patched(craft, 'desc', ['Qpost', '%post']),
      /DESCRIPTION line 2 \('%post'\) starts with '%'/,
    ],
    [
      'a summary with a line break',
      () => patched(craft, 'summary', [' 100% ', '\n%post']),
      /SUMMARY '.*' holds the control character U\+000A/,
    ],
    [
      'a scriptlet line %files (the rest of the script would become the file list)',
      () => patched(craft, 'script', ['Qfiles', '%files']),
      /the %post scriptlet line 2 \('%files'\) starts with '%'/,
    ],
    [
      'a changelog line %description',
      () => patched(craft, 'changelog', ['Qdescription x', '%description x']),
      /changelog entry 1 line 2 \('%description x'\) starts with '%'/,
    ],
  ];

  for (const [i, [what, make, field]] of REFUSED.entries()) {
    it(`refuses ${what}: one line naming the RPM and the field, exit 2, nothing written`, async () => {
      const rpm = path.relative(work, await make());
      // an --out of its own, so that one case's output does not fail the next
      const r = await sign(`refused-${i}`, rpm);
      expect(r.exitCode).toBe(2);
      const lines = r.stderr.split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^${rpm.replace(/[.]/g, '\\.')}: error E_SIGN_HEADER: `));
      expect(lines[0]).toMatch(field);
      expect(r.stderr).not.toMatch(/\n\s+at |\.js:\d+/);
      expect(existsSync(path.join(work, `refused-${i}`))).toBe(false);
      expect(canaryFired(canary)).toBe(false);
    });
  }

  it('finds a link in the payload that the header does not admit to, before rpmbuild reads through it', async () => {
    const payload = path.join(work, 'payload-with-link');
    await mkdir(path.join(payload, 'usr'), { recursive: true });
    await symlink(path.join(work, 'keys'), path.join(payload, 'usr', 'k'));
    const links = await payloadLinks(payload);
    expect([...links]).toEqual(['/usr/k']);
    expect(firstUnderLink(['/usr', '/usr/k', '/usr/k/sig.key.pem'], links)).toMatch(/^file '\/usr\/k\/sig\.key\.pem' lies below/);
    expect(firstUnderLink(['/usr', '/usr/k', '/usr/kk/x'], links)).toBeUndefined();
  });

  it('never unpacks a payload file through a link of the payload (kplay sign --verify)', async () => {
    await rm(path.join(outside, 'planted'), { force: true });
    const r = await runKplay(['sign', '--verify', 'rpms/escape.rpm'], { cwd: work });
    expect(existsSync(path.join(outside, 'planted')), 'cpio wrote outside the work folder').toBe(false);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^kplay: error: rpms\/escape\.rpm: the payload entry '\.\/a\/planted' lies below its symbolic link '\.\/a'/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('never unpacks a payload file through a link of the payload (kplay sign, header calls the link a folder)', async () => {
    await rm(path.join(outside, 'planted'), { force: true });
    const rpm = path.relative(
      work,
      await patched(escape, 'escape-dir', [Buffer.from([0o120777 >> 8, 0o120777 & 0xff]), Buffer.from([0o40755 >> 8, 0o40755 & 0xff])]),
    );
    const r = await sign('refused', rpm);
    expect(existsSync(path.join(outside, 'planted')), 'cpio wrote outside the work folder').toBe(false);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^escape-dir\.rpm: error E_SIGN_HEADER: the payload entry '\.\/a\/planted' lies below its symbolic link/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(path.join(work, 'refused'))).toBe(false);
  });

  it('writes nothing to --out when a later RPM is refused only once its payload is unpacked', async () => {
    const bad = path.relative(work, await spliced(contentSeen, contentOther, 'content-late'));
    const r = await sign('mixed-late', 'rpms/carried.rpm', bad);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^content-late\.rpm: error E_SIGN_HEADER: the payload's '\/m\/m\.ko' is not the file/);
    expect(existsSync(path.join(work, 'mixed-late')), 'carried.rpm was written before the refusal').toBe(false);
    expect((await readdir(work)).filter((f) => f.startsWith('.kplay'))).toEqual([]);
  });

  it('refuses two inputs of the same file name (--out would keep only one of them)', async () => {
    await mkdir(path.join(work, 'again'), { recursive: true });
    await writeFile(path.join(work, 'again', 'carried.rpm'), await readFile(carried));
    const r = await sign('twice', 'rpms/carried.rpm', 'again/carried.rpm');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/again\/carried\.rpm and rpms\/carried\.rpm have the same file name/);
    expect(existsSync(path.join(work, 'twice'))).toBe(false);
  });

  it('checks every RPM before signing any: one refused header leaves --out untouched', async () => {
    const r = await sign('mixed', 'rpms/carried.rpm', 'rpms/buildhost.rpm');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^rpms\/buildhost\.rpm: error E_SIGN_HEADER: BUILDHOST/);
    expect(existsSync(path.join(work, 'mixed'))).toBe(false);
    expect(canaryFired(canary)).toBe(false);
  });
});
