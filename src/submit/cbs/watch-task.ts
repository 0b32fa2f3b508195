import { withoutCredentials } from '../../net/capped-request.js';
import { faultSummary, KojiFault } from '../../xmlrpc/koji-faults.js';
import type { KojiHub } from './koji-hub.js';
import type { KojiTaskInfo } from './koji-task-info.js';
import { isTaskFinished, KOJI_TASK_STATES } from './koji-task-states.js';
import { taskLogUrl } from './task-urls.js';
import { HubUnreachableError } from '../../xmlrpc/xmlrpc-client.js';

export interface TaskSnapshot {
  root: KojiTaskInfo;
  /** Direct children (buildArch per arch, rebuildSRPM, tagBuild ...), by id. */
  children: KojiTaskInfo[];
}

export interface TaskFailure {
  task: KojiTaskInfo;
  /** The fault text getTaskResult answered with (first meaningful line). */
  reason: string;
  logUrl: string;
}

export type WatchOutcome = 'succeeded' | 'failed' | 'canceled' | 'running';

export interface WatchResult {
  outcome: WatchOutcome;
  snapshot: TaskSnapshot;
  failures: TaskFailure[];
  polls: number;
}

export interface WatchOptions {
  hub: KojiHub;
  taskId: number;
  weburl: string;
  topurl?: string;
  pollIntervalMs: number;
  /** Upper bound on polls; the result is `running` when it is reached. */
  maxPolls: number;
  sleep?: (ms: number) => Promise<void>;
  onSnapshot?: (s: TaskSnapshot) => void;
}

/** The hub does not know the task id. */
export class TaskNotFoundError extends Error {
  constructor(
    readonly taskId: number,
    readonly hubUrl: string,
  ) {
    super(`the hub ${withoutCredentials(hubUrl)} has no task ${taskId}`);
    this.name = 'TaskNotFoundError';
  }
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What a person calls a task: `buildArch x86_64`, `rebuildSRPM`, `build`. */
export function taskLabel(t: KojiTaskInfo): string {
  return t.arch && t.arch !== 'noarch' ? `${t.method} ${t.arch}` : t.method;
}

async function explainFailure(hub: KojiHub, task: KojiTaskInfo, weburl: string, topurl?: string): Promise<TaskFailure> {
  let reason = 'the hub gave no reason';
  try {
    await hub.getTaskResult(task.id);
  } catch (err) {
    if (err instanceof KojiFault) reason = faultSummary(err.faultString) || err.kind.name;
    else if (err instanceof HubUnreachableError) reason = `the reason could not be fetched: ${err.reason}`;
    else throw err;
  }
  return { task, reason, logUrl: taskLogUrl(topurl, weburl, task.id, task.method) };
}

/** One look at the task and its children. */
export async function snapshotTask(hub: KojiHub, taskId: number): Promise<TaskSnapshot> {
  const root = await hub.getTaskInfo(taskId);
  if (!root) throw new TaskNotFoundError(taskId, hub.url);
  const children = (await hub.getTaskChildren(taskId)).sort((a, b) => a.id - b.id);
  return { root, children };
}

/**
 * Poll a task until it ends (or `maxPolls` is reached), reporting each snapshot. A failed task
 * is explained by the faults of its failed children (or its own when no child failed).
 */
export async function watchTask(opts: WatchOptions): Promise<WatchResult> {
  const sleep = opts.sleep ?? sleepFor;
  const maxPolls = Math.max(1, opts.maxPolls);
  let snapshot: TaskSnapshot | undefined;
  let polls = 0;
  while (polls < maxPolls) {
    polls++;
    snapshot = await snapshotTask(opts.hub, opts.taskId);
    opts.onSnapshot?.(snapshot);
    if (isTaskFinished(snapshot.root.state)) break;
    if (polls < maxPolls) await sleep(opts.pollIntervalMs);
  }
  const snap = snapshot!;
  const state = snap.root.state;
  if (!isTaskFinished(state)) return { outcome: 'running', snapshot: snap, failures: [], polls };
  if (state === KOJI_TASK_STATES.CLOSED) return { outcome: 'succeeded', snapshot: snap, failures: [], polls };
  const failedChildren = snap.children.filter((c) => c.state === KOJI_TASK_STATES.FAILED);
  const failures: TaskFailure[] = [];
  if (state === KOJI_TASK_STATES.FAILED) {
    for (const t of failedChildren.length ? failedChildren : [snap.root]) {
      failures.push(await explainFailure(opts.hub, t, opts.weburl, opts.topurl));
    }
  }
  return { outcome: state === KOJI_TASK_STATES.CANCELED ? 'canceled' : 'failed', snapshot: snap, failures, polls };
}
