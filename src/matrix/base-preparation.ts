import { loadKconfigTree } from '../kconfig/index.js';
import type { RpmArch } from '../model/arch.js';
import type { ResolvedBase } from '../releases/resolve-base.js';

/**
 * Per-base work shared by every cell of a column: the tarball's Kconfig subset is extracted once
 * and each arch's Kconfig tree is parsed once (loadKconfigTree keeps parsed trees for the life of
 * the process), before the first cell of the base runs. Cells of the same base wait for it.
 */
export class BasePreparation {
  private readonly pending = new Map<string, Promise<number>>();
  readonly millis: Record<string, number> = {};

  constructor(private readonly archesOf: (base: ResolvedBase) => RpmArch[]) {}

  /** Resolves when the base is ready; a failure is left for the cells to report (they hit it again). */
  ready(base: ResolvedBase): Promise<number> {
    let p = this.pending.get(base.spec);
    if (!p) {
      p = this.prepare(base);
      this.pending.set(base.spec, p);
    }
    return p;
  }

  private async prepare(base: ResolvedBase): Promise<number> {
    const start = performance.now();
    // distribution columns check kmod / overlay variants (their own trees); failed columns have nothing
    if (base.kind === 'distribution' || base.error) return 0;
    for (const arch of this.archesOf(base)) {
      try {
        await loadKconfigTree({ source: base.kernelSource, arch });
      } catch {
        break; // the cells report the unreadable source with their own findings
      }
    }
    const ms = performance.now() - start;
    this.millis[base.spec] = Math.round(ms);
    return ms;
  }
}
