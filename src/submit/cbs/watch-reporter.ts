import { Listr } from 'listr2';
import type { KojiTaskInfo } from './koji-task-info.js';
import { taskStateWord } from './koji-task-states.js';
import { taskLabel, type TaskSnapshot } from './watch-task.js';

/** Shows a watched task and its children as they change. */
export interface WatchReporter {
  update(snapshot: TaskSnapshot): void;
  /** Stop showing; `ok` false marks the task as failed. */
  finish(ok: boolean, summary: string): Promise<void>;
}

export function describeTask(t: KojiTaskInfo): string {
  return `task ${t.id} ${taskLabel(t)}: ${taskStateWord(t.state)}`;
}

/** Plain lines, one per state change (for logs, pipes, CI). */
export function plainLineReporter(write: (line: string) => void): WatchReporter {
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
    async finish() {
      /* every change was already printed */
    },
  };
}

interface ListrTaskHandle {
  title: string;
  output: string;
}

/** A listr2 task for the watched task, its children per arch listed under it. */
export function listrReporter(title: string): WatchReporter {
  let handle: ListrTaskHandle | undefined;
  let settle: ((r: { ok: boolean; summary: string }) => void) | undefined;
  const ended = new Promise<{ ok: boolean; summary: string }>((resolve) => (settle = resolve));
  let pending: TaskSnapshot | undefined;
  const render = (s: TaskSnapshot) => {
    if (!handle) {
      pending = s;
      return;
    }
    handle.title = `${title}: ${taskStateWord(s.root.state)}`;
    handle.output = s.children.length ? s.children.map(describeTask).join('\n') : 'waiting for child tasks';
  };
  const list = new Listr(
    [
      {
        title,
        task: async (_ctx, task) => {
          handle = task as unknown as ListrTaskHandle;
          if (pending) render(pending);
          const r = await ended;
          task.title = r.summary;
          if (!r.ok) throw new Error(r.summary);
        },
        rendererOptions: { outputBar: Infinity, persistentOutput: true },
      },
    ],
    { exitOnError: true, registerSignalListeners: false, rendererOptions: { collapseErrors: false } },
  );
  const running = list.run().catch(() => undefined);
  return {
    update: render,
    async finish(ok, summary) {
      settle?.({ ok, summary });
      await running;
    },
  };
}
