import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstUnderLink } from '../../src/signing/rebuild-spec.js';
import { payloadLinks } from '../../src/signing/rpm-payload.js';
import { canaryFired, canaryPath } from './support/hostile-repo.js';
import { runKplay } from '../support/run-kplay.js';

/**
 * `kplay sign <rpm>` on RPMs whose headers carry hostile values (built here with the real
 * rpmbuild, some then patched byte for byte where rpmbuild itself would not write the value):
 * no macro or command ever runs, and the re-signed RPM has the same header, or kplay refuses
 * with one E_SIGN_HEADER line naming the RPM and the field, exit 2, and writes nothing.
 */
let work: string;
const canary = canaryPath('sign-header');
const touch = `touch ${canary}`;

async function rpmbuild(spec: string, name: string, defines: string[] = []): Promise<string> {
  await writeFile(path.join(work, `${name}.spec`), spec);
  await execa('rpmbuild', [
    '-bb',
    '--quiet',
    '--define',
    `_topdir ${work}/top`,
    '--define',
    `_rpmdir ${work}/rpms`,
    '--define',
    '_build_name_fmt %%{NAME}.rpm',
    ...defines.flatMap((d) => ['--define', d]),
    path.join(work, `${name}.spec`),
  ]);
  return path.join(work, 'rpms', `${name}.rpm`);
}

/** The same RPM with `from` replaced by `to` (same length) in its header: rpmbuild would not write `to`. */
async function patched(rpm: string, from: string, to: string, name: string): Promise<string> {
  expect(Buffer.byteLength(to)).toBe(Buffer.byteLength(from));
  const bytes = await readFile(rpm);
  const at = bytes.indexOf(from);
  expect(at, from).toBeGreaterThan(0);
  expect(bytes.indexOf(from, at + 1), `${from} is unique`).toBe(-1);
  bytes.write(to, at);
  const out = path.join(work, `${name}.rpm`);
  await writeFile(out, bytes);
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
  link = await rpmbuild(LINK_SPEC(path.join(work, 'keys')), 'link');
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
      () => patched(craft, 'lineQbreak', 'line\nbreak', 'filename'),
      /file '\/m\/line break' holds the control character U\+000A/,
    ],
    [
      "a file listed below a symbolic link (rpmbuild would pack the signer's own file through it)",
      () => patched(link, '/kb/', '/ka/', 'below-link'),
      /file '\/ka\/sig\.key\.pem' lies below the symbolic link '\/ka'/,
    ],
    [
      'a description line %post (a root scriptlet)',
      () => patched(craft, 'Qpost', '%post', 'desc'),
      /DESCRIPTION line 2 \('%post'\) starts with '%'/,
    ],
    [
      'a summary with a line break',
      () => patched(craft, ' 100% ', '\n%post', 'summary'),
      /SUMMARY '.*' holds the control character U\+000A/,
    ],
    [
      'a scriptlet line %files (the rest of the script would become the file list)',
      () => patched(craft, 'Qfiles', '%files', 'script'),
      /the %post scriptlet line 2 \('%files'\) starts with '%'/,
    ],
    [
      'a changelog line %description',
      () => patched(craft, 'Qdescription x', '%description x', 'changelog'),
      /changelog entry 1 line 2 \('%description x'\) starts with '%'/,
    ],
  ];

  for (const [what, make, field] of REFUSED) {
    it(`refuses ${what}: one line naming the RPM and the field, exit 2, nothing written`, async () => {
      const rpm = path.relative(work, await make());
      const r = await sign('refused', rpm);
      expect(r.exitCode).toBe(2);
      const lines = r.stderr.split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^${rpm.replace(/[.]/g, '\\.')}: error E_SIGN_HEADER: `));
      expect(lines[0]).toMatch(field);
      expect(r.stderr).not.toMatch(/\n\s+at |\.js:\d+/);
      expect(existsSync(path.join(work, 'refused'))).toBe(false);
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

  it('checks every RPM before signing any: one refused header leaves --out untouched', async () => {
    const r = await sign('mixed', 'rpms/carried.rpm', 'rpms/buildhost.rpm');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^rpms\/buildhost\.rpm: error E_SIGN_HEADER: BUILDHOST/);
    expect(existsSync(path.join(work, 'mixed'))).toBe(false);
    expect(canaryFired(canary)).toBe(false);
  });
});
