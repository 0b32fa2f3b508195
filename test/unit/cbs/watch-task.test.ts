import { describe, expect, it } from 'vitest';
import { KojiFault } from '../../../src/xmlrpc/koji-faults.js';
import type { KojiHub } from '../../../src/submit/cbs/koji-hub.js';
import type { KojiTaskInfo } from '../../../src/submit/cbs/koji-task-info.js';
import { plainLineReporter } from '../../../src/submit/cbs/watch-reporter.js';
import { TaskNotFoundError, watchTask } from '../../../src/submit/cbs/watch-task.js';

/** An in-memory hub whose tasks follow a list of snapshots, one per getTaskInfo call. */
function scriptedHub(
  frames: Array<{ root: number; children: Array<[number, string, string, number]> }>,
  faults: Record<number, string> = {},
): KojiHub & { polls: number } {
  const hub = {
    url: 'http://hub.test/kojihub',
    polls: 0,
    getTaskInfo(id: number): Promise<KojiTaskInfo | undefined> {
      if (id !== 100) return Promise.resolve(undefined);
      const f = frames[Math.min(hub.polls, frames.length - 1)]!;
      hub.polls++;
      return Promise.resolve({ id, state: f.root, method: 'build', arch: 'noarch' });
    },
    getTaskChildren() {
      const f = frames[Math.min(hub.polls - 1, frames.length - 1)]!;
      return Promise.resolve(f.children.map(([id, method, arch, state]) => ({ id, method, arch, state, parent: 100 })));
    },
    getTaskResult(id: number) {
      if (faults[id]) return Promise.reject(new KojiFault('getTaskResult', 1005, faults[id]));
      return Promise.resolve({});
    },
    getBuild() {
      return Promise.resolve(undefined);
    },
    buildsOfTask() {
      return Promise.resolve([]);
    },
    targetDist() {
      return Promise.resolve(undefined);
    },
  };
  return hub;
}

const noSleep = async () => {};

describe('watching a task', () => {
  it('follows the task until it closes and reports each change once', async () => {
    const hub = scriptedHub([
      { root: 0, children: [] },
      {
        root: 1,
        children: [
          [101, 'buildArch', 'x86_64', 1],
          [102, 'buildArch', 'aarch64', 0],
        ],
      },
      {
        root: 1,
        children: [
          [101, 'buildArch', 'x86_64', 1],
          [102, 'buildArch', 'aarch64', 1],
        ],
      },
      {
        root: 2,
        children: [
          [101, 'buildArch', 'x86_64', 2],
          [102, 'buildArch', 'aarch64', 2],
        ],
      },
    ]);
    const lines: string[] = [];
    const reporter = plainLineReporter(
      (l) => lines.push(l),
      () => {},
    );
    const r = await watchTask({
      hub,
      taskId: 100,
      weburl: 'https://w',
      topurl: 'https://t',
      pollIntervalMs: 1,
      maxPolls: 50,
      sleep: noSleep,
      onSnapshot: (s) => reporter.update(s),
    });
    expect(r.outcome).toBe('succeeded');
    expect(r.polls).toBe(4);
    expect(lines).toEqual([
      'task 100 build: waiting',
      'task 100 build: running',
      '  task 101 buildArch x86_64: running',
      '  task 102 buildArch aarch64: waiting',
      '  task 102 buildArch aarch64: running',
      'task 100 build: succeeded',
      '  task 101 buildArch x86_64: succeeded',
      '  task 102 buildArch aarch64: succeeded',
    ]);
  });

  it('explains a failure by the failed child: its arch, fault and build.log', async () => {
    const hub = scriptedHub(
      [
        {
          root: 1,
          children: [
            [101, 'buildArch', 'x86_64', 1],
            [102, 'buildArch', 'aarch64', 1],
          ],
        },
        {
          root: 5,
          children: [
            [101, 'buildArch', 'x86_64', 3],
            [102, 'buildArch', 'aarch64', 5],
          ],
        },
      ],
      { 102: 'error building package (arch aarch64), mock exited with status 1; see build.log for more information' },
    );
    const r = await watchTask({
      hub,
      taskId: 100,
      weburl: 'https://w',
      topurl: 'https://t',
      pollIntervalMs: 1,
      maxPolls: 50,
      sleep: noSleep,
    });
    expect(r.outcome).toBe('failed');
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]!.task.arch).toBe('aarch64');
    expect(r.failures[0]!.reason).toMatch(/mock exited with status 1/);
    expect(r.failures[0]!.logUrl).toBe('https://t/work/tasks/102/102/build.log');
  });

  it('stops at maxPolls with the task still running', async () => {
    const hub = scriptedHub([{ root: 1, children: [] }]);
    const r = await watchTask({ hub, taskId: 100, weburl: 'https://w', pollIntervalMs: 1, maxPolls: 3, sleep: noSleep });
    expect(r.outcome).toBe('running');
    expect(hub.polls).toBe(3);
  });

  it('says when the hub has no such task', async () => {
    const hub = scriptedHub([{ root: 1, children: [] }]);
    await expect(watchTask({ hub, taskId: 7, weburl: 'https://w', pollIntervalMs: 1, maxPolls: 3, sleep: noSleep })).rejects.toBeInstanceOf(
      TaskNotFoundError,
    );
  });
});
