import { describe, expect, it } from 'vitest';
import { rewriteKmodKernel } from '../../../src/track/rewrite-kmod-kernel.js';

const SHA = 'a'.repeat(64);

describe('rewriteKmodKernel', () => {
  it('replaces kernel-version and the source naming the old kernel, drops the stale digest, keeps the rest byte for byte', () => {
    const text = `# head\nkmod:\n  kernel-version: '5.14.0-570.el9' # pinned\n  source:\n    url: https://x.example/linux-5.14.0-570.el9.tar.xz\n    sha256: ${SHA}\n    topdir: linux-5.14.0-570.el9\n  modules: { w: [drivers/net/wireguard] }\n`;
    const out = rewriteKmodKernel(text, 'v.yml', '5.14.0-580.el9');
    expect(out).toBe(`# head\nkmod:\n  kernel-version: '5.14.0-580.el9' # pinned\n  source:\n    url: https://x.example/linux-5.14.0-580.el9.tar.xz\n    topdir: linux-5.14.0-580.el9\n  modules: { w: [drivers/net/wireguard] }\n`);
  });

  it('keeps the digest of a source that does not name the kernel; refuses a flow map it cannot edit safely', () => {
    const keep = `kmod:\n  kernel-version: "6.12.0-55.el10"\n  source:\n    url: file:///usr/src/linux-source-6.12.tar.xz\n    sha256: ${SHA}\n`;
    expect(rewriteKmodKernel(keep, 'v.yml', '6.12.0-60.el10')).toBe(keep.replace('6.12.0-55.el10', '6.12.0-60.el10'));
    const flow = `kmod:\n  kernel-version: "5.14.0-570.el9"\n  source: { url: "https://x.example/linux-5.14.0-570.el9.tar.xz", sha256: "${SHA}" }\n`;
    expect(() => rewriteKmodKernel(flow, 'v.yml', '5.14.0-580.el9')).toThrow(/flow map with a sha256 that no longer holds/);
  });
});
