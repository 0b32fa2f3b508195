/**
 * Synchronous clean-ups (temporary folders, locks) that must run when the process is stopped by
 * SIGINT or SIGTERM. Handlers are installed only while at least one clean-up is registered, so
 * the default behaviour of a signal is unchanged the rest of the time.
 */
const cleanups = new Set<() => void>();
const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;

function onSignal(signal: NodeJS.Signals): void {
  for (const c of [...cleanups]) {
    try {
      c();
    } catch {
      /* best effort: the next run cleans what is left */
    }
  }
  cleanups.clear();
  process.exit(128 + (SIGNALS[signal as keyof typeof SIGNALS] ?? 15));
}

/** Run `cleanup` if a signal stops the process; the returned function unregisters it. */
export function cleanupOnSignal(cleanup: () => void): () => void {
  if (cleanups.size === 0) for (const s of Object.keys(SIGNALS)) process.on(s, onSignal);
  cleanups.add(cleanup);
  return () => {
    if (!cleanups.delete(cleanup)) return;
    if (cleanups.size === 0) for (const s of Object.keys(SIGNALS)) process.off(s, onSignal);
  };
}

/** True while the process `pid` exists (a lock or scratch folder of a live run). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
