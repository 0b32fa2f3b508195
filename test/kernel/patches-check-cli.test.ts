/**
 * `kplay patches check` end to end on Linux 6.1: the shipped-style fixture features apply, two
 * features changing the same line are reported naming both features, patches, the file and the
 * line (from the source tarball, streamed), and a patch 6.1 already contains is reported as such.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractedKernelTree, LINUX_61_TARBALL } from '../support/kernel-tree.js';
import { runKplay } from '../support/run-kplay.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtures = path.join(repo, 'test/fixtures/patches');

let cacheDir = '';

function kplay(...args: string[]) {
  return runKplay(args, { cwd: fixtures, env: { KPLAY_CACHE_DIR: cacheDir } });
}

describe('kplay patches check on Linux 6.1', () => {
  let tree: string;
  beforeAll(async () => {
    tree = await extractedKernelTree();
    cacheDir = await mkdtemp(path.join(os.tmpdir(), 'kplay-patches-cache-'));
  });
  afterAll(async () => {
    if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
  });

  it('applies the shipped fixture features cleanly', async () => {
    const r = await kplay('patches', 'check', '--kernel-source', tree, '--json', 'features');
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout) as { results: Array<{ feature: string; status: string }> };
    expect(out.results.map((x) => [x.feature, x.status])).toEqual([
      ['ovl-index-on', 'applied'],
      ['usb-modem-ids', 'applied'],
    ]);
  });

  it('names both features, both patches, the file and the line when two features change the same line (from the tarball)', async () => {
    const r = await kplay(
      'patches',
      'check',
      '--kernel-source',
      LINUX_61_TARBALL,
      'conflicting/ovl-nfs-export-on',
      'conflicting/ovl-nfs-export-guard',
    );
    expect(r.exitCode).toBe(1);
    const apply = r.stderr.split('\n').find((l) => l.includes('E_PATCH_APPLY'));
    expect(apply).toBeDefined();
    for (const s of [
      'conflicting/ovl-nfs-export-guard/patches/0001-ovl-keep-NFS-export-off-where-exportfs-is-not-built.patch:15: error E_PATCH_APPLY',
      'conflicting/ovl-nfs-export-on/patches/0001-ovl-export-overlays-over-NFS-by-default.patch (feature ovl-nfs-export-on) changes line 47 of fs/overlayfs/super.c',
      '[feature ovl-nfs-export-guard]',
    ]) {
      expect(apply).toContain(s);
    }
    expect(r.stderr).toContain('(feature ovl-nfs-export-on)');
    expect(r.stderr).toMatch(/error E_PATCH_OVERLAP: .*both change line 47 of fs\/overlayfs\/super\.c/);

    // the second check takes the touched files from the subset cache and gives the same verdicts
    const again = await kplay(
      'patches',
      'check',
      '--json',
      '--kernel-source',
      LINUX_61_TARBALL,
      'conflicting/ovl-nfs-export-on',
      'conflicting/ovl-nfs-export-guard',
    );
    expect(again.exitCode).toBe(1);
    const out = JSON.parse(again.stdout) as { fromCache: boolean; results: Array<{ status: string }>; findings: Array<{ code: string }> };
    expect(out.fromCache).toBe(true);
    expect(out.results.map((x) => x.status)).toEqual(['applied', 'failed']);
    expect(out.findings.map((f) => f.code).sort()).toEqual(['E_PATCH_APPLY', 'E_PATCH_OVERLAP']);
  });

  it('reports a patch that 6.1 already contains as already applied', async () => {
    const r = await kplay('patches', 'check', '--kernel-source', tree, 'upstream/quectel-rg650v');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('error E_PATCH_ALREADY_APPLIED');
    expect(r.stderr).toContain('drivers/usb/serial/option.c');
    expect(r.stderr).toMatch(/hint: drop the patch .* or narrow the feature's kernel version range/);
  });

  it('exits 2 for a source that does not exist', async () => {
    const r = await kplay('patches', 'check', '--kernel-source', '/nonexistent/linux.tar.xz', 'features');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('does not exist');
    expect(r.stderr).not.toContain('    at ');
  });
});
