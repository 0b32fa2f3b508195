import { withoutCredentials } from '../../net/capped-request.js';
import { kojiHub } from './koji-hub.js';
import type { KojiProfile } from './read-koji-config.js';
import type { WatchReporter } from './watch-reporter.js';
import { watchTask, type WatchResult } from './watch-task.js';
import { readFileSync } from 'node:fs';
import { UsageError } from '../../findings/finding.js';
import { createXmlRpcClient, type XmlRpcClient } from '../../xmlrpc/xmlrpc-client.js';

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

/**
 * The profile's `serverca` as the CA the hub's certificate is checked against (koji passes it as
 * `verify=serverca`); a missing file is a config error, as koji's "Server CA ... doesn't exist".
 */
export function serverCaOf(profile: KojiProfile): { serverCa?: Buffer; noSslVerify?: boolean } {
  // koji (ClientSession._sendOneCall): verify=serverca when set, else verify=False with no_ssl_verify
  if (!profile.serverca) return profile.noSslVerify ? { noSslVerify: true } : {};
  try {
    return { serverCa: readFileSync(profile.serverca) };
  } catch (err) {
    const message = `Server CA ${profile.serverca} of koji profile ${profile.name} doesn't exist or is not accessible (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
    throw new UsageError(message, [{ code: 'E_CBS_CONFIG', severity: 'error', message, where: profile.where }]);
  }
}

/** An anonymous XML-RPC client for the profile's hub (serverca honoured). */
export function hubClientFor(profile: KojiProfile, retryIntervalMs: number, onRetry?: (note: string) => void): XmlRpcClient {
  return createXmlRpcClient({
    url: profile.server,
    ...serverCaOf(profile),
    timeoutMs: Math.min(profile.timeoutS * 1000, MAX_REQUEST_TIMEOUT_MS),
    maxRetries: profile.maxRetries,
    retryIntervalMs,
    onRetry: (r) =>
      onRetry?.(
        `hub ${withoutCredentials(profile.server)}: ${r.reason}; retry ${r.attempt}/${r.maxRetries} in ${Math.round(r.delayMs / 100) / 10} s`,
      ),
  });
}

/** Watch a task on the profile's hub, anonymously, showing progress and retries on `reporter`. */
export async function watchRecordedTask(w: RecordedTaskWatch): Promise<WatchResult> {
  const { profile, reporter } = w;
  const client = createXmlRpcClient({
    url: profile.server,
    ...serverCaOf(profile),
    timeoutMs: Math.min(profile.timeoutS * 1000, MAX_REQUEST_TIMEOUT_MS),
    maxRetries: profile.maxRetries,
    retryIntervalMs: w.retryIntervalMs,
    onRetry: (r) =>
      reporter.note(
        `hub ${withoutCredentials(profile.server)}: ${r.reason}; retry ${r.attempt}/${r.maxRetries} in ${Math.round(r.delayMs / 100) / 10} s`,
      ),
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
