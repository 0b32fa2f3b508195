import { describe, expect, it } from 'vitest';
import { srpmIdentityFromFileName } from '../../../src/rpm/read-srpm-identity.js';
import type { CoprBuild } from '../../../src/submit/copr/copr-client.js';
import { chrootUnion } from '../../../src/submit/copr/ensure-project.js';
import { CLOCK_SKEW_SECONDS, pickSubmittedBuild } from '../../../src/submit/copr/find-submitted-build.js';

const identity = { name: 'kernel', version: '6.12.0-1.kplay' };
const build = (id: number, fields: Partial<CoprBuild> = {}): CoprBuild => ({
  id,
  state: 'importing',
  submitted_on: 1_000_000,
  submitter: 'me',
  source_package: { name: null, version: null },
  ...fields,
});

describe('pickSubmittedBuild', () => {
  const clue = { since: 1_000_000, identity, submitter: 'me', afterBuildId: 50 };
  it('finds our build while Copr still imports it (no package name yet)', () => {
    expect(pickSubmittedBuild([build(52), build(51)], clue)?.id).toBe(52);
  });
  it('skips builds of others, of other packages or versions, and anything not newer than before the upload', () => {
    const builds = [
      build(60, { submitter: 'someone' }),
      build(59, { source_package: { name: 'kmod-foo', version: null } }),
      build(58, { source_package: { name: 'kernel', version: '6.11.0-1' } }),
      build(57, { submitted_on: 1_000_000 - CLOCK_SKEW_SECONDS - 1 }),
      build(50, {}),
    ];
    expect(pickSubmittedBuild(builds, clue)).toBeUndefined();
    expect(
      pickSubmittedBuild([...builds.slice(0, 3), build(55, { source_package: { name: 'kernel', version: '6.12.0-1.kplay' } })], clue)?.id,
    ).toBe(55);
  });
});

describe('chrootUnion', () => {
  it('keeps the existing chroots in order and adds the missing wanted ones', () => {
    expect(chrootUnion(['b', 'a'], ['a', 'c', 'c'])).toEqual(['b', 'a', 'c']);
  });
});

describe('srpmIdentityFromFileName', () => {
  it('splits name-version-release.src.rpm at the last two dashes', () => {
    expect(srpmIdentityFromFileName('/x/kernel-playground-6.12.0-1.kplay.fc42.src.rpm')).toEqual({
      name: 'kernel-playground',
      version: '6.12.0-1.kplay.fc42',
    });
    expect(srpmIdentityFromFileName('nothing.src.rpm')).toBeUndefined();
  });
});
