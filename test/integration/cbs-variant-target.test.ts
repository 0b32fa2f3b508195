import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../src/findings/finding.js';
import { cbsEnvironmentFromProcess, runCbsSubmit } from '../../src/submit/cbs/run-cbs-submit.js';
import type { SubmitContext } from '../../src/submit/submit-backend.js';
import { makeCbsSandbox, type CbsSandbox } from '../support/koji/cbs-sandbox.js';
import { startKojiHub, type RunningKojiHub } from '../support/koji/koji-hub-server.js';

// runCbsSubmit in-process with a variant's targets.cbs (the variant → SRPM step is wired by the
// integration of compose; here the SRPM is given and the targets block is what the loader yields).
let hub: RunningKojiHub;
let box: CbsSandbox;
const savedEnv = { ...process.env };

beforeAll(async () => {
  hub = await startKojiHub();
  box = makeCbsSandbox({ hubUrl: hub.url });
  Object.assign(process.env, box.env(), { PATH: `${box.bin}${path.delimiter}${savedEnv.PATH}` });
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});

afterAll(async () => {
  vi.restoreAllMocks();
  process.env = savedEnv;
  await hub.close();
});

function context(target: string, extra: Partial<SubmitContext> = {}): SubmitContext {
  return {
    srpmPath: box.srpm,
    variantPath: 'variants/stream-plus.yml',
    variantName: 'stream-plus',
    targets: { cbs: { target, scratch: true, profile: 'cbs', where: { file: 'variants/stream-plus.yml', line: 9, col: 5 } } },
    stateDir: box.stateDir,
    dryRun: false,
    wait: true,
    force: true,
    json: false,
    options: { cbs: true },
    ...extra,
  };
}

describe('targets.cbs from the variant', () => {
  it('submits to the variant target as a scratch build and watches it', async () => {
    const code = await runCbsSubmit(context('kmods9s-packages-main-el9s'), { ...cbsEnvironmentFromProcess(), stdoutIsTTY: false });
    expect(code).toBe(0);
    expect(box.cliRuns().at(-1)).toEqual({ prog: 'cbs', argv: ['build', '--scratch', '--nowait', 'kmods9s-packages-main-el9s', box.srpm] });
  });

  it('points a refused target at targets.cbs in the variant file', async () => {
    const ctx = context('kmods9s-frozen-el9s', {
      targets: { cbs: { target: 'kmods9s-frozen-el9s', where: { file: 'variants/stream-plus.yml', line: 9, col: 5 } } },
    });
    const err = await runCbsSubmit(ctx, { ...cbsEnvironmentFromProcess(), stdoutIsTTY: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).findings[0]).toMatchObject({
      code: 'E_CBS_TAG_LOCKED',
      where: { file: 'variants/stream-plus.yml', line: 9, col: 5 },
    });
  });
});
