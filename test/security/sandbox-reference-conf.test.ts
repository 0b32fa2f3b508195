import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KconfigTree } from '../../src/kconfig/kconfig-tree.js';
import { buildReferenceConf, ReferenceConfError, runReferenceConf } from '../../src/kconfig/reference-conf.js';
import { extractedKernelTree, LINUX_61_TARBALL, requireSystemFile } from '../support/kernel-tree.js';
import { ROOT_OF_REPO } from '../support/paths.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * The kernel's own `conf` (`--verify`, `--verify-kconfig`) is built from the tree's
 * scripts/kconfig sources and runs the tree's Kconfig `$(shell …)`: a patched tree makes both
 * hostile. Here a hand-made tree holds Linux 6.1's Kconfig tool sources with a conf.c that, when
 * run, writes a canary outside, reads a secret outside, connects to a listening port and leaves
 * a process behind, and a Kconfig whose `$(shell …)` writes a canary: built and run through the
 * sandbox, none of it reaches outside. The outside folder lies outside /tmp (the sandbox's /tmp is
 * its own, as is $HOME: a canary there would be hidden rather than refused). ~2 s (conf is built twice).
 */
requireSystemFile('/usr/bin/bwrap', 'bubblewrap');

const MARK = `kplay-conf-hostile-${process.pid}`;

function processesWith(marker: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmd.includes(marker)) out.push(`${name}: ${cmd.replace(/\0/g, ' ')}`);
    } catch {
      /* gone */
    }
  }
  return out;
}

describe("hostile trees: the kernel's conf is built and run in the sandbox", () => {
  let outside: string;
  let linux: string;
  let server: net.Server;
  let port = 0;
  let connections = 0;
  beforeAll(async () => {
    linux = await extractedKernelTree(LINUX_61_TARBALL);
    // neither under /tmp nor $HOME, which the sandbox replaces (a canary there would be hidden, not refused)
    outside = path.join(ROOT_OF_REPO, `.kplay-security-outside-${process.pid}`);
    mkdirSync(outside, { recursive: true });
    writeFileSync(path.join(outside, 'secret.h'), 'KPLAYSECRETWORD leaked here\n');
    server = net.createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    port = (server.address() as net.AddressInfo).port;
  }, 600_000);
  afterAll(() => {
    server?.close();
    if (outside) rmSync(outside, { recursive: true, force: true });
  });

  /** A tree of the Kconfig tool sources (conf.c with `confTail` appended) and a top Kconfig. */
  async function hostileTree(confTail: string, kconfig: string): Promise<{ root: string; cache: string }> {
    const root = await tempDir('kplay-conf-tree-');
    for (const sub of ['scripts/kconfig', 'scripts/include']) {
      if (!existsSync(path.join(linux, sub))) continue; // 6.1 has no scripts/include
      mkdirSync(path.join(root, sub), { recursive: true });
      for (const name of readdirSync(path.join(linux, sub))) {
        if (/\.(c|h|l|y)$/.test(name)) copyFileSync(path.join(linux, sub, name), path.join(root, sub, name));
      }
    }
    const conf = path.join(root, 'scripts/kconfig/conf.c');
    writeFileSync(conf, `${readFileSync(conf, 'latin1')}\n${confTail}\n`, 'latin1');
    writeFileSync(path.join(root, 'Kconfig'), kconfig);
    return { root, cache: await tempDir('kplay-conf-cache-') };
  }

  const treeOf = (root: string): KconfigTree =>
    ({ root, env: { ARCH: 'x86', SRCARCH: 'x86' }, ensureOnDisk: () => {} }) as unknown as KconfigTree;

  it('a conf that writes, reads, connects and forks outside, and a Kconfig $(shell) that writes: nothing escapes', async () => {
    const c1 = path.join(outside, 'CANARY-conf');
    const c2 = path.join(outside, 'CANARY-shell');
    const c3 = path.join(outside, 'CANARY-late');
    const c4 = path.join(outside, 'CANARY-net');
    const tail = [
      '#include <arpa/inet.h>',
      '#include <sys/socket.h>',
      '#include <unistd.h>',
      '__attribute__((constructor)) static void kplay_hostile(void)',
      '{',
      `\tFILE *f = fopen("${c1}", "w");`,
      '\tif (f) fclose(f);',
      `\tFILE *s = fopen("${path.join(outside, 'secret.h')}", "r");`,
      '\tif (s) { char w[64] = ""; if (fscanf(s, "%63s", w) == 1) fprintf(stderr, "SEEN %s\\n", w); fclose(s); }',
      '\tint fd = socket(AF_INET, SOCK_STREAM, 0);',
      `\tstruct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(${port}) };`,
      '\ta.sin_addr.s_addr = htonl(0x7f000001);',
      `\tif (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0) { FILE *n = fopen("${c4}", "w"); if (n) fclose(n); }`,
      `\tif (system("(exec -a ${MARK} sleep 3; touch ${c3}) >/dev/null 2>&1 &")) {}`,
      '}',
    ].join('\n');
    const { root, cache } = await hostileTree(tail, `config KPLAY_A\n\tbool "a"\n\tdefault $(shell,touch ${c2}; echo y)\n`);
    const tmpBefore = readdirSync(os.tmpdir()).filter((n) => n.startsWith('kplay-conf-'));
    const conf = await buildReferenceConf(root, cache);
    const text = await runReferenceConf(conf, treeOf(root), { mode: 'olddefconfig', input: '' });
    // it ran (the $(shell) answered y), and nothing reached outside
    expect(text).toMatch(/^CONFIG_KPLAY_A=y$/m);
    expect(processesWith(MARK)).toEqual([]);
    await new Promise((r) => setTimeout(r, 3500));
    for (const c of [c1, c2, c3, c4]) expect(existsSync(c), c).toBe(false);
    expect(connections).toBe(0);
    // the scratch folders are gone: only the cached conf is left
    expect(readdirSync(path.join(cache, 'kconfig-conf')).every((n) => !n.startsWith('build-'))).toBe(true);
    expect(readdirSync(os.tmpdir()).filter((n) => n.startsWith('kplay-conf-'))).toEqual(tmpBefore);
  }, 120_000);

  it('a conf.c that #includes a file outside: the build fails without showing its content', async () => {
    const { root, cache } = await hostileTree(`#include "${path.join(outside, 'secret.h')}"`, 'config KPLAY_A\n\tbool "a"\n');
    const err = await buildReferenceConf(root, cache).catch((e: unknown) => e);
    // the outside folder is readable (read-only) in the sandbox, so gcc reads it: the failure names
    // the file, never its words
    expect(err).toBeInstanceOf(ReferenceConfError);
    const message = (err as ReferenceConfError).message;
    // (or not even visible, when the repository lies under $HOME or /tmp)
    expect(message).toMatch(/secret\.h: (a file outside .*its content is not shown|No such file or directory)/);
    expect(message).not.toMatch(/KPLAYSECRETWORD|leaked/);
    expect(existsSync(path.join(cache, 'kconfig-conf'))).toBe(true);
    expect(readdirSync(path.join(cache, 'kconfig-conf')).filter((n) => !n.startsWith('build-'))).toEqual([]);
    expect(readdirSync(path.join(cache, 'kconfig-conf')).filter((n) => n.startsWith('build-'))).toEqual([]);
  }, 120_000);
});
