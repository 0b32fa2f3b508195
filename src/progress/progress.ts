/**
 * Progress of long steps, as events: the pipeline says what it starts, how far it got and when it
 * ended; it never prints. The CLI installs a sink (src/cli/progress-renderer.ts) that draws a
 * line on a terminal, writes plain lines otherwise, or stays silent with --quiet; with no sink
 * installed (library use, unit tests) steps cost nothing.
 */

export interface ProgressStep {
  /** what the step is doing now, e.g. '412 MB of 1.4 GB, 180 MB/s' */
  update(detail: string): void;
  /** the step ended; `summary` replaces the title in the closing line */
  done(summary?: string): void;
  /** the step ended without its result (the finding says why; this only closes the line) */
  fail(summary?: string): void;
}

export interface ProgressSink {
  start(title: string): ProgressStep;
}

const NO_STEP: ProgressStep = { update() {}, done() {}, fail() {} };
const SILENT: ProgressSink = { start: () => NO_STEP };

let sink: ProgressSink = SILENT;

/** Install the sink for this process (the CLI does, once); returns the previous one. */
export function setProgressSink(next: ProgressSink | undefined): ProgressSink {
  const previous = sink;
  sink = next ?? SILENT;
  return previous;
}

export function startStep(title: string): ProgressStep {
  return sink.start(title);
}

/** Run `body` as one step: closed as done when it returns, as failed when it throws. */
export async function withStep<T>(title: string, body: (step: ProgressStep) => Promise<T>, summary?: (value: T) => string): Promise<T> {
  const step = sink.start(title);
  try {
    const value = await body(step);
    step.done(summary?.(value));
    return value;
  } catch (err) {
    step.fail();
    throw err;
  }
}
