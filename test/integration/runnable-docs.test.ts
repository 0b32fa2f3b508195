import { execa } from 'execa';
import { chmod, cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KPLAY_BIN, ROOT_OF_REPO } from '../support/paths.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * Every shell example in README.md and docs/*.md that is marked runnable — a fenced `sh` block
 * right after a `<!-- runnable -->` line (`<!-- runnable exit=1 -->` when the example shows a
 * failure) — runs here, in a copy of the repository's variants/ and features/, with `kplay` and
 * `npx kplay` being this build. A doc example that stops working fails the suite. `npm ci` and
 * `npm test` lines (README's quick start) are left out: this test runs inside them.
 */
interface Example {
  doc: string;
  line: number;
  script: string;
  exit: number;
}

async function runnableExamples(): Promise<Example[]> {
  const docs = ['README.md', ...(await readdir(path.join(ROOT_OF_REPO, 'docs'))).filter((n) => n.endsWith('.md')).map((n) => `docs/${n}`)];
  const out: Example[] = [];
  for (const doc of docs) {
    const lines = (await readFile(path.join(ROOT_OF_REPO, doc), 'utf8')).split('\n');
    for (let i = 0; i < lines.length; i++) {
      const mark = /^<!-- runnable(?: exit=(\d))? -->$/.exec(lines[i]!.trim());
      if (!mark) continue;
      const fence = lines.findIndex((l, j) => j > i && l.trim() !== '');
      if (!/^```(sh|bash|console)$/.test(lines[fence]!.trim()))
        throw new Error(`${doc}:${i + 1}: a runnable mark must precede a sh code block`);
      const end = lines.findIndex((l, j) => j > fence && l.trim() === '```');
      const body = lines
        .slice(fence + 1, end)
        .map((l) => l.replace(/^\$ /, '').replace(/\s+#[^'"]*$/, ''))
        .filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#') && !/^npm (ci|test)\b/.test(l.trim()));
      out.push({ doc, line: fence + 1, script: body.join('\n'), exit: Number(mark[1] ?? 0) });
    }
  }
  return out;
}

describe('runnable doc examples', () => {
  let work: string;
  let bin: string;
  const examples: Example[] = [];
  beforeAll(async () => {
    examples.push(...(await runnableExamples()));
    work = await tempDir('kplay-docs-');
    bin = path.join(work, 'bin');
    await mkdir(bin);
    const shim = `#!/bin/sh\nexec node ${JSON.stringify(KPLAY_BIN)} "$@"\n`;
    await writeFile(path.join(bin, 'kplay'), shim);
    // `npx kplay` in a doc means this repository's kplay
    await writeFile(path.join(bin, 'npx'), `#!/bin/sh\n[ "$1" = kplay ] && shift\nexec node ${JSON.stringify(KPLAY_BIN)} "$@"\n`);
    await chmod(path.join(bin, 'kplay'), 0o755);
    await chmod(path.join(bin, 'npx'), 0o755);
  });
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('finds a marked example in README.md and in each user doc that opens with a task', () => {
    const docs = new Set(examples.map((e) => e.doc));
    for (const doc of [
      'README.md',
      'docs/overlay.md',
      'docs/kmod.md',
      'docs/signing.md',
      'docs/kmm.md',
      'docs/formats.md',
      'docs/findings.md',
    ])
      expect(docs.has(doc), doc).toBe(true);
  });

  it('runs each one with the exit status it shows', { timeout: 300_000 }, async () => {
    const failures: string[] = [];
    for (const [n, ex] of examples.entries()) {
      const repo = path.join(work, `repo-${n}`);
      for (const dir of ['variants', 'features', 'test/fixtures/dist-git'])
        await cp(path.join(ROOT_OF_REPO, dir), path.join(repo, dir), { recursive: true });
      await writeFile(path.join(repo, '.gitignore'), 'out/\n.kplay/\n');
      const r = await execa('bash', ['-e', '-o', 'pipefail', '-c', ex.script], {
        cwd: repo,
        reject: false,
        all: true,
        env: {
          PATH: `${bin}:${process.env.PATH ?? ''}`,
          HOME: path.join(work, 'home'),
          KPLAY_CACHE_DIR: path.join(work, 'cache'),
          KPLAY_KEY_BITS: '2048',
        },
        timeout: 120_000,
      });
      if (r.exitCode !== ex.exit)
        failures.push(`${ex.doc}:${ex.line}: exit ${r.exitCode}, the doc shows ${ex.exit}\n${ex.script}\n${r.all?.slice(-1500)}`);
    }
    expect(failures).toEqual([]);
  });
});
