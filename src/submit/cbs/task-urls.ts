/** Where a person finds a task: its web page and its output folder (logs). */
export function taskInfoUrl(weburl: string, taskId: number): string {
  return `${weburl.replace(/\/+$/, '')}/taskinfo?taskID=${taskId}`;
}

/** `{topurl}/work/tasks/{id % 10000}/{id}/` (koji's pathinfo.task). */
export function taskOutputUrl(topurl: string, taskId: number): string {
  return `${topurl.replace(/\/+$/, '')}/work/tasks/${taskId % 10000}/${taskId}/`;
}

/** The log that explains a failed task: build.log for buildArch, else the output folder. */
export function taskLogUrl(topurl: string | undefined, weburl: string, taskId: number, method: string): string {
  if (!topurl) return taskInfoUrl(weburl, taskId);
  const dir = taskOutputUrl(topurl, taskId);
  return method === 'buildArch' || method === 'rebuildSRPM' || method === 'buildSRPMFromSCM' ? `${dir}build.log` : dir;
}
