import { describe, expect, it } from 'vitest';
import { parseChecksumList } from '../../../src/releases/kernel-checksums.js';
import { compareReleases, parseReleaseList, selectRelease } from '../../../src/releases/release-list.js';

const LIST = JSON.stringify({
  latest_stable: { version: '6.17.8' },
  releases: [
    {
      iseol: false,
      version: '6.18-rc6',
      moniker: 'mainline',
      source: 'https://git.kernel.org/torvalds/t/linux-6.18-rc6.tar.gz',
      released: { isodate: '2026-11-16' },
    },
    { iseol: false, version: '6.17.8', moniker: 'stable', source: 'https://cdn.kernel.org/pub/linux/kernel/v6.x/linux-6.17.8.tar.xz' },
    {
      iseol: false,
      version: '6.12.117',
      moniker: 'longterm',
      source: 'https://cdn.kernel.org/pub/linux/kernel/v6.x/linux-6.12.117.tar.xz',
    },
    { iseol: false, version: '6.1.192', moniker: 'longterm', source: 'https://cdn.kernel.org/pub/linux/kernel/v6.x/linux-6.1.192.tar.xz' },
    { iseol: false, version: 'next-20261120', moniker: 'linux-next', source: null },
  ],
});

describe('kernel.org release list', () => {
  const list = parseReleaseList(LIST, 'releases.json');

  it('selects by moniker and by series', () => {
    expect(selectRelease(list, 'latest-stable')?.version).toBe('6.17.8');
    expect(selectRelease(list, 'longterm')?.version).toBe('6.12.117');
    expect(selectRelease(list, 'mainline')?.version).toBe('6.18-rc6');
    expect(selectRelease(list, '6.1.x')?.version).toBe('6.1.192');
    expect(selectRelease(list, '5.10.x')).toBeUndefined();
    expect(() => selectRelease(list, 'newest')).toThrow(/not a release selector/);
  });

  it('refuses what is not a release list', () => {
    expect(() => parseReleaseList('<html>', 'u')).toThrow(/not JSON/);
    expect(() => parseReleaseList('{"x":1}', 'u')).toThrow(/no 'releases'/);
  });

  it('orders releases numerically, release candidates before their release', () => {
    const sorted = ['6.12.9', '6.12-rc3', '6.12.10', '6.12', '6.1.192', '6.12-rc10'].sort(compareReleases);
    expect(sorted).toEqual(['6.1.192', '6.12-rc3', '6.12-rc10', '6.12', '6.12.9', '6.12.10']);
    expect(compareReleases('6.6.12', '6.6.12')).toBe(0);
  });
});

describe('sha256sums.asc', () => {
  it('reads the signed body and skips the armour and signature', () => {
    const a = 'a'.repeat(64);
    const b = 'B'.repeat(64);
    const text = [
      '-----BEGIN PGP SIGNED MESSAGE-----',
      'Hash: SHA256',
      '',
      `${a}  linux-6.12.117.tar.xz`,
      `${b}  linux-6.12.116.tar.gz`,
      '-----BEGIN PGP SIGNATURE-----',
      `${'c'.repeat(64)}  linux-evil.tar.xz`,
      '-----END PGP SIGNATURE-----',
    ].join('\n');
    const sums = parseChecksumList(text);
    expect(sums.get('linux-6.12.117.tar.xz')).toBe(a);
    expect(sums.get('linux-6.12.116.tar.gz')).toBe('b'.repeat(64));
    expect(sums.has('linux-evil.tar.xz')).toBe(false);
  });
});
