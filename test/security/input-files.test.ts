/**
 * Every input file of `kplay kabi` goes through the one reader (src/model/read-input-file.ts):
 * a FIFO, a device, a folder or an oversize file is one located E_INPUT_KIND and exit 2, never a
 * hang or exit 3 (issue 24). ~6 s (one CLI run per case; each would hang or crash before).
 */
import { execa } from 'execa';
import { mkdir, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp-dir.js';
import { runKplay } from './support/hostile-repo.js';

const SYMVERS = '0x12345678\tprintk\tvmlinux\tEXPORT_SYMBOL\t\n';

async function work() {
  const dir = await tempDir('kplay-inputs-');
  await writeFile(path.join(dir, 'Module.symvers'), SYMVERS);
  await writeFile(path.join(dir, 'm.ko'), 'not really a module');
  await execa('mkfifo', [path.join(dir, 'fifo')]);
  await mkdir(path.join(dir, 'folder'));
  await writeFile(path.join(dir, 'huge'), '');
  await truncate(path.join(dir, 'huge'), 600 * 1024 * 1024); // sparse: no disk used
  return dir;
}

describe('kplay kabi refuses inputs that are not regular files (E_INPUT_KIND, exit 2, no hang)', () => {
  const cases: Array<[string, (d: string) => string[], RegExp]> = [
    [
      '--symvers FIFO',
      (d) => ['m.ko', '--symvers', path.join(d, 'fifo')],
      /--symvers .*fifo is not a regular file \(a FIFO, socket or device\)/,
    ],
    ['--symvers folder', (d) => ['m.ko', '--symvers', path.join(d, 'folder')], /--symvers .*folder is a folder without Module\.symvers/],
    ['--symvers /dev/zero', () => ['m.ko', '--symvers', '/dev/zero'], /--symvers \/dev\/zero is not a regular file/],
    ['--symvers of 600 MB', (d) => ['m.ko', '--symvers', path.join(d, 'huge')], /--symvers .*huge is larger than 64 MiB/],
    [
      '--stablelist FIFO',
      (d) => ['m.ko', '--symvers', 'Module.symvers', '--stablelist', path.join(d, 'fifo')],
      /--stablelist .*fifo is not a regular file/,
    ],
    ['a module that is a FIFO', (d) => [path.join(d, 'fifo'), '--symvers', 'Module.symvers'], /module .*fifo is not a regular file/],
    [
      'a module that is a folder',
      (d) => [path.join(d, 'folder'), '--symvers', 'Module.symvers'],
      /module .*folder is a folder, not a file/,
    ],
  ];
  it.each(cases)('%s', async (_name, args, message) => {
    const d = await work();
    const r = await runKplay(['kabi', ...args(d)], { cwd: d, timeout: 20_000 });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/error E_INPUT_KIND: /);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/internal error/);
  });
});
