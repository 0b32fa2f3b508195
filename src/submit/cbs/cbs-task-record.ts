import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * What kplay remembers about a CBS submission, so that running the same command again watches
 * the recorded task instead of submitting a second build.
 */
export interface CbsTaskRecord {
  version: 1;
  taskId: number;
  target: string;
  profile: string;
  /** `--koji-config FILE` (absolute) when one was given: cancel, promote and status read it again. */
  kojiConfig?: string;
  scratch: boolean;
  archOverride?: string[];
  failFast?: boolean;
  skipTag?: boolean;
  /** The hub the task was submitted to: a resume against another hub is refused. */
  server: string;
  weburl: string;
  srpm: { file: string; sha256: string };
  submittedAt: string;
  /** Last state word seen by a watch. */
  lastState?: string;
  /** The build the hub made from the task (listBuilds(taskID=…)), once known: its NVR has the dist tag. */
  build?: { id: number; nvr: string };
  /** koji build flags given with the submission (`--background`, `--wait-build=NVR` ...), to match a re-run. */
  buildFlags?: string[];
}

export const CBS_RECORD_FILE = 'cbs-task.json';

export function cbsRecordPath(stateDir: string): string {
  return path.join(stateDir, CBS_RECORD_FILE);
}

function isRecord(v: unknown): v is CbsTaskRecord {
  const r = v as CbsTaskRecord;
  return (
    typeof r === 'object' &&
    r !== null &&
    r.version === 1 &&
    Number.isInteger(r.taskId) &&
    typeof r.target === 'string' &&
    typeof r.profile === 'string' &&
    typeof r.scratch === 'boolean' &&
    typeof r.srpm?.sha256 === 'string'
  );
}

/** The recorded submission, or undefined when there is none (or it is not one kplay wrote). */
export async function readCbsRecord(stateDir: string): Promise<CbsTaskRecord | undefined> {
  let text: string;
  try {
    text = await readFile(cbsRecordPath(stateDir), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const v: unknown = JSON.parse(text);
    return isRecord(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Write atomically (temp file + rename) so an interrupted run never leaves half a record. */
export async function writeCbsRecord(stateDir: string, record: CbsTaskRecord): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  const file = cbsRecordPath(stateDir);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(record, null, 2)}\n`);
  await rename(tmp, file);
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Same SRPM, target, profile and kind: the recorded task is this submission. */
export function recordMatches(
  r: CbsTaskRecord,
  want: {
    target: string;
    profile: string;
    scratch: boolean;
    sha256: string;
    archOverride?: string[];
    failFast?: boolean;
    skipTag?: boolean;
    buildFlags?: string[];
  },
): boolean {
  return (
    r.target === want.target &&
    r.profile === want.profile &&
    r.scratch === want.scratch &&
    r.srpm.sha256 === want.sha256 &&
    (r.archOverride ?? []).join(',') === (want.archOverride ?? []).join(',') &&
    Boolean(r.failFast) === Boolean(want.failFast) &&
    Boolean(r.skipTag) === Boolean(want.skipTag) &&
    (r.buildFlags ?? []).join(' ') === (want.buildFlags ?? []).join(' ')
  );
}
