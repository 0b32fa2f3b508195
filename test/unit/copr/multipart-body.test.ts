import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { srpmUploadBody } from '../../../src/submit/copr/copr-client.js';
import { multipartBody } from '../../../src/submit/copr/multipart-body.js';
import { parseMultipart } from '../../support/copr-server/parse-multipart.js';

describe('multipart upload body', () => {
  let dir: string;
  let srpm: string;
  const content = Buffer.alloc(300_000, 7);
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kplay-multipart-'));
    srpm = path.join(dir, 'kernel-6.12.0-1.src.rpm');
    await writeFile(srpm, content);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('announces exactly the length it streams, pkgs file part then json FILE part', async () => {
    const body = await srpmUploadBody(srpm, 'me', 'proj', { chroots: ['fedora-rawhide-x86_64'], timeout: 108000, enable_net: false });
    const bytes = await buffer(body.open());
    expect(bytes.length).toBe(body.contentLength);
    const parts = parseMultipart(bytes, body.contentType)!;
    expect(parts.map((p) => [p.name, p.filename, p.contentType])).toEqual([
      ['pkgs', 'kernel-6.12.0-1.src.rpm', 'application/x-rpm'],
      ['json', 'json', 'application/json'],
    ]);
    expect(parts[0]!.data.equals(content)).toBe(true);
    expect(JSON.parse(parts[1]!.data.toString())).toEqual({
      ownername: 'me',
      projectname: 'proj',
      chroots: ['fedora-rawhide-x86_64'],
      timeout: 108000,
      enable_net: false,
    });
  });

  it('can be opened again (a fresh stream each time)', async () => {
    const body = multipartBody([{ name: 'a', filename: 'a', contentType: 'text/plain', source: { data: Buffer.from('x') } }], 'B');
    expect((await buffer(body.open())).toString()).toBe((await buffer(body.open())).toString());
    expect((await buffer(body.open())).toString()).toBe(
      '--B\r\nContent-Disposition: form-data; name="a"; filename="a"\r\nContent-Type: text/plain\r\n\r\nx\r\n--B--\r\n',
    );
  });

  it('fails the stream when the file changed size after the length was announced', async () => {
    const body = await srpmUploadBody(srpm, 'me', 'proj', { chroots: ['c'], timeout: 1, enable_net: false });
    await writeFile(srpm, Buffer.alloc(10));
    await expect(buffer(body.open())).rejects.toThrow(/changed size/);
    await writeFile(srpm, content);
  });
});
