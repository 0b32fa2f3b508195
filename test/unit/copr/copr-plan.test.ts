import { describe, expect, it } from 'vitest';
import { at, UsageError } from '../../../src/findings/finding.js';
import type { CoprTarget } from '../../../src/model/types.js';
import { DEFAULT_KERNEL_BUILD_TIMEOUT, parseCoprProject, resolveCoprPlan } from '../../../src/submit/copr/copr-plan.js';

const target: CoprTarget = {
  project: '@kernel/playground',
  chroots: ['fedora-rawhide-x86_64', 'fedora-rawhide-aarch64'],
  timeout: 90000,
  enable_net: false,
  description: 'kplay test',
  isolation: 'nspawn',
  without: ['debug'],
  where: at('variants/playground.yml', 12, 3),
};

describe('resolveCoprPlan', () => {
  it('takes targets.copr when the CLI names nothing', () => {
    expect(resolveCoprPlan({ copr: true, chroot: [] }, target)).toEqual({
      owner: '@kernel',
      project: 'playground',
      chroots: ['fedora-rawhide-x86_64', 'fedora-rawhide-aarch64'],
      timeout: 90000,
      enableNet: false,
      description: 'kplay test',
      settings: { enable_net: false, description: 'kplay test', isolation: 'nspawn' },
      without: ['debug'],
    });
  });
  it("the build's enable_net is always explicit (off unless asked); the project's only when the variant sets it", () => {
    const plan = resolveCoprPlan({ copr: 'me/p', chroot: ['c'] }, undefined);
    expect(plan.enableNet).toBe(false);
    expect('enable_net' in plan.settings).toBe(false);
    // copr-cli's build --enable-net on|off: per build, the project is left as it is
    for (const [given, want] of [
      [true, true],
      ['on', true],
      ['off', false],
    ] as const) {
      const p = resolveCoprPlan({ copr: 'me/p', chroot: ['c'], enableNet: given }, undefined);
      expect(p.enableNet).toBe(want);
      expect('enable_net' in p.settings).toBe(false);
    }
    expect(resolveCoprPlan({ copr: true, chroot: [], enableNet: 'off' }, { ...target, enable_net: true })).toMatchObject({
      enableNet: false,
      settings: { enable_net: true },
    });
    expect(() => resolveCoprPlan({ copr: 'me/p', chroot: ['c'], enableNet: 'yes' }, undefined)).toThrow(/give on or off/);
  });
  it('lets CLI values win; --chroot replaces the list', () => {
    const plan = resolveCoprPlan(
      { copr: 'me/other', chroot: ['fedora-41-x86_64', 'fedora-41-x86_64'], timeout: '3600', enableNet: true },
      target,
    );
    expect(plan).toMatchObject({ owner: 'me', project: 'other', chroots: ['fedora-41-x86_64'], timeout: 3600, enableNet: true });
  });
  it('defaults the timeout for a kernel build', () => {
    expect(resolveCoprPlan({ copr: 'me/p', chroot: ['c'] }, undefined).timeout).toBe(DEFAULT_KERNEL_BUILD_TIMEOUT);
  });
  it('refuses what Copr would refuse, before any request', () => {
    expect(() => resolveCoprPlan({ copr: true, chroot: [] }, undefined)).toThrow(UsageError);
    expect(() => resolveCoprPlan({ copr: 'me/p', chroot: [] }, undefined)).toThrow(/at least one chroot/);
    expect(() => resolveCoprPlan({ copr: 'me/p', chroot: ['c'], timeout: '108001' }, undefined)).toThrow(/from 1 to 108000/);
    expect(resolveCoprPlan({ copr: 'me/p', chroot: ['c'], timeout: '108000' }, undefined).timeout).toBe(108000);
    expect(() => resolveCoprPlan({ copr: 'me/p', chroot: ['c'], timeout: '1.5' }, undefined)).toThrow(/whole number/);
    expect(() => resolveCoprPlan({ copr: 'me/p', chroot: ['bad chroot'] }, undefined)).toThrow(/not a Copr chroot/);
  });
  it('names the variant location when its timeout is wrong', () => {
    expect(() => resolveCoprPlan({ copr: true, chroot: [] }, { ...target, timeout: 999999 })).toThrow(
      /variants\/playground\.yml:12:3: timeout/,
    );
  });
});

describe('parseCoprProject', () => {
  it('reads owner/project, @group/project and a bare project', () => {
    expect(parseCoprProject('me/p', 'x')).toEqual({ owner: 'me', project: 'p' });
    expect(parseCoprProject('@g/p', 'x')).toEqual({ owner: '@g', project: 'p' });
    expect(parseCoprProject('p', 'x')).toEqual({ project: 'p' });
  });
  it('spots a variant file given where the project goes', () => {
    expect(() => parseCoprProject('variants/playground.yml', '--copr')).toThrow(/put the variant before --copr/);
    expect(() => parseCoprProject('a/b/c', '--copr')).toThrow(/owner\/project/);
  });
});
