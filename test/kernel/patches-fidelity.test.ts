/**
 * Verdict fidelity: for every patch of every corpus series, kplay's apply/fail verdict equals
 * `git apply`'s on an extracted Linux 6.1 tree, and the files kplay produces are byte-identical
 * to the ones git writes.
 *
 * git runs in a scratch folder holding copies of just the files a series touches (the 6.1 tree
 * stays untouched); the first patch of every series is also checked with `git apply --check` on
 * the whole tree, to show the scratch folder gives git the same verdict.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectorySourceTree } from '../../src/sources/source-tree.js';
import { checkSeries } from '../../src/patches/check-series.js';
import { parseSeries, pathsTouchedBySeries } from '../../src/patches/parse-series.js';
import { buildFidelityCorpus, type CorpusSeries } from '../fixtures/patches/fidelity-corpus.js';
import { extractedKernelTree } from '../support/kernel-tree.js';

const gitEnv = (dir: string) => ({ GIT_CEILING_DIRECTORIES: path.dirname(dir), LC_ALL: 'C' });

async function gitApply(cwd: string, patchFile: string, check = false): Promise<boolean> {
  const r = await execa('git', ['apply', ...(check ? ['--check'] : []), patchFile], { cwd, reject: false, env: gitEnv(cwd) });
  return r.exitCode === 0;
}

describe('patch verdicts agree with git apply on Linux 6.1', () => {
  let tree: string;
  let work: string;
  let corpus: CorpusSeries[];

  beforeAll(async () => {
    tree = await extractedKernelTree();
    work = await mkdtemp(path.join(os.tmpdir(), 'kplay-patch-fidelity-'));
    corpus = await buildFidelityCorpus(tree, work);
  });
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('gives the same verdict as git apply for every patch, and byte-identical files', async () => {
    const base = new DirectorySourceTree(tree);
    let patches = 0;
    let agree = 0;
    let identicalFiles = 0;
    let appliedByGit = 0;
    let wholeTreeChecks = 0;
    const disagreements: string[] = [];
    for (const [si, s] of corpus.entries()) {
      const dir = path.join(work, `series-${si}`);
      const scratch = path.join(dir, 'tree');
      await mkdir(scratch, { recursive: true });
      const { entries } = parseSeries(s.patches);
      const touched = pathsTouchedBySeries(entries);
      // git's view: copies of the touched files (also any path a patch names that kplay could not parse)
      for (const p of s.patches) for (const m of p.text.toString('latin1').matchAll(/^(?:---|\+\+\+) [ab]\/(\S+)/gm)) touched.add(m[1]!);
      for (const rel of touched) {
        const src = path.join(tree, rel);
        if (!existsSync(src) || !(await stat(src)).isFile()) continue;
        await mkdir(path.dirname(path.join(scratch, rel)), { recursive: true });
        await copyFile(src, path.join(scratch, rel));
        const mode = (await stat(src)).mode;
        if (mode & 0o111) await execa('chmod', ['+x', path.join(scratch, rel)]);
      }
      const ours = await checkSeries(base, entries);
      for (const [pi, p] of s.patches.entries()) {
        const file = path.join(dir, `${pi}.patch`);
        await writeFile(file, p.text);
        const gitOk = await gitApply(scratch, file);
        if (pi === 0) {
          wholeTreeChecks++;
          const wholeTree = await gitApply(tree, file, true);
          if (wholeTree !== gitOk) disagreements.push(`${s.name}: git on the whole tree says ${wholeTree}, on the scratch copy ${gitOk}`);
        }
        const kplayOk = ours.results[pi]!.status === 'applied';
        patches++;
        if (gitOk) appliedByGit++;
        if (process.env.KPLAY_FIDELITY_VERBOSE) {
          const why = ours.findings.find((f) => f.where?.file === p.file && f.severity === 'error');
          console.log(
            `${s.name} / ${pi + 1}: git ${gitOk ? 'applies' : 'fails'}, kplay ${ours.results[pi]!.status}${why ? ` (${why.code}: ${why.message})` : ''}`,
          );
        }
        if (gitOk === kplayOk) agree++;
        else
          disagreements.push(
            `${s.name} / patch ${pi + 1} (${p.file}): git apply ${gitOk ? 'applies' : 'fails'}, kplay says ${ours.results[pi]!.status}`,
          );
      }
      for (const rel of touched) {
        const gitFile = path.join(scratch, rel);
        const gitContent = existsSync(gitFile) ? await readFile(gitFile) : null;
        const ourContent = ours.files.has(rel) ? ours.files.get(rel)! : ((await base.readFile(rel)) ?? null);
        const same = gitContent === null ? ourContent === null : ourContent !== null && Buffer.compare(gitContent, ourContent) === 0;
        if (same) {
          if (ours.files.has(rel)) identicalFiles++;
        } else {
          disagreements.push(`${s.name}: ${rel} differs from git apply's result`);
        }
      }
    }
    console.log(
      `patch fidelity: ${corpus.length} series, ${agree}/${patches} verdicts agree (${appliedByGit} patches applied by git), ` +
        `${identicalFiles} changed files byte-identical, ${wholeTreeChecks} whole-tree checks`,
    );
    for (const d of disagreements) console.log(`  disagreement: ${d}`);
    expect(corpus.length).toBeGreaterThanOrEqual(50);
    expect(disagreements).toEqual([]);
    expect(agree).toBe(patches);
    // the corpus exercises both outcomes
    expect(appliedByGit).toBeGreaterThan(10);
    expect(patches - appliedByGit).toBeGreaterThan(10);
  });
});
