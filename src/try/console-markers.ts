import { MARKER } from './init-script.js';

/** What the guest's /init reported on the serial console. */
export interface ConsoleResult {
  /** /init started (the kernel booted and unpacked the initramfs). */
  booted: boolean;
  kernelRelease?: string;
  /** /init reached its end. */
  done: boolean;
  modules: Array<{ feature: number; module: string; rc: number | undefined; output: string[] }>;
  tests: Array<{ feature: number; line: number; rc: number | undefined; output: string[] }>;
}

const MARK = new RegExp(`${MARKER.replace(/[@]/g, '\\$&')} (.*)$`);

/**
 * Read the console: marker lines (anywhere in a line: a kernel message may have started it),
 * and the output between a step's `start` and `rc` markers. A step with `start` and no `rc`
 * (the guest stopped in it) has rc undefined.
 */
export function parseConsole(text: string): ConsoleResult {
  const r: ConsoleResult = { booted: false, done: false, modules: [], tests: [] };
  let open: { output: string[] } | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\r/g, '');
    const m = MARK.exec(line);
    if (!m) {
      if (open) open.output.push(line);
      continue;
    }
    const w = m[1]!.trim().split(/\s+/);
    if (w[0] === 'boot') {
      r.booted = true;
      if (w[1]) r.kernelRelease = w[1];
    } else if (w[0] === 'done') {
      r.done = true;
      open = undefined;
    } else if (w[0] === 'module' && w.length >= 4) {
      const feature = Number(w[1]);
      const module = w[2]!;
      if (w[3] === 'start') {
        const step = { feature, module, rc: undefined as number | undefined, output: [] as string[] };
        r.modules.push(step);
        open = step;
      } else if (w[3] === 'rc') {
        const step = [...r.modules].reverse().find((s) => s.feature === feature && s.module === module);
        if (step) step.rc = Number(w[4]);
        open = undefined;
      }
    } else if (w[0] === 'test' && w.length >= 4) {
      const feature = Number(w[1]);
      const lineNo = Number(w[2]);
      if (w[3] === 'start') {
        const step = { feature, line: lineNo, rc: undefined as number | undefined, output: [] as string[] };
        r.tests.push(step);
        open = step;
      } else if (w[3] === 'rc') {
        const step = [...r.tests].reverse().find((s) => s.feature === feature && s.line === lineNo);
        if (step) step.rc = Number(w[4]);
        open = undefined;
      }
    }
  }
  return r;
}

/** The last `n` lines of a console log (for E_TRY_BOOT). */
export function consoleTail(text: string, n = 25): string {
  const lines = text.replace(/\r/g, '').split('\n');
  while (lines.length && !lines.at(-1)!.trim()) lines.pop();
  return lines.slice(-n).join('\n');
}
