import { kojiHub } from './koji-hub.js';
import type { KojiProfile } from './read-koji-config.js';
import type { WatchReporter } from './watch-reporter.js';
import { watchTask, type WatchResult } from './watch-task.js';
import { createXmlRpcClient } from './xmlrpc-client.js';

/** One request never waits longer than this, whatever the profile's `timeout` (12 h by default). */
const MAX_REQUEST_TIMEOUT_MS = 5 * 60 * 1000;

export interface RecordedTaskWatch {
  profile: KojiProfile;
  taskId: number;
  reporter: WatchReporter;
  pollIntervalMs: number;
  retryIntervalMs: number;
  maxPolls: number;
}

/** Watch a task on the profile's hub, anonymously, showing progress and retries on `reporter`. */
export async function watchRecordedTask(w: RecordedTaskWatch): Promise<WatchResult> {
  const { profile, reporter } = w;
  const client = createXmlRpcClient({
    url: profile.server,
    timeoutMs: Math.min(profile.timeoutS * 1000, MAX_REQUEST_TIMEOUT_MS),
    maxRetries: profile.maxRetries,
    retryIntervalMs: w.retryIntervalMs,
    onRetry: (r) =>
      reporter.note(`hub ${profile.server}: ${r.reason}; retry ${r.attempt}/${r.maxRetries} in ${Math.round(r.delayMs / 100) / 10} s`),
  });
  return watchTask({
    hub: kojiHub(client),
    taskId: w.taskId,
    weburl: profile.weburl,
    topurl: profile.topurl,
    pollIntervalMs: w.pollIntervalMs,
    maxPolls: w.maxPolls,
    onSnapshot: (snapshot) => reporter.update(snapshot),
  });
}
