import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFixtureRepo, ROOT_OF_REPO, variantYaml } from '../support/fixture-repo.js';
import { extractedKernelTree, LINUX_61_TARBALL } from '../support/kernel-tree.js';
import { runKplay } from '../support/run-kplay.js';
import { selfSignedCert } from '../support/test-rpm.js';

/**
 * The signing options the spec's %prep appends (with and without the builder's key) exist in the
 * real Linux 6.1 Kconfig and survive olddefconfig on top of defconfig, checked by the same
 * kplay-check-config.sh the build runs.
 */
let root: string;
let tree: string;

beforeAll(async () => {
  if (!existsSync(LINUX_61_TARBALL)) throw new Error(`${LINUX_61_TARBALL} is missing: apt-get install linux-source-6.1`);
  tree = await extractedKernelTree();
  const keys = await mkdtemp(path.join(os.tmpdir(), 'kplay-sigk-'));
  await selfSignedCert('kplay kconfig test', path.join(keys, 'k.pem'), path.join(keys, 'c.pem'));
  const cert = await readFile(path.join(keys, 'c.pem'), 'utf8');
  await rm(keys, { recursive: true, force: true });
  root = await makeFixtureRepo({
    'variants/v.yml': variantYaml({ name: 'v', extra: 'signing:\n  certificate: sig.crt.pem\n' }),
    'variants/sig.crt.pem': cert,
    'features/.keep': '',
  });
}, 600_000);

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

/** The kplay-signing.config the %prep of `rpmspec -P` output writes. */
function signingFragment(expanded: string): string {
  const start = expanded.indexOf("cat > kplay-signing.config <<'KPLAY_SIGNING'\n");
  const end = expanded.indexOf('\nKPLAY_SIGNING\n', start);
  const lines = expanded.slice(start, end).split('\n').slice(1);
  for (const m of expanded.slice(end).matchAll(/^echo '(.*)' >> kplay-signing\.config$/gm)) lines.push(m[1]!);
  return `${lines.join('\n')}\n`;
}

describe('signing options against the real Linux 6.1 Kconfig', () => {
  it('survive olddefconfig on x86_64 defconfig with and without the builder key', async () => {
    const c = await runKplay(['compose', 'variants/v.yml'], { cwd: root });
    expect(c.exitCode).toBe(0);
    const spec = path.join(root, 'out', 'v', 'kernel-v.spec');
    for (const defines of [[], ['--define', 'kplay_sign_key /srv/keys/sig.key.pem']]) {
      const expanded = (await execa('rpmspec', ['-P', '--target', 'x86_64', ...defines, spec])).stdout;
      const fragment = signingFragment(expanded);
      expect(fragment).toContain('CONFIG_SYSTEM_TRUSTED_KEYS="certs/kplay-signing.pem"');
      expect(fragment.includes('CONFIG_MODULE_SIG_KEY="/srv/keys/sig.key.pem"')).toBe(defines.length > 0);
      const frag = path.join(root, 'frag.config');
      const final = path.join(root, 'final.config');
      await writeFile(frag, fragment);
      const r = await runKplay(
        ['kconfig', 'resolve', '--kernel-source', tree, '--arch', 'x86_64', '--config', 'defconfig', '--fragment', frag, '--out', final],
        { cwd: root },
      );
      expect(r.exitCode, r.stderr).toBe(0);
      const check = await execa('bash', [path.join(ROOT_OF_REPO, 'specfile-templates', 'kplay-check-config.sh'), frag, final], {
        reject: false,
      });
      expect(check.stderr).toBe('');
      expect(check.exitCode).toBe(0);
      expect(await readFile(final, 'utf8')).toMatch(/^CONFIG_MODULE_SIG_HASH="sha256"$/m);
    }
  });
});
