import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { composeVariant } from '../../src/compose/compose-variant.js';
import { rpmspecParse, skeletonOf } from './support/spec-skeleton.js';
import { canaryFired, canaryPath, cleanupRepos, hostileRepo, runKplay, SHA, snapshotTree, vanillaVariant } from './support/hostile-repo.js';

afterAll(cleanupRepos);

/** Compose in-process; returns the error codes, whether out/ was written, and whether the canary fired. */
async function compose(files: Record<string, string>, canary: string) {
  const root = await hostileRepo(files);
  const before = await snapshotTree(root);
  const r = await composeVariant(path.join(root, 'variants/v.yml'), { root });
  const after = await snapshotTree(root);
  return { root, r, codes: r.findings.filter((f) => f.severity === 'error').map((f) => f.code), unchanged: JSON.stringify([...before]) === JSON.stringify([...after]), fired: canaryFired(canary) };
}

describe('a base-config URL cannot run code or add spec lines', () => {
  it('a %(...) in the URL file name is refused (E_SOURCE_NAME) at the url, nothing runs or is written', async () => {
    const canary = canaryPath('url');
    const { r, codes, unchanged, fired } = await compose(
      { 'variants/v.yml': vanillaVariant(['  config:'].length ? [] : []).replace('  version: "6.1.192"\n', `  version: "6.1.192"\n  config:\n    x86_64: { url: "http://host/x86_64.config#%(id>${canary})", sha256: ${SHA} }\n`) },
      canary,
    );
    expect(codes).toEqual(['E_SOURCE_NAME']);
    expect(r.findings[0]!.where).toMatchObject({ file: expect.stringMatching(/variants\/v\.yml$/) as string, line: 7 });
    expect(r.exitCode).toBe(2);
    expect(unchanged && !fired).toBe(true);
  });

  it('a newline in the URL (a %post scriptlet) is refused; the CLI exits 2 and writes nothing', async () => {
    const canary = canaryPath('nl');
    const root = await hostileRepo({
      'variants/v.yml': vanillaVariant().replace('  version: "6.1.192"\n', `  version: "6.1.192"\n  config:\n    x86_64: { url: "http://host/x.config\\n%post\\ntouch ${canary}", sha256: ${SHA} }\n`),
    });
    const before = await snapshotTree(root);
    const res = await runKplay(['compose', 'variants/v.yml'], { cwd: root });
    expect(res.exitCode, res.stderr).toBe(2);
    expect(res.stderr).toMatch(/variants\/v\.yml:7:\d+: error E_SOURCE_URL/);
    expect(await snapshotTree(root)).toEqual(before);
    expect(canaryFired(canary)).toBe(false);
  });

  it('file-name: names the file explicitly; the spec then holds only that safe name and rpmspec runs nothing', async () => {
    const canary = canaryPath('named');
    const root = await hostileRepo({
      'variants/v.yml': vanillaVariant().replace('  version: "6.1.192"\n', `  version: "6.1.192"\n  config:\n    x86_64: { url: "http://host/x.config#%(id>${canary})", sha256: ${SHA}, file-name: x86_64.config }\n`),
    });
    const r = await composeVariant(path.join(root, 'variants/v.yml'), { root });
    expect(r.exitCode, JSON.stringify(r.findings)).toBe(0);
    const spec = path.join(root, 'out/v/kernel-v.spec');
    expect(await readFile(spec, 'utf8')).toMatch(/^Source101: +x86_64\.config$/m);
    await execa('rpmspec', ['-P', spec]);
    expect(canaryFired(canary)).toBe(false);
  });

  it('the base tarball URL: a %(...) or $(...) file name is refused, never rendered into %prep', async () => {
    for (const evil of ['linux.tar.xz#%(id>CANARY)', 'x;$(id>CANARY);.tar.xz', 'a%2F..%2F..%2Fvictim', 'linux%E0%A4%A.tar.xz']) {
      const canary = canaryPath('src');
      const { codes, unchanged, fired } = await compose(
        { 'variants/v.yml': vanillaVariant().replace('  version: "6.1.192"\n', `  version: "6.1.192"\n  source: { url: "https://h/${evil.replace('CANARY', canary)}" }\n`) },
        canary,
      );
      expect(codes, evil).toEqual(['E_SOURCE_NAME']);
      expect(unchanged && !fired).toBe(true);
    }
  });

  it('kmod: a topdir taken from a hostile URL never reaches %prep (E_SOURCE_NAME / E_SPEC_VALUE)', async () => {
    const canary = canaryPath('kmod');
    const root = await hostileRepo({
      'variants/v.yml': ['name: v', 'type: kmod', 'summary: s', 'kmod:', '  kernel-version: "6.1.0-26"', `  source: { url: "https://h/x;$(id>${canary});.tar.xz" }`, '  modules: { f: [drivers/f] }', 'arches: [x86_64]', 'features: [f]', ''].join('\n'),
      'features/f/feature.yml': 'summary: f\n',
    });
    const before = await snapshotTree(root);
    const r = await composeVariant(path.join(root, 'variants/v.yml'), { root });
    const codes = new Set(r.findings.filter((f) => f.severity === 'error').map((f) => f.code));
    expect([...codes].sort()).toEqual(['E_SOURCE_NAME', 'E_SPEC_VALUE']);
    expect(r.exitCode).toBe(2);
    expect(await snapshotTree(root)).toEqual(before);
    expect(canaryFired(canary)).toBe(false);
  });
});

describe('free text cannot start a spec line rpm reads as a section, conditional or macro', () => {
  const lines = ['%post', '%POST', '%%post', '%package evil', '%files', '%endif', '  %endif', '%else', '%if 1', '%ifarch x86_64', '%include /etc/passwd', '%changelog', '%define x 1', '%global x 1', '%{lua: os.execute("touch CANARY")}', '%(touch CANARY)', '%[1+1]', '%{expand:%%post}', '%{?x:%%post}', '%description core', '\t%dnl'];
  it.each(lines)('a description line %j is refused (E_SPEC_TEXT) at the description', async (line) => {
    const canary = canaryPath('desc');
    const { r, codes, unchanged, fired } = await compose({ 'variants/v.yml': vanillaVariant([`description: ${JSON.stringify(`first line\n${line.replace('CANARY', canary)}\nlast`)}`]) }, canary);
    expect(codes).toEqual(['E_SPEC_TEXT']);
    expect(r.findings.find((f) => f.code === 'E_SPEC_TEXT')!.where).toMatchObject({ line: 8, col: 14 });
    expect(unchanged && !fired).toBe(true);
  });

  it('a summary used as the description is refused at the summary; a trailing backslash too', async () => {
    const canary = canaryPath('sum');
    const a = await compose({ 'variants/v.yml': vanillaVariant().replace('summary: safe summary', 'summary: "%post"') }, canary);
    expect(a.codes).toEqual(['E_SPEC_TEXT']);
    expect(a.r.findings[0]!.where).toMatchObject({ line: 2, col: 10 });
    const b = await compose({ 'variants/v.yml': vanillaVariant(['description: "ends with \\\\"']) }, canary);
    expect(b.codes).toEqual(['E_SPEC_TEXT']);
    expect(a.unchanged && b.unchanged && !canaryFired(canary)).toBe(true);
  });

  it('text with % inside lines, changelog lines like %post or * entries, and feature summaries compose to exactly the template sections', async () => {
    const canary = canaryPath('ok');
    const root = await hostileRepo({
      'variants/v.yml': vanillaVariant(
        [
          `description: "100% safe %(touch ${canary}) %{lua: x} \\\\ mid"`,
          'buildid: .x',
          'changelog:',
          `  - { date: "2026-11-22", author: "A %(touch ${canary}) <a@b.c>", text: "%post\\n* Mon Jan 01 2024 fake\\n%endif\\nline \\\\" }`,
        ],
        { features: ['f'] },
      ),
      'features/f/feature.yml': `summary: "%post %(touch ${canary})"\n`,
    });
    const r = await composeVariant(path.join(root, 'variants/v.yml'), { root });
    expect(r.exitCode, JSON.stringify(r.findings)).toBe(0);
    const spec = path.join(root, 'out/v/kernel-v.spec');
    const parsed = await rpmspecParse(spec);
    expect(parsed.ok, parsed.stderr).toBe(true);
    // the template's own skeleton (rpm 4.18 prints no %build line under -P)
    expect(skeletonOf(parsed.stdout)).toEqual(['%description', '%package core', '%description core', '%package modules', '%description modules', '%package devel', '%description devel', '%package devel-matched', '%description devel-matched', '%prep', '%install', '%posttrans core', '%preun core', '%files', '%files core', '%dir', '%files modules', '%files devel', '%files devel-matched', '%changelog']);
    const q = await execa('rpmspec', ['-q', '--qf', '%{name}|%{POSTIN}\n', spec]);
    expect(q.stdout.split('\n').map((l) => l.split('|')[1])).toEqual(['(none)', '(none)', '(none)', '(none)', '(none)']);
    expect(canaryFired(canary)).toBe(false);
    expect(existsSync(canary)).toBe(false);
  });
});
