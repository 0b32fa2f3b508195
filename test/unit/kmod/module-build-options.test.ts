import { describe, expect, it } from 'vitest';
import { builtinRequestFindings } from '../../../src/bases/kmod/check-kmod-requests.js';
import { folderKconfigSymbols, requestedBuildOptions, resolvedBuildOptions } from '../../../src/bases/kmod/module-build-options.js';
import type { MergedConfig } from '../../../src/config/merge-config.js';

const merged = (requests: Record<string, 'y' | 'm'>): MergedConfig[] => [
  {
    arch: 'x86_64',
    symbols: new Map(
      Object.entries(requests).map(([symbol, value], i) => [
        symbol,
        {
          request: {
            symbol,
            value: { type: 'tristate', value },
            where: { file: 'features/cramfs/config', line: i + 1, col: 1 },
            origin: { kind: 'feature', name: 'cramfs' },
          },
        },
      ]),
    ) as unknown as MergedConfig['symbols'],
  },
];

const FILES = new Map<string, Buffer>([
  [
    'fs/cramfs/Kconfig',
    Buffer.from('config CRAMFS\n\ttristate "cramfs"\n\nconfig CRAMFS_BLOCKDEV\n\tbool "blockdev" if EXPERT\n  menuconfig CRAMFS_MTD\n'),
  ],
  ['fs/cramfs/Makefile', Buffer.from('config NOT_A_KCONFIG\n')],
  ['fs/other/Kconfig', Buffer.from('config OTHER\n')],
]);

describe('kmod module options', () => {
  it("reads the symbols the module folder's own Kconfig files declare (not its Makefile, not other folders)", () => {
    expect([...folderKconfigSymbols(FILES, ['fs/cramfs'])].sort()).toEqual(['CRAMFS', 'CRAMFS_BLOCKDEV', 'CRAMFS_MTD']);
  });

  it('a =y of an option inside the module folder is allowed; one outside is refused, with a hint that says why', () => {
    const folder = folderKconfigSymbols(FILES, ['fs/cramfs']);
    const m = merged({ CRAMFS: 'm', CRAMFS_BLOCKDEV: 'y', BLOCK: 'y' });
    const findings = builtinRequestFindings(m, folder);
    expect(findings.map((f) => [f.code, f.where?.line])).toEqual([['E_KMOD_BUILTIN_REQUEST', 3]]);
    expect(findings[0]!.message).toMatch(/CONFIG_BLOCK=y .*no Kconfig of the kmod\.modules folders declares BLOCK/);
    expect(findings[0]!.hint).toMatch(/only set options declared in its own folders' Kconfig.*ask for CONFIG_BLOCK=m/);
    // without the folders' files nothing can tell: every =y is refused, the hint asks for --kernel-source
    const blind = builtinRequestFindings(m);
    expect(blind.map((f) => f.where?.line)).toEqual([2, 3]);
    expect(blind[0]!.hint).toMatch(/^give --kernel-source/);
  });

  it('requests as given: make words for =m and folder =y, C defines for the =y ones', () => {
    const [b] = requestedBuildOptions(merged({ CRAMFS: 'm', CRAMFS_BLOCKDEV: 'y', BLOCK: 'y' }), new Set(['CRAMFS', 'CRAMFS_BLOCKDEV']));
    expect(b).toEqual({
      arch: 'x86_64',
      make: ['CONFIG_CRAMFS=m', 'CONFIG_CRAMFS_BLOCKDEV=y'],
      kcflags: ['-DCONFIG_CRAMFS_BLOCKDEV=1'],
      resolved: false,
    });
  });

  it("resolved options: C defines only for what the target's own config does not already have", () => {
    const b = resolvedBuildOptions(
      'x86_64',
      [
        { symbol: 'CRAMFS_BLOCKDEV', value: 'y' },
        { symbol: 'CRAMFS', value: 'm' },
        { symbol: 'ZISOFS', value: 'y' },
      ],
      '# CONFIG_CRAMFS is not set\nCONFIG_ZISOFS=y\n',
    );
    expect(b.make).toEqual(['CONFIG_CRAMFS=m', 'CONFIG_CRAMFS_BLOCKDEV=y', 'CONFIG_ZISOFS=y']);
    expect(b.kcflags).toEqual(['-DCONFIG_CRAMFS_MODULE=1', '-DCONFIG_CRAMFS_BLOCKDEV=1']);
  });
});
