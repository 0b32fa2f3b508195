import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appendModuleSignature, MODULE_SIG_MAGIC, splitModuleSignature } from '../../../src/signing/module-signature.js';
import { renderKeyConfig } from '../../../src/signing/key-config.js';
import { serialAsSigKey } from '../../../src/load/certificate-facts.js';
import { parseRpmXml } from '../../../src/signing/rpm-header.js';
import { rebuildSpec } from '../../../src/signing/rebuild-spec.js';
import { parseImageReference } from '../../../src/kmm/image-reference.js';
import { shellQuote } from '../../../src/boundary/index.js';

describe('module signature trailer (include/linux/module_signature.h)', () => {
  it('appends PKCS#7, a 12-byte big-endian struct with id_type 2, and the magic', () => {
    const signed = appendModuleSignature(Buffer.from('ELF-BODY'), Buffer.from([0x30, 0x82, 1, 2, 3]));
    expect(signed.subarray(-28).equals(MODULE_SIG_MAGIC)).toBe(true);
    expect([...signed.subarray(-40, -28)]).toEqual([0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 5]);
    expect(splitModuleSignature(signed)).toEqual({ body: Buffer.from('ELF-BODY'), signature: Buffer.from([0x30, 0x82, 1, 2, 3]) });
  });

  it('splits what it appended, for any body and signature', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ minLength: 1, maxLength: 100 }), (body, sig) => {
        const s = splitModuleSignature(appendModuleSignature(Buffer.from(body), Buffer.from(sig)));
        return s.body.equals(Buffer.from(body)) && s.signature!.equals(Buffer.from(sig));
      }),
    );
  });

  it('leaves an unsigned module alone and reports a malformed trailer instead of guessing', () => {
    expect(splitModuleSignature(Buffer.from('plain module'))).toEqual({ body: Buffer.from('plain module') });
    const bad = appendModuleSignature(Buffer.from('x'), Buffer.from('sig'));
    bad.writeUInt32BE(1000, bad.length - 28 - 4);
    expect(splitModuleSignature(bad).malformed).toMatch(/does not fit/);
  });
});

describe('signing key and certificate helpers', () => {
  it('renders the kernel genkey shape plus codeSigning, and refuses config syntax in the subject', () => {
    const cfg = renderKeyConfig({ commonName: 'Example SIG', organization: 'Example' });
    expect(cfg).toContain('basicConstraints=critical,CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=codeSigning\n');
    expect(cfg).toContain('O = Example\nCN = Example SIG\n');
    expect(() => renderKeyConfig({ commonName: 'x\n[ myexts ]' })).toThrow(RangeError);
    expect(() => renderKeyConfig({ commonName: '$ENV::HOME' })).toThrow(RangeError);
  });

  it('prints serials as modinfo sig_key does', () => {
    expect(serialAsSigKey('41D6CB72A')).toBe('04:1D:6C:B7:2A');
    expect(serialAsSigKey('0a:bc')).toBe('0A:BC');
  });
});

const XML = `<rpmHeader>
  <rpmTag name="Name">\n\t<string>kernel-core</string>\n  </rpmTag>
  <rpmTag name="Version">\n\t<string>6.1.0</string>\n  </rpmTag>
  <rpmTag name="Release">\n\t<string>1.fc40</string>\n  </rpmTag>
  <rpmTag name="Arch">\n\t<string>x86_64</string>\n  </rpmTag>
  <rpmTag name="Summary">\n\t<string>The kernel, 100% &lt;core&gt;</string>\n  </rpmTag>
  <rpmTag name="Description">\n\t<string>Core &amp; more</string>\n  </rpmTag>
  <rpmTag name="License">\n\t<string>GPL-2.0-only</string>\n  </rpmTag>
  <rpmTag name="Sourcerpm">\n\t<string>kernel-6.1.0-1.fc40.src.rpm</string>\n  </rpmTag>
  <rpmTag name="Requirename">\n\t<string>/bin/sh</string>\n\t<string>coreutils</string>\n\t<string>rpmlib(PayloadIsZstd)</string>\n\t<string>kmod</string>\n  </rpmTag>
  <rpmTag name="Requireflags">\n\t<integer>1280</integer>\n\t<integer>512</integer>\n\t<integer>16777224</integer>\n\t<integer>12</integer>\n  </rpmTag>
  <rpmTag name="Requireversion">\n\t<string/>\n\t<string/>\n\t<string>5.4.18-1</string>\n\t<string>29</string>\n  </rpmTag>
  <rpmTag name="Providename">\n\t<string>kernel-core</string>\n\t<string>kernel-core(x86-64)</string>\n\t<string>kernel-uname-r</string>\n  </rpmTag>
  <rpmTag name="Provideflags">\n\t<integer>8</integer>\n\t<integer>8</integer>\n\t<integer>8</integer>\n  </rpmTag>
  <rpmTag name="Provideversion">\n\t<string>6.1.0-1.fc40</string>\n\t<string>6.1.0-1.fc40</string>\n\t<string>6.1.0-1.fc40.x86_64</string>\n  </rpmTag>
  <rpmTag name="Postin">\n\t<string>echo 50% done</string>\n  </rpmTag>
  <rpmTag name="Postinprog">\n\t<string>/bin/sh</string>\n  </rpmTag>
  <rpmTag name="Basenames">\n\t<string>vmlinuz</string>\n\t<string>a b.ko</string>\n  </rpmTag>
  <rpmTag name="Dirnames">\n\t<string>/lib/modules/6.1.0-1.fc40.x86_64/</string>\n  </rpmTag>
  <rpmTag name="Dirindexes">\n\t<integer>0</integer>\n\t<integer>0</integer>\n  </rpmTag>
  <rpmTag name="Filemodes">\n\t<integer>33261</integer>\n\t<integer>33188</integer>\n  </rpmTag>
  <rpmTag name="Fileflags">\n\t<integer>0</integer>\n\t<integer>17</integer>\n  </rpmTag>
  <rpmTag name="Fileverifyflags">\n\t<integer>4294967295</integer>\n\t<integer>4294967263</integer>\n  </rpmTag>
  <rpmTag name="Fileusername">\n\t<string>root</string>\n\t<string>root</string>\n  </rpmTag>
  <rpmTag name="Filegroupname">\n\t<string>root</string>\n\t<string>root</string>\n  </rpmTag>
</rpmHeader>`;

describe('rebuild spec from an RPM header', () => {
  it('keeps the source package name, dependencies with their qualifiers, scriptlets and file attributes, and escapes %', () => {
    const plan = rebuildSpec(parseRpmXml(XML), 'kernel-core-6.1.0-1.fc40.x86_64.rpm');
    expect(plan.sourceRpmKept).toBe(true);
    expect(plan.spec).toContain('Name: kernel\n');
    expect(plan.spec).toContain('%package -n kernel-core\nSummary: The kernel, 100%% <core>\n');
    expect(plan.spec).toContain('Requires(pre): coreutils\nRequires: kmod >= 29\n');
    expect(plan.spec).not.toMatch(/rpmlib|Requires\(post\): \/bin\/sh|Provides: kernel-core\b/);
    expect(plan.spec).toContain('Provides: kernel-uname-r = 6.1.0-1.fc40.x86_64');
    expect(plan.spec).toContain('%post -n kernel-core\necho 50%% done\n');
    expect(plan.spec).toContain('%attr(0755,root,root) /lib/modules/6.1.0-1.fc40.x86_64/vmlinuz\n');
    expect(plan.spec).toContain('%attr(0644,root,root) %config(noreplace) %verify(not mtime) "/lib/modules/6.1.0-1.fc40.x86_64/a b.ko"\n');
  });

  it('refuses triggers and file names a file list cannot hold', () => {
    expect(() =>
      rebuildSpec(
        parseRpmXml(XML.replace('</rpmHeader>', '<rpmTag name="Triggerscripts">\n\t<string>x</string>\n  </rpmTag></rpmHeader>')),
        'x.rpm',
      ),
    ).toThrow(/triggers/);
    expect(() => rebuildSpec(parseRpmXml(XML.replace('a b.ko', 'a*.ko')), 'x.rpm')).toThrow(/cannot be listed/);
    // a name listed twice: rpmbuild lists it once ('File listed twice'), so the header would lose an entry
    expect(() => rebuildSpec(parseRpmXml(XML.replace('a b.ko', 'vmlinuz')), 'x.rpm')).toThrow(/listed twice/);
    // %pubkey (2048) or noreplace (16) without %config: no %files line sets them, so they would vanish
    for (const flags of ['2048', '16'])
      expect(() => rebuildSpec(parseRpmXml(XML.replace('<integer>17</integer>', `<integer>${flags}</integer>`)), 'x.rpm')).toThrow(
        /file flags/,
      );
    // rpm -qp --xml prints raw bytes: a Latin-1 description arrives as U+FFFD and could not be written back
    expect(() => rebuildSpec(parseRpmXml(XML.replace('Core &amp; more', 'Caf\uFFFD')), 'x.rpm')).toThrow(
      /DESCRIPTION holds bytes that are not UTF-8/,
    );
  });

  it('takes the payload compressor only from its own table (a header naming constructor or __proto__ gets the default)', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const xml = XML.replace('</rpmHeader>', `<rpmTag name="Payloadcompressor">\n\t<string>${name}</string>\n  </rpmTag></rpmHeader>`);
      expect(rebuildSpec(parseRpmXml(xml), 'x.rpm').spec, name).not.toMatch(/_binary_payload/);
    }
    const zstd = XML.replace('</rpmHeader>', '<rpmTag name="Payloadcompressor">\n\t<string>zstd</string>\n  </rpmTag></rpmHeader>');
    expect(rebuildSpec(parseRpmXml(zstd), 'x.rpm').spec).toContain('%global _binary_payload w9.zstdio\n');
  });
});

describe('KMM image references and shell quoting', () => {
  it('accepts REGISTRY/NAME and refuses tags, missing hosts and upper case, with a column', () => {
    expect(parseImageReference('quay.io/example/wg-kmod').image?.name).toBe('quay.io/example/wg-kmod');
    expect(parseImageReference('registry.local:5000/kmods/wg').image?.registry).toBe('registry.local:5000');
    expect(parseImageReference('localhost/wg').image).toBeDefined();
    expect(parseImageReference('quay.io/x/wg:1').finding?.where).toEqual({ file: '--image', line: 1, col: 13 });
    expect(parseImageReference('quay.io/x/wg@sha256:ab').finding?.message).toMatch(/tag or digest/);
    expect(parseImageReference('wg').finding?.message).toMatch(/no registry host/);
    expect(parseImageReference('quay.io/x/$(reboot)').finding?.code).toBe('E_KMM_IMAGE');
  });

  it('single-quotes any text so bash reads it back unchanged', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const q = shellQuote(s);
        // the only way out of a single-quoted word is the '\'' sequence kplay writes
        return (
          q.startsWith("'") &&
          q.endsWith("'") &&
          q.slice(1, -1).split(`'\\''`).join("'") === s &&
          !q
            .slice(1, -1)
            .split(`'\\''`)
            .some((part) => part.includes("'"))
        );
      }),
    );
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
});
