import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkClientCert } from '../../../src/submit/cbs/check-client-cert.js';
import { makeClientCert } from '../../support/koji/make-client-cert.js';
import { tempDirSync } from '../../support/temp-dir.js';

describe('client certificate check', () => {
  const dir = tempDirSync('kplay-cert-');

  it('accepts a valid certificate+key file and reports its expiry', () => {
    const file = makeClientCert(path.join(dir, 'valid.cert'), 30);
    const r = checkClientCert(file);
    expect(r.findings).toEqual([]);
    expect(r.validTo!.getTime()).toBeGreaterThan(Date.now());
  });

  it('finds an expired certificate, without printing its content', () => {
    const file = makeClientCert(path.join(dir, 'expired.cert'), -1);
    const r = checkClientCert(file);
    expect(r.findings.map((f) => f.code)).toEqual(['E_CBS_CERT_EXPIRED']);
    expect(r.findings[0]!.hint).toContain('centos-cert');
    const content = readFileSync(file, 'utf8');
    const body = content.split('\n').find((l) => l.length > 40)!;
    expect(JSON.stringify(r.findings)).not.toContain(body);
  });

  it('warns a week before expiry', () => {
    const file = makeClientCert(path.join(dir, 'soon.cert'), 3);
    expect(checkClientCert(file).findings.map((f) => f.code)).toEqual(['W_CBS_CERT_EXPIRES_SOON']);
  });

  it('finds a missing file and a file without a certificate', () => {
    expect(checkClientCert(path.join(dir, 'nope.cert')).findings[0]!.code).toBe('E_CBS_CERT_MISSING');
    const keyOnly = path.join(dir, 'key-only.pem');
    writeFileSync(keyOnly, execFileSync('openssl', ['genpkey', '-algorithm', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']));
    expect(checkClientCert(keyOnly).findings[0]!.code).toBe('E_CBS_CERT_INVALID');
  });
});
