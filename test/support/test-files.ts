import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** sha256 of a file, streamed (kernel tarballs are ~140 MB). */
export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** A git-style patch touching one line of `file` (more than 9 lines, as ApplyOptionalPatch wants). */
export function patchFor(file: string): string {
  return [
    `From: kplay test <t@example.org>`,
    `Subject: [PATCH] touch ${file}`,
    '',
    '---',
    ` ${file} | 1 +`,
    '',
    `diff --git a/${file} b/${file}`,
    `--- a/${file}`,
    `+++ b/${file}`,
    '@@ -1 +1,2 @@',
    ' x',
    '+y',
    '',
  ].join('\n');
}
