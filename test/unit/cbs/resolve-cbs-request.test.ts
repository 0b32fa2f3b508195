import { describe, expect, it } from 'vitest';
import { recordMatches, type CbsTaskRecord } from '../../../src/submit/cbs/cbs-task-record.js';
import { kojiBuildFlags, resolveCbsRequest } from '../../../src/submit/cbs/resolve-cbs-request.js';

const fromVariant = {
  target: 'kmods9s-packages-main-el9s',
  profile: 'cbs-stage',
  scratch: true,
  where: { file: 'variants/stream-plus.yml', line: 12, col: 5 },
};

describe('CBS request', () => {
  it('takes targets.cbs from the variant when --cbs has no value', () => {
    expect(resolveCbsRequest({ cbs: true }, fromVariant)).toEqual({
      target: 'kmods9s-packages-main-el9s',
      profile: 'cbs-stage',
      scratch: true,
      where: fromVariant.where,
      userConfig: undefined,
      failFast: false,
      skipTag: false,
      buildOptions: {},
    });
  });

  it("koji build's own options: --rebuild-srpm only with --scratch, --draft never with it, --wait-build takes NVRs", () => {
    const scratch = { cbs: 't', scratch: true };
    expect(resolveCbsRequest({ ...scratch, rebuildSrpm: false, background: true, waitRepo: true }, undefined).buildOptions).toEqual({
      rebuildSrpm: false,
      background: true,
      waitRepo: true,
    });
    expect(() => resolveCbsRequest({ cbs: 't', rebuildSrpm: true }, undefined)).toThrow(/only allowed for --scratch builds/);
    expect(() => resolveCbsRequest({ ...scratch, draft: true }, undefined)).toThrow(/--scratch and --draft cannot be both/);
    expect(() => resolveCbsRequest({ cbs: 't', waitBuild: ['kernel-6.1'] }, undefined)).toThrow(/not a name-version-release/);
    expect(kojiBuildFlags(resolveCbsRequest({ cbs: 't', draft: true, waitBuild: ['kernel-6.1-1.el9s'] }, undefined).buildOptions)).toEqual([
      '--wait-build=kernel-6.1-1.el9s',
      '--draft',
    ]);
  });

  it('--arch-override is for scratch builds only (as koji has it); --fail-fast and --skip-tag pass through', () => {
    expect(
      resolveCbsRequest({ cbs: 't', scratch: true, archOverride: 'x86_64, aarch64', failFast: true, skipTag: true }, undefined),
    ).toMatchObject({
      archOverride: ['x86_64', 'aarch64'],
      failFast: true,
      skipTag: true,
    });
    expect(() => resolveCbsRequest({ cbs: 't', archOverride: 'x86_64' }, undefined)).toThrow(/only allowed for --scratch/);
    expect(() => resolveCbsRequest({ cbs: 't', scratch: true, archOverride: 'x86_64;rm' }, undefined)).toThrow(/not a list of arches/);
  });

  it('lets flags override the variant', () => {
    const r = resolveCbsRequest(
      { cbs: 'automotive9s-packages-main-el9s', scratch: false, kojiProfile: 'cbs', kojiConfig: '/k.conf' },
      fromVariant,
    );
    expect(r).toMatchObject({
      target: 'automotive9s-packages-main-el9s',
      profile: 'cbs',
      scratch: false,
      where: undefined,
      userConfig: '/k.conf',
    });
  });

  it('defaults to the cbs profile and a real build', () => {
    expect(resolveCbsRequest({ cbs: 't-el9s' }, undefined)).toMatchObject({ profile: 'cbs', scratch: false });
  });

  it('refuses a missing target, a target that looks like a file, and a malformed name', () => {
    expect(() => resolveCbsRequest({ cbs: true }, undefined)).toThrow(/no CBS build target/);
    expect(() => resolveCbsRequest({ cbs: 'variants/x.yml' }, undefined)).toThrow(/put the variant before --cbs/);
    expect(() => resolveCbsRequest({ cbs: 'a b' }, undefined)).toThrow(/not a Koji build target name/);
  });
});

describe('recorded task', () => {
  const rec: CbsTaskRecord = {
    version: 1,
    taskId: 5,
    target: 't',
    profile: 'cbs',
    scratch: true,
    server: 'https://h/kojihub',
    weburl: 'https://h/koji',
    srpm: { file: 'k.src.rpm', sha256: 'ab' },
    submittedAt: '2026-01-01T00:00:00.000Z',
  };
  it('is the same submission only for the same SRPM digest, target, profile and kind', () => {
    const want = { target: 't', profile: 'cbs', scratch: true, sha256: 'ab' };
    expect(recordMatches(rec, want)).toBe(true);
    expect(recordMatches(rec, { ...want, sha256: 'cd' })).toBe(false);
    expect(recordMatches(rec, { ...want, scratch: false })).toBe(false);
    expect(recordMatches(rec, { ...want, target: 'u' })).toBe(false);
    expect(recordMatches(rec, { ...want, profile: 'koji' })).toBe(false);
  });
});
