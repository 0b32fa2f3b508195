import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Write a CentOS-style client certificate file (key and certificate in one PEM file) valid for
 * `days` from now; `days = -1` makes one that expired yesterday. Uses the openssl CLI.
 */
export function makeClientCert(file: string, days: number): string {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'kplay-mkcert-'));
  try {
    const key = path.join(tmp, 'key.pem');
    const csr = path.join(tmp, 'req.csr');
    const crt = path.join(tmp, 'crt.pem');
    const quiet = { stdio: 'pipe' as const };
    execFileSync(
      'openssl',
      [
        'req',
        '-new',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        key,
        '-out',
        csr,
        '-subj',
        '/CN=kplay-test',
      ],
      quiet,
    );
    execFileSync('openssl', ['x509', '-req', '-in', csr, '-signkey', key, '-days', String(days), '-out', crt], quiet);
    writeFileSync(file, readFileSync(key, 'utf8') + readFileSync(crt, 'utf8'), { mode: 0o600 });
    return file;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
