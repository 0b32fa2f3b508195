import { readFile, readlink, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/findings/finding.js';
import { unpackRpm } from '../../../src/rpm/unpack-rpm.js';
import { tempDir } from '../../support/temp-dir.js';
import { rpmbuildBinary } from '../../support/test-rpm.js';

// The one RPM unpacker (kernel-devel RPMs for kmods, SRPMs for overlay, built RPMs for signing and
// kABI): a real rpmbuild RPM unpacks with its files and links below the folder; what is not an
// RPM gives a UsageError naming it. The hostile-payload refusals are in test/unit/signing/cpio-entries.test.ts.
// About 2 s (one rpmbuild -bb).
const SPEC = `Name: kplay-unpack
Version: 1
Release: 1
Summary: t
License: MIT
BuildArch: noarch
%description
t
%install
mkdir -p %{buildroot}/usr/share/kplay-unpack
echo hello > %{buildroot}/usr/share/kplay-unpack/file.txt
ln -s /etc/hostname %{buildroot}/usr/share/kplay-unpack/link
%files
/usr/share/kplay-unpack
`;

describe('unpackRpm', () => {
  it('unpacks a real RPM below the folder, links kept as links (not followed)', async () => {
    const work = await tempDir('kplay-unpack-');
    const rpm = await rpmbuildBinary(work, 'kplay-unpack', SPEC);
    const out = path.join(work, 'out');
    await mkdir(out);
    const entries = await unpackRpm(rpm, out);
    expect(entries.map((e) => e.name)).toContain('./usr/share/kplay-unpack/file.txt');
    expect(await readFile(path.join(out, 'usr/share/kplay-unpack/file.txt'), 'utf8')).toBe('hello\n');
    expect(await readlink(path.join(out, 'usr/share/kplay-unpack/link'))).toBe('/etc/hostname');
  });

  it('refuses a file that is not an RPM with a UsageError naming it', async () => {
    const work = await tempDir('kplay-unpack-');
    const fake = path.join(work, 'not-an.rpm');
    await writeFile(fake, 'plain text\n');
    const out = path.join(work, 'out');
    await mkdir(out);
    const err = await unpackRpm(fake, out).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/cannot unpack .*not-an\.rpm/);
  });
});
