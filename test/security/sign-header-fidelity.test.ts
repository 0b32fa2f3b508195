import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKplay } from '../support/run-kplay.js';

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
]);

async function rpmbuild(name: string, spec: string): Promise<string> {
  await writeFile(path.join(work, `${name}.spec`), spec);
  await execa(
    'rpmbuild',
    [
      '-bb',
      '--quiet',
      '--define',
      `_topdir ${work}/top`,
      '--define',
      `_rpmdir ${work}/rpms`,
      '--define',
      '_build_name_fmt %%{NAME}.rpm',
      path.join(work, `${name}.spec`),
    ],
    { env: { SOURCE_DATE_EPOCH: '1796040000' } },
  );
  return path.join('rpms', `${name}.rpm`);
}

/** tag → values of `rpm -qp --xml`, raw. */
async function header(rpm: string): Promise<Map<string, string[]>> {
  const xml = String((await execa('rpm', ['-qp', '--xml', '--nosignature', '--nodigest', rpm], { cwd: work })).stdout);
  const out = new Map<string, string[]>();
  for (const m of xml.matchAll(/<rpmTag name="([^"]+)">([\s\S]*?)<\/rpmTag>/g))
    out.set(
      m[1]!,
      [...m[2]!.matchAll(/<(string|integer|base64)\s*\/>|<(string|integer|base64)>([\s\S]*?)<\/\2>/g)].map((v) => v[3] ?? ''),
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
  await execa('openssl', [
    'req',
    '-new',
    '-x509',
    '-nodes',
    '-newkey',
    'rsa:2048',
    '-days',
    '2',
    '-subj',
    '/CN=kplay header fidelity',
    '-keyout',
    path.join(work, 'k.pem'),
    '-out',
    path.join(work, 'c.pem'),
  ]);
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
});
