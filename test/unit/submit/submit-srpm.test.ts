import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/findings/finding.js';
import { chooseBackend, loadSubmitBackends, submitOptions } from '../../../src/submit/submit-srpm.js';

describe('submitting as a library call (what kplay track --submit uses)', () => {
  it('parses the options `kplay submit --copr` would, defaults included', async () => {
    const backends = await loadSubmitBackends();
    const copr = submitOptions(backends, ['--copr']);
    expect(copr.copr).toBe(true);
    expect(copr.chroot).toEqual([]);
    expect(copr.wait).toBeUndefined();
    expect(chooseBackend(backends, copr).flag).toBe('copr');
    const cbs = submitOptions(backends, ['--cbs', '--no-wait']);
    expect(chooseBackend(backends, cbs).flag).toBe('cbs');
    expect(cbs.wait).toBe(false);
  });

  it('refuses no service or two, as the CLI does', async () => {
    const backends = await loadSubmitBackends();
    expect(() => chooseBackend(backends, {})).toThrow(UsageError);
    expect(() => chooseBackend(backends, { copr: true, cbs: true })).toThrow(/choose exactly one build service: --copr or --cbs/);
  });
});
