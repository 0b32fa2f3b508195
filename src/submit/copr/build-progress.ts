import { Listr } from 'listr2';
import { isTerminalState, type BuildSnapshot, type ChrootStatus } from './build-state.js';

/** Shows a watched build's progress: one row per chroot on a terminal, plain lines otherwise. */
export interface BuildProgress {
  update(snapshot: BuildSnapshot): void;
  /** A note that is not a state change (a failed poll). */
  note(line: string): void;
  /** Stop rendering; called once, whatever the outcome. */
  finish(): Promise<void>;
}

function chrootLabel(c: ChrootStatus): string {
  return `${c.name}: ${c.state}${isTerminalState(c.state) && c.state !== 'succeeded' && c.resultUrl ? `  ${c.resultUrl}` : ''}`;
}

/** One line per change, for logs and pipes: `build 42: chroot fedora-rawhide-x86_64 pending -> running`. */
export class PlainBuildProgress implements BuildProgress {
  private buildState?: string;
  private readonly chroots = new Map<string, string>();

  constructor(private readonly write: (line: string) => void) {}

  update(s: BuildSnapshot): void {
    if (s.state !== this.buildState) {
      this.write(`build ${s.id}: ${this.buildState ? `${this.buildState} -> ` : ''}${s.state}`);
      this.buildState = s.state;
    }
    for (const c of s.chroots) {
      const before = this.chroots.get(c.name);
      if (before === c.state) continue;
      this.chroots.set(c.name, c.state);
      const url = isTerminalState(c.state) && c.resultUrl ? ` ${c.resultUrl}` : '';
      this.write(`build ${s.id}: chroot ${c.name} ${before ? `${before} -> ` : ''}${c.state}${url}`);
    }
  }

  note(line: string): void {
    this.write(line);
  }

  async finish(): Promise<void> {}
}

interface Row {
  status: ChrootStatus;
  settled: boolean;
  settle(error?: Error): void;
  promise: Promise<void>;
  setTitle?: (title: string) => void;
}

/** listr2 rows, one per chroot, each ending ✔ when it succeeded and ✖ (with its result URL) otherwise. */
export class ListrBuildProgress implements BuildProgress {
  private readonly rows = new Map<string, Row>();
  private running?: Promise<unknown>;
  private readonly fallback: PlainBuildProgress;

  constructor(write: (line: string) => void) {
    this.fallback = new PlainBuildProgress(write);
  }

  update(s: BuildSnapshot): void {
    if (!this.running && s.chroots.length > 0) this.start(s);
    for (const c of s.chroots) {
      const row = this.rows.get(c.name);
      if (!row) {
        this.fallback.update({ ...s, chroots: [c] }); // a chroot that appeared late: a plain line
        continue;
      }
      row.status = c;
      row.setTitle?.(chrootLabel(c));
      if (isTerminalState(c.state)) row.settle(c.state === 'succeeded' ? undefined : new Error(chrootLabel(c)));
    }
  }

  note(_line: string): void {
    // the rows keep their last state; poll faults are not worth breaking the display for
  }

  private start(s: BuildSnapshot): void {
    for (const c of s.chroots) {
      let settle!: (error?: Error) => void;
      const promise = new Promise<void>((resolve, reject) => {
        settle = (error) => {
          if (row.settled) return;
          row.settled = true;
          if (error) reject(error);
          else resolve();
        };
      });
      const row: Row = { status: c, settled: false, settle: (e) => settle(e), promise };
      this.rows.set(c.name, row);
    }
    const listr = new Listr(
      [...this.rows.values()].map((row) => ({
        title: chrootLabel(row.status),
        task: (_ctx: unknown, task: { title: string }) => {
          row.setTitle = (t) => {
            task.title = t;
          };
          row.setTitle(chrootLabel(row.status));
          return row.promise;
        },
      })),
      { concurrent: true, exitOnError: false, rendererOptions: { collapseErrors: true } },
    );
    this.running = listr.run().catch(() => undefined);
  }

  async finish(): Promise<void> {
    for (const row of this.rows.values())
      row.settle(isTerminalState(row.status.state) && row.status.state !== 'succeeded' ? new Error(chrootLabel(row.status)) : undefined);
    await this.running;
  }
}
