import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../findings/finding.js';
import type { CellStatus } from '../matrix/matrix-report.js';

/** Per-feature outcome kept between runs, to say what changed since the previous base. */
export interface FeatureOutcome {
  status: CellStatus;
  codes: string[];
}

export interface ReleaseOutcome {
  status: CellStatus;
  checkedAt: string;
  features: Record<string, FeatureOutcome>;
}

export interface VariantTrackState {
  /** The newest release this variant was checked against. */
  lastSeen: string;
  /** Outcomes by release (the variant's base and the last release seen). */
  results: Record<string, ReleaseOutcome>;
}

export interface TrackState {
  version: 1;
  variants: Record<string, VariantTrackState>;
}

export async function readTrackState(file: string): Promise<TrackState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, variants: {} };
    throw new UsageError(`cannot read the track state ${file}: ${(err as Error).message}`);
  }
  try {
    const data = JSON.parse(text) as TrackState;
    if (data?.version !== 1 || typeof data.variants !== 'object') throw new Error('not a kplay track state (version 1)');
    return data;
  } catch (err) {
    throw new UsageError(`${file}: ${(err as Error).message}; delete it to start over`);
  }
}

export async function writeTrackState(file: string, state: TrackState): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(tmp, file);
}

/** Keep the outcomes of the releases still worth comparing with: the variant's base and the newest seen. */
export function recordOutcome(state: TrackState, variant: string, release: string, outcome: ReleaseOutcome, keep: readonly string[]): void {
  const v = (state.variants[variant] ??= { lastSeen: release, results: {} });
  v.lastSeen = release;
  v.results[release] = outcome;
  for (const r of Object.keys(v.results)) if (!keep.includes(r) && r !== release) delete v.results[r];
}
