import { execa } from 'execa';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFixtureRepo, ROOT_OF_REPO } from '../support/fixture-repo.js';
import { runKplay } from '../support/run-kplay.js';
import { selfSignedCert } from '../support/test-rpm.js';

/**
 * `signing:` on an overlay: the SIG certificate reaches the kernel's trusted keys through the
 * distribution spec's own mechanism (the PEM file its %prep collects and points
 * CONFIG_SYSTEM_TRUSTED_KEYS at), shown by rpmspec -P; a spec without one is a warning.
 */
const DIST_GIT = path.join(ROOT_OF_REPO, 'test/fixtures/dist-git');
const temps: string[] = [];
let cert: string;

beforeAll(async () => {
  const keys = await mkdtemp(path.join(os.tmpdir(), 'kplay-overlay-sig-'));
  temps.push(keys);
  await selfSignedCert('kplay overlay SIG', path.join(keys, 'k.pem'), path.join(keys, 'c.pem'));
  cert = await readFile(path.join(keys, 'c.pem'), 'utf8');
});
afterAll(async () => {
  for (const t of temps) await rm(t, { recursive: true, force: true });
});

async function overlay(distGit: string, arches: string[]) {
  const root = await makeFixtureRepo({
    'variants/pg.yml': [
      'name: pg',
      'summary: signed overlay',
      'base:',
      '  kind: centos-stream',
      '  path: ../dist-git',
      `arches: [${arches.join(', ')}]`,
      'features: []',
      'buildid: .pg',
      'signing:',
      '  certificate: sig.crt.pem',
    ].join('\n'),
    'variants/sig.crt.pem': cert,
    'features/.keep': '',
  });
  temps.push(root);
  await cp(path.join(DIST_GIT, distGit), path.join(root, 'dist-git'), { recursive: true });
  const r = await runKplay(['compose', 'variants/pg.yml'], { cwd: root });
  return { root, r, out: path.join(root, 'out', 'pg') };
}

describe('signing: on an overlay', () => {
  it.each([
    ['real/c10s-hyperscale', ['x86_64'], 'cat imaca.pem >> ../certs/rhel.pem'],
    ['real/c9', ['x86_64'], 'cat rheldup3.pem rhelkpatch1.pem > ../certs/rhel.pem'],
  ])("%s: the certificate is a Source appended to the spec's trusted-keys file; rpmspec -P shows it wired", async (dir, arches, before) => {
    const { r, out } = await overlay(dir, arches);
    expect(r.stderr).not.toMatch(/W_SIGNING_/);
    expect(r.exitCode, r.stderr).toBe(0);
    const specName = 'kernel.spec';
    expect(await readFile(path.join(out, 'kplay-signing.crt.pem'), 'utf8')).toBe(cert);
    // rhel 10 / 9: the branch where the distribution collects its certificates
    const parsed = (await execa('rpmspec', ['-P', '--define', `_sourcedir ${out}`, '--define', 'rhel 10', path.join(out, specName)]))
      .stdout;
    const lines = parsed.split('\n');
    const source = lines.find((l) => /^Source\d+: kplay-signing\.crt\.pem$/.test(l));
    expect(source).toBeDefined();
    const cat = lines.indexOf(`cat ${out}/kplay-signing.crt.pem >> ../certs/rhel.pem`);
    const sed = lines.findIndex((l) => l.includes('CONFIG_SYSTEM_TRUSTED_KEYS=""@CONFIG_SYSTEM_TRUSTED_KEYS="certs/rhel.pem"'));
    expect(cat).toBeGreaterThan(lines.indexOf(before));
    expect(cat).toBeLessThan(sed);
    const manifest = JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8')) as { checks: Record<string, string> };
    expect(manifest.checks.signing).toMatch(
      /^the SIG certificate is Source\d+ \(kplay-signing\.crt\.pem\), appended to \.\.\/certs\/rhel\.pem/,
    );

    // composing again gives the same spec (the block is kplay's, removed and added again)
    const again = await runKplay(['compose', 'variants/pg.yml'], { cwd: path.dirname(path.dirname(out)) });
    expect(again.exitCode, again.stderr).toBe(0);
    const text = await readFile(path.join(out, specName), 'utf8');
    expect(text.match(/kplay-signing\.crt\.pem/g)).toHaveLength(1);
    expect(text.match(/# kplay-overlay begin SIG certificate of pg/g)).toHaveLength(2);
  });

  it('a spec without a trusted-keys file: W_SIGNING_NO_SPEC_MECHANISM, no certificate Source', async () => {
    const { r, out } = await overlay('centos-stream-9', ['x86_64']);
    expect(r.stderr).toMatch(/kernel\.spec: warning W_SIGNING_NO_SPEC_MECHANISM: the spec has no trusted-keys certificate file/);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await readFile(path.join(out, 'kernel.spec'), 'utf8')).not.toContain('kplay-signing.crt.pem');
  });
});
