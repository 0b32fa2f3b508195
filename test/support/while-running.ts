/**
 * Wait until `ready()` holds (checked every 10 ms) while `run`, a process or kplay started in the
 * background, is still going; false when it ended first. No time limit of its own: the test's
 * timeout bounds it, so a program that starts slowly on a loaded machine is waited for, not failed.
 */
export async function whileRunning(run: Promise<unknown>, ready: () => boolean | Promise<boolean>): Promise<boolean> {
  let ended = false;
  void run.then(
    () => (ended = true),
    () => (ended = true),
  );
  while (!(await ready())) {
    if (ended) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}
