import { describe, expect, it } from 'vitest';
import { describeLeftovers, leftoverPrefix, writtenIntoRepository } from '../../support/leftovers.js';

describe('the test-hygiene teardown groups leftovers by the name a test gave them', () => {
  it('drops the mkdtemp suffix and pids/timestamps, keeps plain words', () => {
    expect(leftoverPrefix('kplay-cert-Ab12Cd')).toBe('kplay-cert-*');
    expect(leftoverPrefix('kplay-fedora-playground-x9y8z7')).toBe('kplay-fedora-playground-*');
    expect(leftoverPrefix('rpm-tmp.QwErTy')).toBe('rpm-tmp.*');
    expect(leftoverPrefix('kplay-pwned-4242-1764489600000')).toBe('kplay-pwned-*-*');
    expect(leftoverPrefix('kplay-kernel')).toBe('kplay-kernel');
  });

  it('counts each group, the largest first', () => {
    expect(describeLeftovers(['kplay-det-a-111aaa', 'kplay-cert-Ab12Cd', 'kplay-cert-Zz99Yy', 'kplay-det-b-222bbb'])).toBe(
      'kplay-cert-* ×2, kplay-det-a-* ×1, kplay-det-b-* ×1',
    );
  });

  it('names what tests wrote into the repository, but not the run folder or the screenshot folder', () => {
    const before = new Set(['src', 'out', 'variants/playground.yml']);
    const after = new Set([...before, '.test-tmp', 'out/test-artifacts', 'out/v', 'variants/.prop-42.yml']);
    expect(writtenIntoRepository(before, after)).toEqual(['out/v', 'variants/.prop-42.yml']);
  });
});
