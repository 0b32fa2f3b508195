import { describe, expect, it } from 'vitest';
import { buildOutcome, deriveBuildState, isBuildFinished } from '../../../src/submit/copr/build-state.js';

describe('deriveBuildState', () => {
  it('canceled wins over everything', () => {
    expect(deriveBuildState({ canceled: true, sourceState: 'running', chrootStates: ['running'] })).toBe('canceled');
  });
  it('the source build decides while it is importing, pending, running, starting or failed', () => {
    for (const s of ['importing', 'pending', 'running', 'starting', 'failed']) {
      expect(deriveBuildState({ canceled: false, sourceState: s, chrootStates: ['succeeded'] })).toBe(s);
    }
  });
  it('one chroot failed and another running reads running', () => {
    expect(deriveBuildState({ canceled: false, sourceState: 'succeeded', chrootStates: ['failed', 'running'] })).toBe('running');
  });
  it('follows running > starting > pending > failed > succeeded > skipped > forked', () => {
    const order = ['running', 'starting', 'pending', 'failed', 'succeeded', 'skipped', 'forked'];
    for (let i = 0; i < order.length; i++) {
      expect(deriveBuildState({ canceled: false, sourceState: 'succeeded', chrootStates: order.slice(i).reverse() })).toBe(order[i]);
    }
  });
});

describe('buildOutcome', () => {
  const snap = (state: string, chroots: Array<[string, string]>) => ({
    id: 1,
    state,
    chroots: chroots.map(([name, s]) => ({ name, state: s, resultUrl: `https://r/${name}` })),
  });
  it('is ok only when the build and every chroot succeeded', () => {
    expect(
      buildOutcome(
        snap('succeeded', [
          ['a', 'succeeded'],
          ['b', 'succeeded'],
        ]),
      ).ok,
    ).toBe(true);
    expect(buildOutcome(snap('succeeded', [])).ok).toBe(false);
    const failed = buildOutcome(
      snap('failed', [
        ['a', 'succeeded'],
        ['b', 'failed'],
      ]),
    );
    expect(failed.ok).toBe(false);
    expect(failed.notSucceeded.map((c) => c.name)).toEqual(['b']);
    // skipped (e.g. ExclusiveArch) and forked chroots count as success, as copr-cli's watch has it
    expect(buildOutcome(snap('skipped', [['a', 'skipped']])).ok).toBe(true);
    expect(
      buildOutcome(
        snap('succeeded', [
          ['a', 'succeeded'],
          ['b', 'skipped'],
          ['c', 'forked'],
        ]),
      ).ok,
    ).toBe(true);
    expect(buildOutcome(snap('unknown', [['a', 'unknown']])).ok).toBe(false);
  });
  it('forked and unknown end the watch (frontend FINISHED_STATES; copr-cli stops on unknown)', () => {
    expect(isBuildFinished(snap('forked', [['a', 'forked']]))).toBe(true);
    expect(isBuildFinished(snap('unknown', [['a', 'unknown']]))).toBe(true);
  });
  it('a build is finished when its state is terminal', () => {
    expect(
      isBuildFinished(
        snap('running', [
          ['a', 'failed'],
          ['b', 'running'],
        ]),
      ),
    ).toBe(false);
    expect(isBuildFinished(snap('canceled', [['a', 'canceled']]))).toBe(true);
  });
});
