import { execa } from 'execa';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * `rpmbuild -bb` of `spec` (written to `<work>/<name>.spec`) into `<work>/rpms/<NAME>.rpm`, with
 * a fixed SOURCE_DATE_EPOCH so builds are reproducible; `defines` are extra `--define` values.
 * Returns the RPM's path.
 */
export async function rpmbuildBinary(work: string, name: string, spec: string, defines: readonly string[] = []): Promise<string> {
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
      ...defines.flatMap((d) => ['--define', d]),
      path.join(work, `${name}.spec`),
    ],
    { env: { SOURCE_DATE_EPOCH: '1796040000' } },
  );
  return path.join(work, 'rpms', `${name}.rpm`);
}

/** A throw-away self-signed RSA certificate and its unencrypted key (openssl req), valid 2 days. */
export async function selfSignedCert(subject: string, keyFile: string, certFile: string): Promise<void> {
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
    `/CN=${subject}`,
    '-keyout',
    keyFile,
    '-out',
    certFile,
  ]);
}
