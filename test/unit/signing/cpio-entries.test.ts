import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpioEntries, PayloadRefused, unsafeCpioEntry } from '../../../src/signing/rpm-payload.js';

/** A "newc" cpio archive of the given entries (name bytes as given, NUL added unless `raw`). */
function newc(entries: Array<{ name: string | Buffer; mode: number; data?: string; raw?: boolean }>): Buffer {
  const parts: Buffer[] = [];
  const pad = () => {
    const len = parts.reduce((n, b) => n + b.length, 0);
    if (len % 4) parts.push(Buffer.alloc(4 - (len % 4)));
  };
  for (const e of [...entries, { name: 'TRAILER!!!', mode: 0 }]) {
    const name = Buffer.concat([Buffer.from(e.name), 'raw' in e && e.raw ? Buffer.alloc(0) : Buffer.alloc(1)]);
    const data = Buffer.from('data' in e && e.data ? e.data : '');
    const fields = [1, e.mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, name.length, 0];
    parts.push(Buffer.from(`070701${fields.map((f) => f.toString(16).padStart(8, '0')).join('')}`, 'latin1'), name);
    pad();
    parts.push(data);
    pad();
  }
  return Buffer.concat(parts);
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kplay-cpio-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function entriesOf(archive: Buffer) {
  const file = path.join(dir, 'a.cpio');
  await writeFile(file, archive);
  return cpioEntries(file);
}

describe('payload cpio entries, read before cpio unpacks them', () => {
  it('reads names and modes, and finds entries below a link of the archive or climbing out', async () => {
    const entries = await entriesOf(
      newc([
        { name: './a', mode: 0o120777, data: '/root/.ssh' },
        { name: './a/authorized_keys', mode: 0o100644, data: 'key' },
      ]),
    );
    expect(entries.map(({ name, mode }) => ({ name, mode }))).toEqual([
      { name: './a', mode: 0o120777 },
      { name: './a/authorized_keys', mode: 0o100644 },
    ]);
    // inode and link count come from the header too (the hard-link check of kplay sign reads them)
    for (const e of entries) expect([typeof e.ino, typeof e.nlink]).toEqual(['number', 'number']);
    expect(unsafeCpioEntry(entries)).toMatch(/'\.\/a\/authorized_keys' lies below its symbolic link '\.\/a'/);
    expect(unsafeCpioEntry([{ name: './a//./x', mode: 0o100644 }, ...entries.slice(0, 1)])).toMatch(/below its symbolic link/);
    expect(unsafeCpioEntry([{ name: './m/../../etc/x', mode: 0o100644 }])).toMatch(/'\.\.'/);
    expect(unsafeCpioEntry([{ name: '.', mode: 0o120777 }])).toMatch(/payload's own folder/);
    expect(
      unsafeCpioEntry([
        { name: './ab', mode: 0o120777 },
        { name: './abc/x', mode: 0o100644 },
      ]),
    ).toBeUndefined();
  });

  it('refuses a name that is not NUL-terminated (cpio would read another name than kplay checked)', async () => {
    // without its NUL, './ax' is what kplay would check; cpio takes the name up to its size - 1: './a'
    await expect(entriesOf(newc([{ name: './ax', mode: 0o120777, data: '/tmp', raw: true }]))).rejects.toThrow(PayloadRefused);
    await expect(entriesOf(newc([{ name: './ax', mode: 0o120777, data: '/tmp', raw: true }]))).rejects.toThrow(/NUL/);
  });

  it('refuses an archive that is not newc or ends early', async () => {
    await expect(entriesOf(Buffer.from('070707' + '0'.repeat(200)))).rejects.toThrow(/no cpio \(newc\) header/);
    await expect(entriesOf(newc([{ name: './a', mode: 0o100644, data: 'x' }]).subarray(0, 120))).rejects.toThrow(PayloadRefused);
  });
});
