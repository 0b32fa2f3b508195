import { describe, expect, it } from 'vitest';
import { newestKernelLike } from '../../../src/releases/distribution-kernels.js';
import { packagesNamed, primaryLocation } from '../../../src/releases/repo-metadata.js';
import { compareVersionRelease, rpmVersionCompare } from '../../../src/releases/rpm-version-compare.js';
import { primaryXml } from '../../support/distribution-repo/repo-metadata-server.js';

describe('distribution kernels', () => {
  it('orders versions like rpmvercmp', () => {
    expect(rpmVersionCompare('570.el9', '580.el9')).toBeLessThan(0);
    expect(rpmVersionCompare('570.12.1.el9_6', '570.el9')).toBeGreaterThan(0);
    expect(rpmVersionCompare('1.0', '1.0')).toBe(0);
    expect(rpmVersionCompare('1.0~rc1', '1.0')).toBeLessThan(0);
    expect(rpmVersionCompare('1.0a', '1.0')).toBeGreaterThan(0);
    expect(rpmVersionCompare('1.01', '1.1')).toBe(0);
    expect(rpmVersionCompare('2', '10')).toBeLessThan(0);
    expect(compareVersionRelease('5.14.0-1000.el9', '5.14.0-999.el9')).toBeGreaterThan(0);
  });

  it('reads kernel-devel packages out of primary.xml and picks the newest of the same series', () => {
    const xml = primaryXml([
      { name: 'kernel-devel', versionRelease: '5.14.0-570.el9', arch: 'x86_64' },
      { name: 'kernel-devel-matched', versionRelease: '5.14.0-600.el9', arch: 'x86_64' },
      { name: 'kernel-devel', versionRelease: '5.14.0-580.el9', arch: 'aarch64' },
      { name: 'kernel-devel', versionRelease: '6.12.0-55.el10', arch: 'x86_64' },
    ]);
    const kernels = packagesNamed(xml, 'kernel-devel');
    expect(kernels.map((k) => `${k.versionRelease}.${k.arch}`)).toEqual(['5.14.0-570.el9.x86_64', '5.14.0-580.el9.aarch64', '6.12.0-55.el10.x86_64']);
    expect(newestKernelLike(kernels, '5.14.0-570.el9', compareVersionRelease)).toBe('5.14.0-580.el9');
    expect(newestKernelLike(kernels, '6.12.0-1.el10', compareVersionRelease)).toBe('6.12.0-55.el10');
    // Fedora rebases within a release: a newer upstream of the same fcN counts
    const fedora = [{ versionRelease: '6.17.7-200.fc43' }, { versionRelease: '6.17.8-200.fc43' }, { versionRelease: '6.18.1-100.fc44' }];
    expect(newestKernelLike(fedora, '6.17.7-200.fc43', compareVersionRelease)).toBe('6.17.8-200.fc43');
    expect(() => primaryLocation('<repomd></repomd>', 'x/repomd.xml')).toThrow(/names no primary metadata/);
  });
});
