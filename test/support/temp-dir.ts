import { mkdtempSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

/**
 * Temp folders of one test file: `<os.tmpdir()>/<prefix>XXXXXX`, removed when the file's tests
 * end (an afterAll this module registers on the file that imports it, as
 * test/support/koji/cbs-sandbox.ts does). Use these instead of a bare mkdtemp, so nothing is
 * left for the run's teardown to report (test/support/global-setup.ts).
 */
const made: string[] = [];
afterAll(async () => {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A fresh folder under os.tmpdir(), removed after the test file. */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** tempDir for module-level and synchronous code. */
export function tempDirSync(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}
