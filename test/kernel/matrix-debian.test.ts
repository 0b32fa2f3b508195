import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MatrixReport } from '../../src/matrix/matrix-report.js';
import { ROOT_OF_REPO } from '../support/fixture-repo.js';
import { KERNEL_TIER_KPLAY_CACHE, LINUX_612_TARBALL, LINUX_61_TARBALL, requireSystemFile } from '../support/kernel-tree.js';
import { runKplay } from '../support/run-kplay.js';
import { shippedVariants } from '../support/shipped-material.js';

// Debian packages linux-source-6.1, linux-source-6.12 and chromium (npm test installs them).
const LINUX_61 = LINUX_61_TARBALL;
const LINUX_612 = LINUX_612_TARBALL;
// every shipped kernel.org variant (read from variants/, so a new one is checked too); the
// overlays and the kmod package are checked on 6.12 in shipped-material.test.ts
const VANILLA_VARIANTS = shippedVariants()
  .filter((v) => v.kind === 'vanilla')
  .map((v) => v.file);
const CHROMIUM = process.env.KPLAY_CHROMIUM ?? '/usr/bin/chromium';

/** Where test artifacts go (CI uploads this folder); the screenshot of the report lands here. */
const ARTIFACTS = path.resolve(process.env.KPLAY_TEST_ARTIFACTS ?? path.join(ROOT_OF_REPO, 'out', 'test-artifacts'));

describe('kplay matrix on Debian linux-source-6.1 and 6.12', () => {
  let out: string;
  let report: MatrixReport;
  let exitCode: number;

  beforeAll(async () => {
    requireSystemFile(LINUX_61);
    requireSystemFile(LINUX_612);
    out = await mkdtemp(path.join(os.tmpdir(), 'kplay-matrix-'));
    const r = await runKplay(
      ['matrix', ...VANILLA_VARIANTS, '--base', `6.1.192=${LINUX_61}`, '--base', `6.12.117=${LINUX_612}`, '--out', out],
      { cwd: ROOT_OF_REPO, env: { KPLAY_CACHE_DIR: KERNEL_TIER_KPLAY_CACHE } },
    );
    expect(r.stderr).not.toMatch(/internal error/);
    exitCode = r.exitCode;
    report = JSON.parse(await readFile(path.join(out, 'matrix.json'), 'utf8')) as MatrixReport;
  });
  afterAll(async () => {
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('composes every variant on every base with the shipped features', () => {
    expect([0, 1]).toContain(exitCode);
    expect(report.bases.map((b) => b.version)).toEqual(['6.1.192', '6.12.117']);
    expect(VANILLA_VARIANTS).toEqual(expect.arrayContaining(['variants/playground.yml', 'variants/playground-plus.yml']));
    expect(report.cells).toHaveLength(VANILLA_VARIANTS.length * 2);
    const plus = report.variants.find((v) => v.name === 'playground-plus')!;
    expect(plus.rows).toEqual(
      expect.arrayContaining([
        'overlayfs',
        'wireguard',
        'deprecated-drivers/megaraid_sas',
        'deprecated-drivers/mptsas',
        'deprecated-drivers/qla4xxx',
      ]),
    );
    for (const c of report.cells) {
      expect(c.checks.kconfig).toMatch(/resolved like make olddefconfig .*x86_64, aarch64/);
      expect(c.exitCode).toBe(c.status === 'broken' ? 1 : 0);
    }
  });

  it('checks every cell on both bases, and the shipped per-version patches keep overlayfs working on each', () => {
    const cell = (variant: string, base: string) => report.cells.find((c) => c.variant === variant && c.base === base)!;
    // the only difference the shipped features have is a patch: compose must check patches
    for (const c of report.cells) expect(c.checks.patches, `${c.variant} on ${c.base}`).not.toMatch(/^skipped/);
    // overlayfs carries one patch for <6.5 (ovl_init in super.c) and one for >=6.6 (params.c): each
    // base applies its own, so neither cell reports a patch that does not apply
    for (const base of ['6.1.192', '6.12.117']) {
      const ovl = cell('playground', base).features.overlayfs!;
      expect(ovl.codes, `overlayfs on ${base}`).not.toContain('E_PATCH_APPLY');
      expect(ovl.status, `overlayfs on ${base}`).not.toBe('broken');
    }
    // and the cell says which per-version patch it left out, so the green is not a silent drop
    expect(cell('playground', '6.1.192').features.overlayfs!.leftOut).toEqual([
      expect.stringMatching(/^patch .*0002-.*: for kernel >=6\.6, the base is 6\.1\.192$/),
    ]);
    expect(cell('playground', '6.12.117').features.overlayfs!.leftOut).toEqual([
      expect.stringMatching(/^patch .*0001-.*: for kernel <6\.5, the base is 6\.12\.117$/),
    ]);
  });

  it('renders in headless Chromium; clicking a cell shows its findings', async () => {
    requireSystemFile(CHROMIUM, 'chromium');
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(`file://${path.join(out, 'index.html')}`);
      // the grid: one column per base, one row per feature of each variant, the status of each cell as in matrix.json
      const headers = await page.locator('thead th.base').allTextContents();
      expect(headers.map((h) => h.replace(/\s+/g, ' ').trim())).toEqual(['6.1.192', '6.12.117']);
      for (const c of report.cells) {
        for (const [feature, fc] of Object.entries(c.features)) {
          const td = page.locator(`td.cell[data-variant="${c.variant}"][data-base="${c.base}"][data-feature="${feature}"]`);
          await expect(td.getAttribute('data-status')).resolves.toBe(fc.status);
          const text = await td.textContent();
          for (const code of fc.codes) expect(text).toContain(code);
        }
      }
      // click the cell with the most findings (or any cell) and check the panel lists them with file:line
      const target = report.cells
        .flatMap((c) => Object.entries(c.features).map(([feature, fc]) => ({ c, feature, fc })))
        .sort((x, y) => y.fc.findings.length - x.fc.findings.length)[0]!;
      await page
        .locator(`td.cell[data-variant="${target.c.variant}"][data-base="${target.c.base}"][data-feature="${target.feature}"]`)
        .click();
      const panel = page.locator('#details');
      await expect(panel.locator('h2').textContent()).resolves.toContain(
        `${target.c.variant} / ${target.feature} on ${target.c.base}: ${target.fc.status}`,
      );
      const items = panel.locator('li.finding');
      expect(await items.count()).toBe(target.fc.findings.length);
      for (const [i, f] of target.fc.findings.entries()) {
        const line = await items.nth(i).textContent();
        expect(line).toContain(f.code);
        if (f.where) {
          expect(f.where).toMatch(/^[^:]+:\d+/);
          expect(line).toContain(f.where);
        }
      }
      if (target.fc.findings.length === 0) await expect(panel.textContent()).resolves.toMatch(/No findings/);
      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'matrix-report.png'), fullPage: true });
      expect(requests.every((u) => u.startsWith('file://'))).toBe(true); // no network needed to open it
    } finally {
      await browser.close();
    }
  });
});
