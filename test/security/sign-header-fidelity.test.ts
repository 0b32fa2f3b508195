import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKplay } from '../support/run-kplay.js';
import { rpmbuildBinary, selfSignedCert } from '../support/test-rpm.js';

/**
 * `kplay sign` promises the re-signed RPM's header equals the input's but for the differences
 * docs/signing.md lists. Each case builds an RPM with real rpmbuild, signs it with the built CLI
 * and compares EVERY tag of `rpm -qp --xml`, except the documented ones; a header value kplay
 * cannot carry must be refused (E_SIGN_HEADER), never silently dropped or changed.
 */
let work: string;

/** Tags that differ by design (docs/signing.md "What differs from the input"). */
const DOCUMENTED = new Set([
  // the signature header and digests, sizes of signed files, payload size and digest
  'Sigmd5',
  'Sha1header',
  'Sha256header',
  'Payloaddigest',
  'Payloaddigestalgo',
  'Payloaddigestalt',
  'Filedigests',
  'Filesizes',
  'Longfilesizes',
  'Size',
  'Longsize',
  'Archivesize',
  'Longarchivesize',
  'Headerimmutable',
  'Sigsize',
  'Longsigsize',
  'Payloadsize',
  // rpmbuild numbers inodes and classifies files (libmagic) itself
  'Fileinodes',
  'Fileclass',
  'Classdict',
  // generated dependencies become explicit ones: their per-file index (their sense bits: GENERATED)
  'Filedependsx',
  'Filedependsn',
  'Dependsdict',
  // the rebuilding rpm
  'Rpmversion',
  'Platform',
  'Optflags',
]);

/** Built in the work folder; the path relative to it (kplay runs there). */
async function rpmbuild(name: string, spec: string, defines: string[] = []): Promise<string> {
  return path.relative(work, await rpmbuildBinary(work, name, spec, defines));
}

/** The sense bits rpmbuild gives generated dependencies: FIND_REQUIRES, FIND_PROVIDES, CONFIG (documented). */
const GENERATED = (1 << 14) | (1 << 15) | (1 << 28);

/** tag → values of `rpm -qp --xml`, raw but for the GENERATED bits of dependency flags. */
async function header(rpm: string): Promise<Map<string, string[]>> {
  const xml = String((await execa('rpm', ['-qp', '--xml', '--nosignature', '--nodigest', rpm], { cwd: work })).stdout);
  const out = new Map<string, string[]>();
  for (const m of xml.matchAll(/<rpmTag name="([^"]+)">([\s\S]*?)<\/rpmTag>/g))
    out.set(
      m[1]!,
      [...m[2]!.matchAll(/<(string|integer|base64)\s*\/>|<(string|integer|base64)>([\s\S]*?)<\/\2>/g)].map((v) =>
        /^(Require|Provide|Conflict|Obsolete|Recommend|Suggest|Supplement|Enhance|Order)flags$/.test(m[1]!)
          ? String(Number(v[3]) & ~GENERATED)
          : (v[3] ?? ''),
      ),
    );
  return out;
}

/** Sign `rpm`; the tags whose values differ, outside DOCUMENTED, as `Tag: in → out`. */
async function signAndCompare(rpm: string): Promise<string[]> {
  const out = `signed-${path.basename(rpm, '.rpm')}`;
  const r = await runKplay(['sign', '--key', 'k.pem', '--cert', 'c.pem', '--out', out, rpm], { cwd: work });
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  const [a, b] = await Promise.all([header(rpm), header(path.join(out, path.basename(rpm)))]);
  const diffs: string[] = [];
  for (const t of new Set([...a.keys(), ...b.keys()]))
    if (!DOCUMENTED.has(t) && JSON.stringify(a.get(t)) !== JSON.stringify(b.get(t)))
      diffs.push(`${t}: ${JSON.stringify(a.get(t) ?? null)} → ${JSON.stringify(b.get(t) ?? null)}`);
  return diffs;
}

/**
 * The RPM with the main header's index entries of tag `from` renumbered to `to` (same type and
 * data): how a header written by a newer rpm looks to this one.
 */
async function retagged(rpm: string, name: string, renumber: Record<number, number>): Promise<string> {
  const bytes = await readFile(path.join(work, rpm));
  const sized = (at: number) => 16 + bytes.readUInt32BE(at + 8) * 16 + bytes.readUInt32BE(at + 12);
  const start = 96 + Math.ceil(sized(96) / 8) * 8;
  let changed = 0;
  for (let i = 0; i < bytes.readUInt32BE(start + 8); i++) {
    const at = start + 16 + i * 16;
    const to = renumber[bytes.readUInt32BE(at)];
    if (to !== undefined) {
      bytes.writeUInt32BE(to, at);
      changed++;
    }
  }
  expect(changed).toBe(Object.keys(renumber).length);
  await writeFile(path.join(work, 'rpms', `${name}.rpm`), bytes);
  return path.join('rpms', `${name}.rpm`);
}

const PREAMBLE = (name: string, tags = '') => `Name: ${name}
Version: 1.0
Release: 1
Summary: fidelity
License: MIT
BuildArch: noarch
${tags}%global debug_package %{nil}
%global __os_install_post %{nil}
%description
d
`;

beforeAll(async () => {
  if (!existsSync('/usr/bin/rpmbuild')) throw new Error('/usr/bin/rpmbuild is missing: apt-get install rpm');
  work = await mkdtemp(path.join(os.tmpdir(), 'kplay-sign-fidelity-'));
  await mkdir(path.join(work, 'rpms'));
  await selfSignedCert('kplay header fidelity', path.join(work, 'k.pem'), path.join(work, 'c.pem'));
}, 60_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('kplay sign keeps every header tag but the documented ones', () => {
  it('symbolic links keep their recorded mtime', async () => {
    // the link is made a second before the build stamps the rest, so its time is its own
    const rpm = await rpmbuild(
      'links',
      `${PREAMBLE('links')}%install
mkdir -p %{buildroot}/m; echo module > %{buildroot}/m/m.ko; ln -s m.ko %{buildroot}/m/l.ko
touch -h -d @1700000000 %{buildroot}/m/l.ko
%files
/m
`,
    );
    expect(await signAndCompare(rpm)).toEqual([]);
  });

  it('BugURL, DistTag, VCS, ModularityLabel and Prefix (a relocatable package) are carried', async () => {
    const rpm = await rpmbuild(
      'tags',
      `${PREAMBLE(
        'tags',
        `BugURL: https://bugz.example.org/kernel
DistTag: example:1
VCS: git+https://example.org/kernel.git#abc
ModularityLabel: kernel:6.1:1:x
Prefix: /usr
Prefix: /etc
`,
      )}%install
mkdir -p %{buildroot}/usr/m %{buildroot}/etc; echo module > %{buildroot}/usr/m/m.ko; echo c > %{buildroot}/etc/c
%files
/usr/m
/etc/c
`,
    );
    const h = await header(path.join(work, rpm));
    expect([h.get('Bugurl'), h.get('Prefixes'), h.get('Modularitylabel')]).toEqual([
      ['https://bugz.example.org/kernel'],
      ['/usr', '/etc'],
      ['kernel:6.1:1:x'],
    ]);
    expect(await signAndCompare(rpm)).toEqual([]);
  });

  it('Requires(meta) keeps its qualifier and OrderWithRequires is carried', async () => {
    const rpm = await rpmbuild(
      'deps',
      `${PREAMBLE(
        'deps',
        `Requires(meta): meta-thing >= 1
Requires(pre,meta): both
OrderWithRequires: grubby >= 8
OrderWithRequires: systemd
`,
      )}%install
mkdir -p %{buildroot}/m; echo module > %{buildroot}/m/m.ko
%files
/m/m.ko
`,
    );
    expect((await header(path.join(work, rpm))).get('Ordername')).toEqual(['grubby', 'systemd']);
    expect(await signAndCompare(rpm)).toEqual([]);
  });

  it('an RPM with generated dependencies (AutoReqProv) differs only as documented', async () => {
    const rpm = await rpmbuild(
      'auto',
      `${PREAMBLE('auto', 'AutoReqProv: yes\n')}%install
mkdir -p %{buildroot}/m %{buildroot}/usr/bin; echo module > %{buildroot}/m/m.ko
printf '#!/bin/sh\\necho\\n' > %{buildroot}/usr/bin/s; chmod 755 %{buildroot}/usr/bin/s
%files
/m/m.ko
/usr/bin/s
`,
    );
    expect((await header(path.join(work, rpm))).get('Requirename')).toContain('/bin/sh');
    expect(await signAndCompare(rpm)).toEqual([]);
  });

  it('refuses a %preuntrans scriptlet (rpm 4.19; rpm 4.18 calls the tag unknown and would drop it)', async () => {
    const built = await rpmbuild(
      'untrans',
      `${PREAMBLE('untrans')}%install
mkdir -p %{buildroot}/m; echo module > %{buildroot}/m/m.ko
%pretrans
echo before the transaction removes me
%files
/m/m.ko
`,
    );
    // RPMTAG_PRETRANS 1151 and PRETRANSPROG 1153 become RPMTAG_PREUNTRANS 5103 and PREUNTRANSPROG 5105
    const rpm = await retagged(built, 'untrans-4.19', { 1151: 5103, 1153: 5105 });
    const r = await runKplay(['sign', '--key', 'k.pem', '--cert', 'c.pem', '--out', 'refused', rpm], { cwd: work });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^rpms\/untrans-4\.19\.rpm: error E_SIGN_HEADER: the package has %preuntrans or %postuntrans scriptlets/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(path.join(work, 'refused'))).toBe(false);
  });

  it('%artifact files keep their flag', async () => {
    const rpm = await rpmbuild(
      'artifact',
      `${PREAMBLE('artifact')}%install
mkdir -p %{buildroot}/m; echo module > %{buildroot}/m/m.ko; echo id > %{buildroot}/m/build-id
%files
/m/m.ko
%artifact /m/build-id
`,
    );
    expect((await header(path.join(work, rpm))).get('Fileflags')).toContain(String(1 << 12));
    expect(await signAndCompare(rpm)).toEqual([]);
  });

  it('an xz payload with threads (w3T2.xzdio) keeps its level and threads', async () => {
    const rpm = await rpmbuild(
      'threads',
      `${PREAMBLE('threads')}%install
mkdir -p %{buildroot}/m; echo module > %{buildroot}/m/m.ko
%files
/m/m.ko
`,
      ['_binary_payload w3T2.xzdio'],
    );
    expect((await header(path.join(work, rpm))).get('Payloadflags')).toEqual(['3T2']);
    expect(await signAndCompare(rpm)).toEqual([]);
  });

  it('file names outside ASCII (UTF-8) are carried', async () => {
    const rpm = await rpmbuild(
      'utf8',
      `${PREAMBLE('utf8')}%install
mkdir -p %{buildroot}/m/modulé; echo module > %{buildroot}/m/modulé/m.ko; echo ü > %{buildroot}/m/Grüße
%files
/m
`,
    );
    expect(await signAndCompare(rpm)).toEqual([]);
  });
});
