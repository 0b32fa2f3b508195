import { describe, expect, it } from 'vitest';
import { distOfTargetName, hubNvr } from '../../../src/submit/cbs/cbs-checks.js';

describe('the NVR the hub will build (kojid rebuilds the SRPM with the target dist)', () => {
  it('appends the target dist to a release made without one, replaces a host dist, drops the epoch', () => {
    expect(hubNvr({ name: 'kernel-v', version: '6.1.192-1' }, '.el9s')).toBe('kernel-v-6.1.192-1.el9s');
    expect(hubNvr({ name: 'kernel-v', version: '6.1.192-1.el9' }, '.el9s')).toBe('kernel-v-6.1.192-1.el9s');
    expect(hubNvr({ name: 'kernel-v', version: '6.1.192-3.fc41' }, '.el10s')).toBe('kernel-v-6.1.192-3.el10s');
    expect(hubNvr({ name: 'kmod-x', version: '2:1.0-1.el9_4' }, '.el9s')).toBe('kmod-x-1.0-1.el9s');
    // a release that only looks dist-like in the middle keeps it
    expect(hubNvr({ name: 'p', version: '1.0-0.el9.rc1' }, '.el9s')).toBe('p-1.0-0.el9.rc1.el9s');
    // no dist known: the SRPM's own NVR
    expect(hubNvr({ name: 'p', version: '1.0-1' }, undefined)).toBe('p-1.0-1');
  });

  it('reads the dist from a CBS target name when the hub sets none', () => {
    expect(distOfTargetName('kmods9s-packages-main-el9s')).toBe('.el9s');
    expect(distOfTargetName('kernel10s-el10s')).toBe('.el10s');
    expect(distOfTargetName('f41-candidate')).toBeUndefined();
  });
});
