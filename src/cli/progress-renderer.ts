import type { ProgressSink, ProgressStep } from '../progress/progress.js';

/**
 * How progress reaches a person. On a terminal: one status line (spinner, the innermost running
 * step, its detail and time) redrawn in place, and a ✔/✖ line for every step that took long
 * enough to be worth remembering. Elsewhere (CI logs, pipes): plain lines, and only for steps
 * that last — a step announces itself once it has run for `plainAfterMs`, so quick runs print
 * nothing new and a slow one is never silent for long.
 *
 * listr2 is kept for the commands whose tasks are known up front (matrix cells, Copr chroots);
 * these steps are discovered while the pipeline runs, which listr2's task lists do not model.
 */
export interface RendererOptions {
  stream: NodeJS.WriteStream | { write(s: string): boolean; isTTY?: boolean };
  terminal: boolean;
  /** plain mode: announce a step once it has run this long (default 1000 ms) */
  plainAfterMs?: number;
  /** terminal mode: keep a closing line for steps that took at least this long (default 500 ms) */
  keepAfterMs?: number;
  now?: () => number;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

interface Running {
  title: string;
  detail: string;
  started: number;
  announced: boolean;
  timer?: NodeJS.Timeout;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Control characters from a title or detail (file names, server messages) never reach the terminal raw. */
function printable(s: string): string {
  // eslint-disable-next-line no-control-regex -- the point is to find control characters
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export function createProgressRenderer(opts: RendererOptions): ProgressSink & { stop(): void } {
  const now = opts.now ?? (() => performance.now());
  const stack: Running[] = [];
  let frame = 0;
  let ticker: NodeJS.Timeout | undefined;
  let drawn = false;

  const clear = () => {
    if (drawn) opts.stream.write('\r\u001b[K');
    drawn = false;
  };
  const draw = () => {
    const top = stack[stack.length - 1];
    clear();
    if (!top) return;
    frame = (frame + 1) % FRAMES.length;
    const detail = top.detail ? ` — ${top.detail}` : '';
    const cols = (opts.stream as NodeJS.WriteStream).columns ?? 100;
    // the time is what tells a person it is alive: the title is cut, never the time
    const time = ` (${seconds(now() - top.started)})`;
    const head = `${FRAMES[frame]} ${printable(top.title)}${printable(detail)}`;
    const room = Math.max(10, cols - 1 - time.length);
    opts.stream.write(`${head.length > room ? `${head.slice(0, room - 1)}…` : head}${time}`);
    drawn = true;
  };
  const ensureTicker = () => {
    if (ticker || !opts.terminal) return;
    ticker = setInterval(draw, 100);
    ticker.unref();
  };
  const stopTickerIfIdle = () => {
    if (stack.length === 0 && ticker) {
      clearInterval(ticker);
      ticker = undefined;
      clear();
    }
  };

  const close = (r: Running, ok: boolean, summary?: string) => {
    const i = stack.indexOf(r);
    if (i < 0) return;
    stack.splice(i, 1);
    if (r.timer) clearTimeout(r.timer);
    const took = now() - r.started;
    const text = printable(summary ?? r.title);
    if (opts.terminal) {
      clear();
      if (took >= (opts.keepAfterMs ?? 500) || !ok) opts.stream.write(`${ok ? '✔' : '✖'} ${text} (${seconds(took)})\n`);
      if (stack.length) draw();
      stopTickerIfIdle();
    } else if (r.announced) {
      opts.stream.write(`kplay: ${ok ? 'done' : 'failed'}: ${text} (${seconds(took)})\n`);
    }
  };

  return {
    start(title: string): ProgressStep {
      const r: Running = { title, detail: '', started: now(), announced: false };
      stack.push(r);
      if (opts.terminal) {
        ensureTicker();
        draw();
      } else {
        r.timer = setTimeout(() => {
          r.announced = true;
          opts.stream.write(`kplay: ${printable(r.title)}${r.detail ? ` (${printable(r.detail)})` : ''}…\n`);
        }, opts.plainAfterMs ?? 1000);
        r.timer.unref();
      }
      return {
        update(detail: string) {
          r.detail = detail;
        },
        done: (summary?: string) => close(r, true, summary),
        fail: (summary?: string) => close(r, false, summary),
      };
    },
    stop() {
      for (const r of [...stack]) close(r, false);
      if (ticker) clearInterval(ticker);
      ticker = undefined;
      clear();
    },
  };
}
