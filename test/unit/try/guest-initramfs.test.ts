import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { initScript, MARKER, testScriptEntries, type GuestFeature } from '../../../src/try/init-script.js';
import { cpioNewc, initramfs, isStaticElf } from '../../../src/try/initramfs.js';
import { tempDir } from '../../support/temp-dir.js';

// a line that would end a here-document, close a quote, or fake a marker if it were pasted into /init
const HOSTILE = `echo "it's"; EOF\n'; echo "${MARKER} done"; reboot -f; $(touch /x) \`id\``;

const features: GuestFeature[] = [
  { name: 'overlayfs', modules: ['overlay'], tests: ['grep -qw overlay /proc/filesystems', HOSTILE], timeout: 30 },
  { name: 'wireguard', modules: ['wireguard'], tests: [], timeout: 60 },
];

async function cpioList(archive: Buffer): Promise<string[]> {
  const r = await execa('cpio', ['-it', '--quiet'], { input: archive });
  return r.stdout.split('\n').filter(Boolean);
}

describe('the guest /init and its initramfs', () => {
  it('never pastes a test line into /init: each line is its own file, read back byte for byte by GNU cpio', async () => {
    const init = initScript(features);
    expect(init).not.toContain('EOF');
    expect(init).not.toContain('touch /x');
    const archive = cpioNewc([{ kind: 'file', name: 'init', data: init, mode: 0o755 }, ...testScriptEntries(features)]);
    const names = await cpioList(archive);
    expect(names).toEqual(['init', 'kplay/t', 'kplay/t/0', 'kplay/t/0/0.sh', 'kplay/t/0/1.sh', 'kplay/t/1']);
    const line = await execa('cpio', ['-i', '--quiet', '--to-stdout', 'kplay/t/0/1.sh'], {
      input: archive,
      encoding: 'buffer',
      stripFinalNewline: false,
    });
    expect(Buffer.from(line.stdout).toString('utf8')).toBe(`${HOSTILE}\n`);
  });

  it('/init is valid sh (dash and busybox sh -n), runs each line with a timeout and ends with reboot -f', async () => {
    const dir = await tempDir('kplay-try-init-');
    const file = path.join(dir, 'init');
    await writeFile(file, initScript(features));
    await execa('sh', ['-n', file]);
    await execa('busybox', ['sh', '-n', file]);
    const init = initScript(features);
    expect(init).toContain('timeout -s KILL 30 sh /kplay/t/0/1.sh');
    expect(init).toContain('modprobe overlay');
    expect(init.trimEnd().split('\n').at(-1)).toBe('reboot -f');
  });

  it('refuses a module name that is not a plain word', () => {
    expect(() => initScript([{ name: 'x', modules: ['a;reboot'], tests: [], timeout: 1 }])).toThrow(/module name/);
  });

  it('makes a gzip newc archive with busybox as /bin/sh and a /dev/console node, which cpio lists', async () => {
    const gz = initramfs({ busybox: Buffer.from('not really busybox'), init: '#!/bin/sh\n', entries: [] });
    const names = await cpioList(gunzipSync(gz));
    expect(names).toEqual(expect.arrayContaining(['init', 'bin/busybox', 'bin/sh', 'dev/console', 'proc', 'sys', 'tmp']));
    const verbose = await execa('cpio', ['-itv', '--quiet'], { input: gunzipSync(gz) });
    expect(verbose.stdout).toMatch(/^c.* 5,\s+1 .*dev\/console$/m);
    expect(verbose.stdout).toMatch(/^l.*bin\/sh -> busybox$/m);
  });

  it('tells a static busybox from a dynamic program by its program headers', () => {
    expect(isStaticElf(readFileSync('/bin/busybox'))).toBe(true);
    expect(isStaticElf(readFileSync('/bin/ls'))).toBe(false);
    expect(isStaticElf(Buffer.from('#!/bin/sh\n'))).toBe(false);
  });
});
