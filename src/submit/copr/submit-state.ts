import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * What a `kplay submit --copr` run records in the output folder so the next run resumes watching
 * the same build instead of creating another. Holds no secret.
 */
export interface CoprSubmitState {
  /** 2 adds srpm.sha256 (resume is keyed by the SRPM's digest); 1 is still read. */
  version: 1 | 2;
  coprUrl: string;
  owner: string;
  project: string;
  srpm: { file: string; name: string; version: string; sha256?: string };
  /** 'uploading': the create was sent but not confirmed; 'submitted': buildId is known. */
  phase: 'uploading' | 'submitted';
  /** Epoch seconds when the upload started. */
  uploadStartedAt: number;
  /** The project's newest build id before the upload (a search for ours looks only above it). */
  newestBuildIdBefore?: number;
  buildId?: number;
  chroots: string[];
}

export function submitStatePath(stateDir: string, owner: string, project: string): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._@+-]/g, '_');
  return path.join(stateDir, `copr-build.${safe(owner)}.${safe(project)}.json`);
}

export async function readSubmitState(file: string): Promise<CoprSubmitState | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const s = JSON.parse(text) as CoprSubmitState;
    return s && (s.version === 1 || s.version === 2) && (s.phase === 'uploading' || s.phase === 'submitted') ? s : undefined;
  } catch {
    return undefined;
  }
}

/** Written to a temporary name and renamed, so a crash never leaves half a state file. */
export async function writeSubmitState(file: string, state: CoprSubmitState): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(tmp, file);
}

export async function removeSubmitState(file: string): Promise<void> {
  await rm(file, { force: true });
}

/** Every Copr state file in a state folder (for `kplay status` / `kplay cancel`). */
export async function listSubmitStates(stateDir: string): Promise<Array<{ file: string; state: CoprSubmitState }>> {
  const { readdir } = await import('node:fs/promises');
  const names = await readdir(stateDir).catch(() => [] as string[]);
  const out: Array<{ file: string; state: CoprSubmitState }> = [];
  for (const n of names.filter((x) => /^copr-build\..+\.json$/.test(x)).sort()) {
    const state = await readSubmitState(path.join(stateDir, n));
    if (state) out.push({ file: path.join(stateDir, n), state });
  }
  return out;
}
