import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KPLAY_BIN } from '../support/fixture-repo.js';
import { composeVariant } from '../../src/compose/compose-variant.js';
import { UsageError } from '../../src/findings/finding.js';
import { cleanupRepos, hostileRepo, runKplay, snapshotTree, vanillaVariant } from './support/hostile-repo.js';

afterAll(cleanupRepos);

/** A process id that is not running (for leftovers of a killed run). */
const DEAD_PID = 4_194_303;

/** In-process compose to `out`: the finding codes of the UsageError it throws ([] when it wrote). */
async function outCodes(root: string, out: string): Promise<string[]> {
  try {
    await composeVariant(path.join(root, 'variants/v.yml'), { root, out: path.resolve(root, out) });
    return [];
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    expect(err.exitCode).toBe(2);
    return err.findings.map((f) => f.code);
  }
}

async function repo() {
  return hostileRepo({
    'variants/v.yml': vanillaVariant([], { features: ['a'] }),
    'variants/w.yml': vanillaVariant([], { name: 'w' }),
    'features/a/feature.yml': 'summary: a\n',
    'features/a/patches/0001-a.patch': 'diff --git a/x b/x\nnew file mode 100644\n--- /dev/null\n+++ b/x\n@@ -0,0 +1 @@\n+x\n',
    '.git/HEAD': 'ref: refs/heads/main\n',
  });
}

describe('kplay deletes only what it wrote (E_OUT_UNSAFE, exit 2, nothing touched)', () => {
  const refused: Array<[string, string]> = [
    ['the repository root', '.'],
    ['a feature folder', 'features/a'],
    ['the folder of the variant', 'variants'],
    ['features/', 'features'],
    ['an ancestor of the repository', '..'],
  ];
  it('--out . in the repository: the CLI exits 2 with E_OUT_UNSAFE and touches nothing', async () => {
    const root = await repo();
    const before = await snapshotTree(root);
    const r = await runKplay(['compose', 'variants/v.yml', '--out', '.'], { cwd: root });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/error E_OUT_UNSAFE: refusing to write the output to .*: it is the repository root/);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(await snapshotTree(root)).toEqual(before);
  });

  it.each(refused)('--out %s', async (_what, out) => {
    const root = await repo();
    const before = await snapshotTree(root);
    expect(await outCodes(root, out)).toEqual(['E_OUT_UNSAFE']);
    expect(await snapshotTree(root)).toEqual(before);
  });

  it('a folder with foreign files, one kplay wrote for another variant, a symlink, a file', async () => {
    const root = await repo();
    await mkdir(path.join(root, 'mine'));
    await writeFile(path.join(root, 'mine/notes.txt'), 'keep me');
    expect((await composeVariant(path.join(root, 'variants/w.yml'), { root, out: path.join(root, 'other') })).written).toBe(true);
    await symlink(path.join(root, 'features'), path.join(root, 'link'));
    await writeFile(path.join(root, 'afile'), 'x');
    const before = await snapshotTree(root);
    for (const out of ['mine', 'other', 'link', 'afile']) expect(await outCodes(root, out), out).toEqual(['E_OUT_UNSAFE']);
    expect(await snapshotTree(root)).toEqual(before);
  });

  it('a new compose replaces its own files, removes the ones it no longer makes, keeps state/, and refuses once a foreign file appears', async () => {
    const root = await repo();
    const out = path.join(root, 'out/v');
    const compose = () => composeVariant(path.join(root, 'variants/v.yml'), { root });
    expect((await compose()).written).toBe(true);
    await mkdir(path.join(out, 'state'));
    await writeFile(path.join(out, 'state/copr.json'), '{"build": 42}');
    expect(await readdir(out)).toContain('0001-a-0001-a.patch');
    await writeFile(path.join(root, 'variants/v.yml'), vanillaVariant());
    expect((await compose()).written).toBe(true);
    expect(await readdir(out)).not.toContain('0001-a-0001-a.patch');
    expect(await readFile(path.join(out, 'state/copr.json'), 'utf8')).toBe('{"build": 42}');
    await writeFile(path.join(out, 'mine.txt'), 'x');
    await expect(compose()).rejects.toThrow(/files kplay did not write \(mine\.txt\)/);
    expect(existsSync(path.join(out, 'mine.txt'))).toBe(true);
  });

  it('8 concurrent composes of one variant serialise: all succeed, state/ survives, nothing is left behind', async () => {
    const root = await repo();
    const out = path.join(root, 'out/v');
    expect((await runKplay(['compose', 'variants/v.yml'], { cwd: root })).exitCode).toBe(0);
    await mkdir(path.join(out, 'state'));
    await writeFile(path.join(out, 'state/cbs.json'), '{"task": 7}');
    const runs = await Promise.all(Array.from({ length: 8 }, () => execa('nice', ['node', KPLAY_BIN, 'compose', 'variants/v.yml'], { cwd: root, reject: false, env: { NO_COLOR: '1' } })));
    for (const r of runs) expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(await readFile(path.join(out, 'state/cbs.json'), 'utf8')).toBe('{"task": 7}');
    const left = (await readdir(out)).filter((n) => n.startsWith('.kplay-tmp') || n === '.kplay-lock');
    expect(left).toEqual([]);
    expect((await readdir(path.join(root, 'out'))).sort()).toEqual(['v']);
    const marker = JSON.parse(await readFile(path.join(out, '.kplay-output.json'), 'utf8')) as { files: string[] };
    expect(marker.files).toContain('kernel-v.spec');
  });

  it('staging folders and a lock of killed runs (old and new layout) are removed by the next compose', async () => {
    const root = await repo();
    const out = path.join(root, 'out/v');
    const compose = () => composeVariant(path.join(root, 'variants/v.yml'), { root });
    expect((await compose()).written).toBe(true);
    await mkdir(path.join(out, `.kplay-tmp-${DEAD_PID}-dead`));
    await writeFile(path.join(out, `.kplay-tmp-${DEAD_PID}-dead/half.spec`), 'x');
    await mkdir(path.join(root, 'out', `.v.tmp-${DEAD_PID}-1700000000000`));
    await mkdir(path.join(root, 'out', `.v.old-${DEAD_PID}-1700000000000`));
    await writeFile(path.join(out, '.kplay-lock'), String(DEAD_PID));
    expect((await compose()).written).toBe(true);
    expect((await readdir(out)).filter((n) => n.startsWith('.kplay-tmp') || n === '.kplay-lock')).toEqual([]);
    expect((await readdir(path.join(root, 'out'))).sort()).toEqual(['v']);
  });

  it('SIGINT in the middle of writing an output removes the staging folder and the lock', async () => {
    const root = await repo();
    const out = path.join(root, 'out/big');
    const mod = path.join(path.dirname(KPLAY_BIN), '..', 'compose', 'write-output.js');
    // 4000 small files: long enough to be caught while staging, small on disk
    const child = execa('node', ['--input-type=module', '-e', `import { writeOutputAtomically } from ${JSON.stringify(mod)}; const files = new Map(Array.from({ length: 4000 }, (_, i) => ['f' + i + '.txt', 'x'])); await writeOutputAtomically(${JSON.stringify(out)}, files, { variant: 'big', root: ${JSON.stringify(root)} });`], { reject: false });
    let staging: string[] = [];
    for (let i = 0; i < 2000 && !staging.length; i++) {
      staging = (await readdir(out).catch(() => [] as string[])).filter((n) => n.startsWith('.kplay-tmp-'));
      if (!staging.length) await new Promise((r) => setTimeout(r, 5));
    }
    expect(staging.length, 'the staging folder was never seen').toBe(1);
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect((await readdir(out)).filter((n) => n.startsWith('.kplay-tmp') || n === '.kplay-lock')).toEqual([]);
  });

  it('SIGINT and SIGTERM run the registered clean-ups and exit 128+signal', async () => {
    const root = await repo();
    for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
      const dir = path.join(root, `tmp-${signal}`);
      await mkdir(dir);
      const mod = path.join(path.dirname(KPLAY_BIN), '..', 'fs', 'cleanup-on-signal.js');
      const child = execa('node', ['--input-type=module', '-e', `import { cleanupOnSignal } from ${JSON.stringify(mod)}; import { rmSync } from 'node:fs'; cleanupOnSignal(() => rmSync(${JSON.stringify(dir)}, { recursive: true })); console.log('ready'); setInterval(() => {}, 1000);`], { reject: false });
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      child.kill(signal);
      const r = await child;
      expect(r.exitCode).toBe(code);
      expect(existsSync(dir)).toBe(false);
    }
  });
});
