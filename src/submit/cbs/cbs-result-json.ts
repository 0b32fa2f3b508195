import type { CbsTaskRecord } from './cbs-task-record.js';
import { taskStateWord } from './koji-task-states.js';
import type { KojiProfile } from './read-koji-config.js';
import { taskInfoUrl, taskLogUrl } from './task-urls.js';
import type { WatchResult } from './watch-task.js';

/** What `kplay submit --cbs --json` prints on stdout. */
export interface CbsResultJson {
  service: 'cbs';
  taskId: number;
  target: string;
  profile: string;
  scratch: boolean;
  taskUrl: string;
  /** `submitted` when not watched, else the state word of the task. */
  state: string;
  children: Array<{ id: number; method: string; arch: string; state: string; logUrl: string }>;
  failures: Array<{ id: number; arch: string; reason: string; logUrl: string }>;
}

export function cbsResultJson(record: CbsTaskRecord, profile: KojiProfile, result?: WatchResult): CbsResultJson {
  return {
    service: 'cbs',
    taskId: record.taskId,
    target: record.target,
    profile: record.profile,
    scratch: record.scratch,
    taskUrl: taskInfoUrl(profile.weburl, record.taskId),
    state: result ? taskStateWord(result.snapshot.root.state) : 'submitted',
    children: (result?.snapshot.children ?? []).map((c) => ({
      id: c.id,
      method: c.method,
      arch: c.arch,
      state: taskStateWord(c.state),
      logUrl: taskLogUrl(profile.topurl, profile.weburl, c.id, c.method),
    })),
    failures: (result?.failures ?? []).map((f) => ({ id: f.task.id, arch: f.task.arch, reason: f.reason, logUrl: f.logUrl })),
  };
}
