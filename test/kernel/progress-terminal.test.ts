/**
 * A newcomer's cold compose is never silent: run under a pseudo-terminal (util-linux `script`),
 * `kplay compose --kernel-source <tarball>` with an empty cache shows a progress line within 2 s
 * of starting (the cold run itself takes 20–60 s; the test stops it once it has seen progress).
 * Without a terminal the same run writes plain `kplay: …` lines. About 5 s in all.
 */
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { KPLAY_BIN, ROOT_OF_REPO } from '../support/paths.js';
import { tempDir } from '../support/temp-dir.js';
import { LINUX_612_TARBALL } from '../support/kernel-tree.js';

async function firstOutputWithin(argv: string[], env: Record<string, string>, pattern: RegExp, limitMs: number) {
  const started = performance.now();
  const child = execa(argv[0]!, argv.slice(1), { env, reject: false, cwd: ROOT_OF_REPO, stdin: 'ignore', buffer: false });
  let seen = '';
  let at: number | undefined;
  await new Promise<void>((resolve) => {
    const stop = setTimeout(resolve, limitMs + 3000);
    const onData = (d: Buffer) => {
      seen += d.toString('utf8');
      if (at === undefined && pattern.test(seen)) {
        at = performance.now() - started;
        clearTimeout(stop);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
  });
  child.kill('SIGTERM');
  await child;
  return { at, seen };
}

describe('progress on a cold compose', () => {
  it('a terminal sees a progress line within 2 s', async () => {
    const cache = await tempDir('kplay-progress-cache-');
    const out = await tempDir('kplay-progress-out-');
    const cmd = `${process.execPath} ${KPLAY_BIN} compose variants/playground.yml --out ${out}/pg --kernel-source ${LINUX_612_TARBALL}`;
    const r = await firstOutputWithin(
      ['script', '-qec', cmd, '/dev/null'],
      { ...process.env, KPLAY_CACHE_DIR: cache, TERM: 'xterm' },
      /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] (patches|Kconfig)/,
      2000,
    );
    expect(r.seen).toMatch(/\(\d+\.\d s\)/);
    expect(r.at).toBeLessThan(2000);
  });

  it('a log gets plain lines, no cursor movement', async () => {
    const cache = await tempDir('kplay-progress-cache-');
    const out = await tempDir('kplay-progress-out-');
    const r = await firstOutputWithin(
      [process.execPath, KPLAY_BIN, 'compose', 'variants/playground.yml', '--out', `${out}/pg`, '--kernel-source', LINUX_612_TARBALL],
      { ...process.env, KPLAY_CACHE_DIR: cache },
      /^kplay: (patches|Kconfig)[^\n]*…$/m,
      2000,
    );
    expect(r.at).toBeDefined();
    expect(r.seen).not.toContain('\u001b[');
  });
});
