import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ShellRunner } from './macro-preprocessor.js';

/** Post-process command output as the reference tool does: 4095 bytes, no trailing newlines, newlines → spaces. */
export function normalizeShellOutput(stdout: Buffer): string {
  let buf = stdout.length >= 4096 ? stdout.subarray(0, 4095) : stdout;
  let n = buf.length;
  while (n > 0 && buf[n - 1] === 0x0a) n--;
  buf = buf.subarray(0, n);
  return buf.toString('latin1').replace(/\n/g, ' ');
}

/** Where kplay keeps caches: $KPLAY_CACHE_DIR, else $XDG_CACHE_HOME/kplay, else ~/.cache/kplay. */
export function defaultCacheDir(): string {
  if (process.env.KPLAY_CACHE_DIR) return process.env.KPLAY_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'kplay');
}

/** Resolve a command name on PATH (no process spawned). */
function whichSync(cmd: string, envPath: string): string | undefined {
  if (cmd.includes('/')) return cmd;
  for (const dir of envPath.split(':')) {
    if (!dir) continue;
    const p = path.join(dir, cmd);
    try {
      const st = statSync(p);
      if (st.isFile()) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * A fingerprint of the toolchain the macros probe: the variables passed to them plus size and
 * modification time of each tool binary found on PATH. Same fingerprint → same answers.
 */
export function toolchainIdentity(env: Readonly<Record<string, string>>, tools: readonly string[]): string {
  const h = createHash('sha256');
  for (const k of Object.keys(env).sort()) h.update(`${k}=${env[k]}\n`);
  const envPath = env.PATH ?? process.env.PATH ?? '';
  for (const t of tools) {
    const first = (env[t] ?? '').split(/\s+/)[0] ?? '';
    if (!first) continue;
    const found = whichSync(first, envPath);
    let stamp = 'missing';
    if (found) {
      try {
        const st = statSync(found);
        stamp = `${found}:${st.size}:${st.mtimeMs}`;
      } catch {
        // keep missing
      }
    }
    h.update(`${t}:${stamp}\n`);
  }
  return h.digest('hex').slice(0, 32);
}

/** A macro's command could not be run at all (not: it ran and failed, which is a result). */
export class ShellCommandError extends Error {}

/** Background commands at once (prefetch): enough to keep a few cores busy with compiler probes. */
const PARALLEL = Math.min(16, Math.max(2, os.availableParallelism() * 2));

/**
 * `$(shell,...)` through /bin/sh, memoised per toolchain in a JSON file so a second resolve with
 * the same toolchain spawns nothing. `spawned` counts real executions.
 */
export class MemoisedShell implements ShellRunner {
  private readonly results: Record<string, string>;
  private dirty = false;
  private workDir: string | undefined;
  spawned = 0;
  /** Every command asked for (memoised or run) with its output: what this tree's parse issued. */
  readonly issued = new Map<string, string>();

  private env: Readonly<Record<string, string>> = {};

  constructor(private readonly cacheFile: string | undefined) {
    this.results = {};
    if (cacheFile) {
      try {
        Object.assign(this.results, JSON.parse(readFileSync(cacheFile, 'utf8')) as Record<string, string>);
      } catch {
        // no cache yet
      }
    }
  }

  /** Variables (CC, srctree, ...) the commands see on top of the process environment. */
  useEnv(env: Readonly<Record<string, string>>): void {
    this.env = env;
  }

  /**
   * The cache key of a command. The tree's path is not part of the toolchain identity: commands
   * that depend on it name it in their text (`$(srctree)/scripts/...` is expanded before they
   * run); the few that read `$srctree` from the environment are keyed with its value.
   */
  private key(command: string): string {
    return /\$\{?srctree\b/.test(command) ? `${this.env.srctree ?? ''}\u0000${command}` : command;
  }

  run(command: string): string {
    const key = this.key(command);
    const hit = this.results[key];
    if (hit !== undefined) {
      this.issued.set(command, hit);
      return hit;
    }
    this.workDir ??= mkdtempSync(path.join(os.tmpdir(), 'kplay-kconfig-'));
    let r: ReturnType<typeof spawnSync>;
    try {
      r = spawnSync('/bin/sh', ['-c', command], {
        cwd: this.workDir,
        env: { ...process.env, ...this.env },
        stdio: ['ignore', 'pipe', 'ignore'],
        maxBuffer: 100 * 1024 * 1024,
      });
    } catch (err) {
      throw new ShellCommandError(`cannot run the command: ${(err as Error).message.split('\n')[0]}`);
    }
    this.spawned++;
    if (r.error) throw new ShellCommandError(`cannot run the command: ${r.error.message}`);
    const out = normalizeShellOutput((r.stdout as Buffer | null) ?? Buffer.alloc(0));
    if (process.env.KPLAY_DEBUG_SHELL) process.stderr.write(`shell: ${command} => ${JSON.stringify(out)}\n`);
    this.results[key] = out;
    this.issued.set(command, out);
    this.dirty = true;
    return out;
  }

  /** How many results are memoised. */
  get size(): number {
    return Object.keys(this.results).length;
  }

  /** The memoised result of a command, without running anything. */
  peek(command: string): string | undefined {
    return this.results[this.key(command)];
  }

  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly idleSlots: string[] = [];
  private slotCount = 0;
  private running = 0;
  private settled: Array<() => void> = [];

  /**
   * Run a command in the background; its result is memoised when it ends (see settle). At most
   * PARALLEL run at once, each in its own scratch folder, as `make -j` would run probes.
   */
  prefetch(command: string): void {
    const key = this.key(command);
    if (this.results[key] !== undefined || this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(command);
    this.pump();
  }

  /** Resolves when every prefetched command has ended. */
  settle(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.settled.push(resolve));
  }

  private pump(): void {
    while (this.running < PARALLEL && this.queue.length) {
      const command = this.queue.shift()!;
      this.workDir ??= mkdtempSync(path.join(os.tmpdir(), 'kplay-kconfig-'));
      let slot = this.idleSlots.pop();
      if (!slot) {
        slot = path.join(this.workDir, `p${this.slotCount++}`);
        mkdirSync(slot);
      }
      const cwd = slot;
      this.running++;
      this.spawned++;
      const out: Buffer[] = [];
      let ended = false;
      // a command that could not be started, or did not end normally, is left to the real parse
      // to run (and report): only a normal exit is memoised
      const finish = (exitCode: number | null): void => {
        if (ended) return;
        ended = true;
        this.running--;
        this.idleSlots.push(cwd);
        if (exitCode !== null && this.results[this.key(command)] === undefined) {
          this.results[this.key(command)] = normalizeShellOutput(Buffer.concat(out));
          this.dirty = true;
        }
        this.pump();
        if (this.running === 0 && this.queue.length === 0) for (const done of this.settled.splice(0)) done();
      };
      try {
        const child = spawn('/bin/sh', ['-c', command], { cwd, env: { ...process.env, ...this.env }, stdio: ['ignore', 'pipe', 'ignore'] });
        child.stdout.on('data', (b: Buffer) => out.push(b));
        child.on('error', () => finish(null));
        child.on('close', (code) => finish(code));
      } catch {
        // e.g. a NUL byte in the command: spawn refuses it at once
        queueMicrotask(() => finish(null));
      }
    }
  }

  /** Persist new results (atomically) and remove the scratch folder. */
  save(): void {
    if (this.workDir) {
      rmSync(this.workDir, { recursive: true, force: true });
      this.workDir = undefined;
    }
    if (!this.dirty || !this.cacheFile) return;
    mkdirSync(path.dirname(this.cacheFile), { recursive: true });
    const tmp = `${this.cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.results, null, 1));
    renameSync(tmp, this.cacheFile);
    this.dirty = false;
  }
}
