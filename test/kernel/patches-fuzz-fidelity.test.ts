/**
 * Fuzz fidelity: with `--fuzz 1`, kplay's verdict for every patch equals that of
 * `patch -p1 -F1` (how older distribution specs apply patches) on Linux 6.1, and the files it
 * produces are byte-identical. The corpus is the git-apply fidelity corpus plus mutations that
 * only fuzz can rescue (first or last context line changed, shifted).
 *
 * patch applies the hunks that fit even when another hunk of the patch fails, so a series is
 * compared up to its first failing patch. A hunkless git rename onto an existing file is left
 * out (see below).
 */
import { execa, execaSync } from 'execa';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSeries } from '../../src/patches/check-series.js';
import { parseSeries, pathsTouchedBySeries } from '../../src/patches/parse-series.js';
import { DirectorySourceTree } from '../../src/sources/source-tree.js';
import { alterContext, buildFidelityCorpus, shiftHunks, type CorpusSeries } from '../fixtures/patches/fidelity-corpus.js';
import { extractedKernelTree } from '../support/kernel-tree.js';

const FUZZ = 1;

/** GNU patch is needed to compare with (Debian package patch; npm test installs it). */
const havePatch = execaSync('patch', ['--version'], { reject: false }).exitCode === 0;

async function gnuPatch(cwd: string, patchFile: string): Promise<boolean> {
  const r = await execa('patch', ['-p1', `-F${FUZZ}`, '-N', '-s', '--no-backup-if-mismatch', '-r', '-', '-i', patchFile], {
    cwd,
    reject: false,
    env: { LC_ALL: 'C' },
  });
  return r.exitCode === 0;
}

/** Extra single-patch series that need fuzz: an end context line changed, with and without a shift. */
function fuzzMutations(corpus: readonly CorpusSeries[]): CorpusSeries[] {
  const out: CorpusSeries[] = [];
  const written = corpus.filter((s) => s.name.startsWith('written edit of') && !/-U[01]/.test(s.name));
  for (const [i, s] of written.entries()) {
    const text = s.patches[0]!.text.toString('latin1');
    const make = (name: string, t: string): CorpusSeries => ({
      name,
      patches: [{ ...s.patches[0]!, feature: `fuzz${i}`, text: Buffer.from(t, 'latin1') }],
    });
    out.push(make(`first context line changed: ${s.name}`, alterContext(text, 0)));
    out.push(make(`last context line changed: ${s.name}`, alterContext(text, 99)));
    out.push(make(`second context line changed: ${s.name}`, alterContext(text, 1)));
    out.push(make(`first context changed and shifted: ${s.name}`, shiftHunks(alterContext(text, 0), 3)));
  }
  return out;
}

describe('patch verdicts with fuzz agree with patch -F1 on Linux 6.1', () => {
  let tree: string;
  let work: string;
  let corpus: CorpusSeries[];

  beforeAll(async () => {
    if (!havePatch) throw new Error('GNU patch is missing: install the Debian package patch (npm test installs it when it can)');
    tree = await extractedKernelTree();
    work = await mkdtemp(path.join(os.tmpdir(), 'kplay-patch-fuzz-'));
    const base = await buildFidelityCorpus(tree, work);
    // left out: a hunkless git rename onto an existing file, which patch 2.7.6 carries out
    // backwards (the target's content ends up under the source's name); kplay refuses it
    corpus = [...base.filter((s) => s.name !== 'rename onto an existing file'), ...fuzzMutations(base)];
  });
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('gives the same verdict as patch -F1 and byte-identical files', async () => {
    const base = new DirectorySourceTree(tree);
    let compared = 0;
    let agree = 0;
    let applied = 0;
    let fuzzed = 0;
    let identical = 0;
    const disagreements: string[] = [];
    for (const [si, s] of corpus.entries()) {
      const dir = path.join(work, `fuzz-series-${si}`);
      const scratch = path.join(dir, 'tree');
      await mkdir(scratch, { recursive: true });
      const { entries } = parseSeries(s.patches);
      const touched = pathsTouchedBySeries(entries);
      for (const p of s.patches) for (const m of p.text.toString('latin1').matchAll(/^(?:---|\+\+\+) [ab]\/(\S+)/gm)) touched.add(m[1]!);
      for (const rel of touched) {
        const src = path.join(tree, rel);
        if (!existsSync(src) || !(await stat(src)).isFile()) continue;
        await mkdir(path.dirname(path.join(scratch, rel)), { recursive: true });
        await copyFile(src, path.join(scratch, rel));
      }
      const ours = await checkSeries(base, entries, { fuzz: FUZZ });
      let failed = false;
      for (const [pi, p] of s.patches.entries()) {
        const file = path.join(dir, `${pi}.patch`);
        await writeFile(file, p.text);
        const theirs = await gnuPatch(scratch, file);
        const result = ours.results[pi]!;
        const mine = result.status === 'applied';
        compared++;
        if (theirs) applied++;
        if (result.hunks.some((h) => h.status === 'fuzz')) fuzzed++;
        if (theirs === mine) agree++;
        else
          disagreements.push(`${s.name} / patch ${pi + 1}: patch -F${FUZZ} ${theirs ? 'applies' : 'fails'}, kplay says ${result.status}`);
        if (!theirs || !mine) {
          failed = true;
          break;
        }
      }
      if (failed) continue;
      for (const rel of touched) {
        const theirFile = path.join(scratch, rel);
        const theirContent = existsSync(theirFile) ? await readFile(theirFile) : null;
        const ourContent = ours.files.has(rel) ? ours.files.get(rel)! : ((await base.readFile(rel)) ?? null);
        const same = theirContent === null ? ourContent === null : ourContent !== null && Buffer.compare(theirContent, ourContent) === 0;
        if (!same) disagreements.push(`${s.name}: ${rel} differs from patch's result`);
        else if (ours.files.has(rel)) identical++;
      }
    }
    console.log(
      `patch -F${FUZZ} fidelity: ${corpus.length} series, ${agree}/${compared} verdicts agree (${applied} applied by patch, ${fuzzed} needed fuzz), ${identical} changed files byte-identical`,
    );
    for (const d of disagreements) console.log(`  disagreement: ${d}`);
    expect(disagreements).toEqual([]);
    expect(fuzzed).toBeGreaterThan(5);
  });
});
