import { open, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../findings/finding.js';
import { processAlive } from '../fs/cleanup-on-signal.js';

export const OUTPUT_LOCK = '.kplay-lock';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Take the output folder's lock (a file created exclusively, holding the pid): concurrent runs on
 * one output wait for each other; a lock left by a killed run (its pid is gone) is taken over.
 * After `timeoutMs` (KPLAY_LOCK_TIMEOUT_MS, default 120 s) the run fails with E_OUT_LOCKED.
 */
export async function lockOutput(outDir: string, timeoutMs = Number(process.env.KPLAY_LOCK_TIMEOUT_MS ?? 120_000)): Promise<() => Promise<void>> {
  const lock = path.join(outDir, OUTPUT_LOCK);
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      const fh = await open(lock, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      return async () => {
        await rm(lock, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
    // no pid after a few seconds: its run was killed between creating and writing the lock
    const unnamed = !holder && Date.now() - ((await stat(lock).catch(() => undefined))?.mtimeMs ?? Date.now()) > 5000;
    if ((holder && !processAlive(holder)) || unnamed) {
      // stale: its run was killed; remove it only if it still names that pid
      const again = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
      if (again === holder) await rm(lock, { force: true });
      continue;
    }
    if (Date.now() - started > timeoutMs) {
      throw new UsageError(`output ${outDir} is locked`, [
        { code: 'E_OUT_LOCKED', severity: 'error', message: `another kplay run (pid ${holder || 'unknown'}) is writing ${outDir}; waited ${Math.round(timeoutMs / 1000)} s`, hint: `wait for it to finish, or remove ${lock} if no kplay is running` },
      ]);
    }
    await sleep(Math.min(20 + attempt * 10, 200));
  }
}
