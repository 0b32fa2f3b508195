import { Listr } from 'listr2';
import type { KojiTaskInfo } from './koji-task-info.js';
import { taskStateWord } from './koji-task-states.js';
import { taskLabel, type TaskSnapshot } from './watch-task.js';

/** Shows a watched task and its children as they change. */
export interface WatchReporter {
  update(snapshot: TaskSnapshot): void;
  /** A passing remark (a retry), shown without disturbing the task lines. */
  note(line: string): void;
  /** Stop showing; `ok` false marks the task as failed. */
  finish(ok: boolean, summary: string): Promise<void>;
}

export function describeTask(t: KojiTaskInfo): string {
  return `task ${t.id} ${taskLabel(t)}: ${taskStateWord(t.state)}`;
}

/** Plain lines, one per state change (for logs, pipes, CI). */
export function plainLineReporter(write: (line: string) => void, writeNote: (line: string) => void): WatchReporter {
  const seen = new Map<number, number>();
  const show = (t: KojiTaskInfo, indent: string) => {
    if (seen.get(t.id) === t.state) return;
    seen.set(t.id, t.state);
    write(`${indent}${describeTask(t)}`);
  };
  return {
    update(s) {
      show(s.root, '');
      for (const c of s.children) show(c, '  ');
    },
    note: writeNote,
    async finish() {
      /* every change was already printed */
    },
  };
}

interface ListrTaskHandle {
  title: string;
  output: string;
}

function childLines(s: TaskSnapshot | undefined): string {
  if (!s) return '';
  return s.children.length ? `\n${s.children.map((c) => `  ${describeTask(c)}`).join('\n')}` : '\n  waiting for child tasks';
}

/**
 * A listr2 task for the watched task; its title holds one line per child task (per arch), redrawn
 * in place at each poll.
 */
export function listrReporter(title: string): WatchReporter {
  let handle: ListrTaskHandle | undefined;
  let settle: ((r: { ok: boolean; summary: string }) => void) | undefined;
  const ended = new Promise<{ ok: boolean; summary: string }>((resolve) => (settle = resolve));
  let latest: TaskSnapshot | undefined;
  const render = (s: TaskSnapshot) => {
    latest = s;
    if (handle) handle.title = `${title}: ${taskStateWord(s.root.state)}${childLines(s)}`;
  };
  const list = new Listr(
    [
      {
        title,
        task: async (_ctx, task) => {
          handle = task;
          if (latest) render(latest);
          const r = await ended;
          task.title = `${r.summary}${childLines(latest)}`;
          if (!r.ok) throw new Error(r.summary);
        },
        rendererOptions: { outputBar: 1, persistentOutput: false },
      },
    ],
    { exitOnError: true, registerSignalListeners: false, rendererOptions: { collapseErrors: true, showErrorMessage: false } },
  );
  const running = list.run().catch(() => undefined);
  return {
    update: render,
    note(line) {
      if (handle) handle.output = line;
    },
    async finish(ok, summary) {
      settle?.({ ok, summary });
      await running;
    },
  };
}
