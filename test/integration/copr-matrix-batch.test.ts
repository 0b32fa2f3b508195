import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { submitCoprBatch, type BatchCell } from '../../src/submit/copr/copr-batch.js';
import { startCoprServer, type CoprContractServer } from '../support/copr-server/copr-contract-server.js';
import { buildHelloSrpm, makeCoprHome } from '../support/copr-server/kplay-cli.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * `kplay matrix --submit copr`: the green cells go to Copr as ONE batch (copr-cli's
 * --with-build-id), each build is watched, and a failure is named by its cell. In-process
 * against the local Copr stand-in, with the real rpmbuild's SRPM under three cell names.
 */
const LOGIN = 'kplaybot=login==';
const TOKEN = 'tkn-0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const USER = 'kplaybot';
const RAWHIDE = 'fedora-rawhide-x86_64';

let server: CoprContractServer;
let home: string;
let work: string;
let srpm: string;
const saved = { ...process.env };

beforeAll(async () => {
  work = await tempDir('kplay-copr-batch-');
  srpm = await buildHelloSrpm(path.join(work, 'srpm'));
  process.env.KPLAY_POLL_INTERVAL_MS = '5';
  process.env.KPLAY_RETRY_BASE_MS = '5';
  process.env.KPLAY_COPR_RETRIES = '2';
});
afterAll(() => {
  process.env = saved;
});
afterEach(async () => {
  await server.stop();
  vi.restoreAllMocks();
});

/** Three cells (variant × base), each with its own SRPM file name and record folder. */
async function cells(): Promise<BatchCell[]> {
  const out: BatchCell[] = [];
  for (const [variant, base] of [
    ['vanilla-a', '6.1.192'],
    ['vanilla-b', '6.1.192'],
    ['vanilla-c', '6.12.117'],
  ] as const) {
    const dir = path.join(work, `${variant}@${base}-${Math.random().toString(36).slice(2, 8)}`);
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, `${variant}-1.0-1.src.rpm`);
    await copyFile(srpm, file);
    out.push({ label: `${variant} × ${base}`, srpmPath: file, variantName: variant, stateDir: dir });
  }
  return out;
}

describe('matrix cells to Copr as one batch', () => {
  it('three cells: one batch, three builds, each watched; the failing cell is named', async () => {
    server = await startCoprServer({ login: LOGIN, token: TOKEN, user: USER });
    home = await makeCoprHome(server.url, LOGIN, TOKEN, USER);
    server.packageScripts.set('vanilla-b', { outcome: 'failed' });
    const said: string[] = [];
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const { exit, results } = await submitCoprBatch({
      cells: await cells(),
      options: { copr: `${USER}/kernel-matrix`, chroot: [RAWHIDE], coprConfig: path.join(home, '.config', 'copr') },
      dryRun: false,
      wait: true,
      say: (l) => said.push(l),
    });
    vi.restoreAllMocks();

    // one batch: three uploads, the second and third with with_build_id of the first
    const uploads = server.uploads().map((u) => JSON.parse(u.parts!.find((p) => p.name === 'json')!.text!) as Record<string, unknown>);
    expect(uploads).toHaveLength(3);
    const ids = results.map((r) => r.buildId!);
    expect(ids).toHaveLength(3);
    expect(uploads[0]!.with_build_id).toBeUndefined();
    expect(uploads[1]!.with_build_id).toBe(ids[0]);
    expect(uploads[2]!.with_build_id).toBe(ids[0]);
    const batches = new Set(ids.map((id) => server.builds.get(id)!.batch));
    expect(batches.size).toBe(1);
    expect([...batches][0]).toBeDefined();

    // each watched to its end
    for (const r of results) expect(said).toContain(`watching cell ${r.label}: Copr build ${r.buildId}`);
    expect(ids.map((id) => server.requests.filter((q) => q.path === `build/${id}`).length).every((n) => n >= 3)).toBe(true);
    expect(results.map((r) => r.exit)).toEqual([0, 1, 0]);
    expect(exit).toBe(1);
    expect(stderr.join('')).toContain(`error E_COPR_BUILD_FAILED: matrix cell vanilla-b × 6.1.192: Copr build ${ids[1]} did not succeed`);
    expect(stderr.join('')).not.toMatch(/matrix cell vanilla-(a|c)/);
    expect(stderr.join('')).not.toContain(TOKEN);
  });

  it('Copr refuses a batch with both after_build_id and with_build_id, and one to join a finished build', async () => {
    server = await startCoprServer({ login: LOGIN, token: TOKEN, user: USER });
    home = await makeCoprHome(server.url, LOGIN, TOKEN, USER);
    const [a] = await cells();
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    const config = path.join(home, '.config', 'copr');
    // the first build runs to its end, then a cell asks to join it
    const first = await submitCoprBatch({
      cells: [a!],
      options: { copr: `${USER}/kernel-matrix`, chroot: [RAWHIDE], coprConfig: config },
      dryRun: false,
      wait: true,
      say: () => {},
    });
    expect(first.exit).toBe(0);
    const [, b] = await cells();
    const { submitSrpm } = await import('../../src/submit/submit-srpm.js');
    const late = await submitSrpm({
      service: 'copr',
      srpmPath: b!.srpmPath,
      variantName: b!.variantName,
      stateDir: b!.stateDir,
      wait: false,
      options: { copr: `${USER}/kernel-matrix`, chroot: [RAWHIDE], coprConfig: config, withBuildId: first.results[0]!.buildId },
    });
    vi.restoreAllMocks();
    expect(late).not.toBe(0);
    expect(stderr.join('')).toContain('new batch can not be created because the build has already finished');
    await expect(
      submitSrpm({
        service: 'copr',
        srpmPath: b!.srpmPath,
        variantName: b!.variantName,
        stateDir: b!.stateDir,
        dryRun: true,
        options: { copr: `${USER}/kernel-matrix`, chroot: [RAWHIDE], coprConfig: config, withBuildId: 1, afterBuildId: 2 },
      }),
    ).rejects.toThrow(/cannot be used together/);
  });
});
