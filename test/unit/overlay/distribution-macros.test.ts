import { describe, expect, it } from 'vitest';
import { distributionMacros } from '../../../src/bases/overlay/distribution-macros.js';

describe("the release macros an overlay's %prep proof defines (a Debian host's rpm defines none)", () => {
  it('reads .elN and .fcN from the spec’s own %define/%global lines only', () => {
    const c10s = '%define tarfile_release 6.11.1-0.hs1.el10\n# a comment about .el9\n';
    expect(distributionMacros('centos-stream', c10s)).toEqual(['rhel 10', 'centos 10']);
    expect(distributionMacros('rhel', c10s)).toEqual(['rhel 10']);
    expect(distributionMacros('fedora', '%global dist .fc43\n')).toEqual(['fedora 43']);
    // a fedora overlay never gets rhel macros; a spec naming no release gets none
    expect(distributionMacros('fedora', c10s)).toEqual([]);
    expect(distributionMacros('centos-stream', '* Tue May 09 2023 - 5.14.0-284.11.1.el9\n')).toEqual([]);
  });
});
