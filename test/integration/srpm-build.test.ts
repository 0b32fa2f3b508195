import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/findings/finding.js';
import { buildSrpm } from '../../src/rpm/build-srpm.js';
import { ROOT_OF_REPO } from '../support/paths.js';

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'copr', 'hello');

describe('buildSrpm (real rpmbuild -bs)', () => {
  let work: string;
  beforeEach(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'kplay-srpm-test-'));
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('builds an SRPM holding the spec and its source into outDir', async () => {
    const out = path.join(work, 'out');
    const srpm = await buildSrpm({ specFile: path.join(fixture, 'kplay-hello.spec'), sourceDir: fixture, outDir: out });
    expect(path.dirname(srpm)).toBe(out);
    expect(path.basename(srpm)).toMatch(/^kplay-hello-1\.0-1.*\.src\.rpm$/);
    const { stdout } = await execa('rpm', ['-qpl', srpm]);
    expect(stdout.split('\n').sort()).toEqual(['hello.txt', 'kplay-hello.spec']);
    // nothing else is left in the output folder (the scratch folder is gone)
    expect(await readdir(out)).toEqual([path.basename(srpm)]);
  });

  it("names the missing source with rpmbuild's own error line", async () => {
    const src = path.join(work, 'src');
    await execa('mkdir', ['-p', src]);
    await copyFile(path.join(fixture, 'kplay-hello.spec'), path.join(src, 'kplay-hello.spec'));
    const err = await buildSrpm({ specFile: path.join(src, 'kplay-hello.spec'), sourceDir: src, outDir: path.join(work, 'out') }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UsageError);
    const finding = (err as UsageError).findings[0]!;
    expect(finding.code).toBe('E_RPMBUILD_FAILED');
    expect(finding.message).toMatch(/hello\.txt/);
    expect(await readdir(path.join(work, 'out'))).toEqual([]);
  });

  it('points at the spec line of a parse error', async () => {
    const spec = path.join(work, 'bad.spec');
    await writeFile(spec, 'Name: bad\nVersion: 1\nRelease: 1\nSummary: x\nLicense: MIT\nBogusTag: 1\n%description\nx\n');
    const err = (await buildSrpm({ specFile: spec, sourceDir: work, outDir: path.join(work, 'out') }).catch(
      (e: unknown) => e,
    )) as UsageError;
    expect(err.findings[0]!.code).toBe('E_RPMBUILD_FAILED');
    expect(err.findings[0]!.message).toMatch(/error: line 6: Unknown tag/);
    expect(err.findings[0]!.where).toEqual({ file: spec, line: 6, col: 0 });
  });

  it("runs in the sandbox: a spec's %(…) expanded while parsing writes nothing outside", async () => {
    // outside /tmp and $HOME (the sandbox's own): a canary the sandbox would only hide there
    const outside = await mkdtemp(path.join(ROOT_OF_REPO, '.kplay-srpm-outside-'));
    try {
      const canary = path.join(outside, 'CANARY');
      const spec = path.join(work, 'kplay-hello.spec');
      const text = await readFile(path.join(fixture, 'kplay-hello.spec'), 'utf8');
      await writeFile(spec, `%global kplay_probe %(touch ${canary} 2>&1; ls -a $HOME ~root 2>&1 | tr '\\n' ' ')\n${text}`);
      await copyFile(path.join(fixture, 'hello.txt'), path.join(work, 'hello.txt'));
      const srpm = await buildSrpm({ specFile: spec, sourceDir: work, outDir: path.join(work, 'out') });
      expect(existsSync(canary)).toBe(false);
      // the SRPM was still built (the macro's failed touch is not rpmbuild's failure)
      const { stdout } = await execa('rpm', ['-qp', '--qf', '[%{FILENAMES}\n]', srpm]);
      expect(stdout).toMatch(/kplay-hello\.spec/);
      const probe = await execa('rpmspec', ['-P', '--define', `_sourcedir ${work}`, spec], { reject: false });
      expect(probe.exitCode).toBe(0); // the same spec outside the sandbox does write: the test can fail
      expect(existsSync(canary)).toBe(true);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('says how to install rpmbuild when it is missing', async () => {
    const err = (await buildSrpm({
      specFile: path.join(fixture, 'kplay-hello.spec'),
      sourceDir: fixture,
      outDir: path.join(work, 'out'),
      rpmbuild: path.join(work, 'no-such-rpmbuild'),
    }).catch((e: unknown) => e)) as UsageError;
    expect(err.findings[0]!.code).toBe('E_RPMBUILD_MISSING');
    expect(err.findings[0]!.hint).toMatch(/apt-get install rpm/);
    expect(err.findings[0]!.hint).toMatch(/dnf install rpm-build/);
  });
});
