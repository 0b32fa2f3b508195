import { startStep } from './progress.js';

const mb = (n: number) => Math.round(n / 1048576);

/**
 * A step that counts bytes (a tarball being decompressed): its line shows how much went through
 * and the rate, redrawn at most four times a second, and the closing line the total and the rate.
 */
export function byteProgress(title: string): { add(bytes: number): void; done(): void; fail(): void } {
  const step = startStep(title);
  const started = performance.now();
  let bytes = 0;
  let shown = 0;
  const seconds = () => Math.max((performance.now() - started) / 1000, 0.001);
  const rate = () => `${mb(bytes)} MB, ${Math.round(bytes / 1048576 / seconds())} MB/s`;
  return {
    add(n) {
      bytes += n;
      if (performance.now() - shown < 250) return;
      shown = performance.now();
      step.update(rate());
    },
    done: () => step.done(`${title}: ${rate()}`),
    fail: () => step.fail(),
  };
}
