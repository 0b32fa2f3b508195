import { buildKconfigTree } from '../../../src/kconfig/build-kconfig-tree.js';
import type { KconfigTree } from '../../../src/kconfig/kconfig-tree.js';
import type { ConfigRequest, ConfigValue } from '../../../src/model/types.js';

/** A Kconfig tree from in-memory files; `shell` answers $(shell,...) without spawning. */
export function fakeTree(
  files: Record<string, string>,
  shell: (cmd: string) => string = () => '',
  kernelVersion = '6.1.0',
): KconfigTree & { commands: string[] } {
  const commands: string[] = [];
  const tree = buildKconfigTree({
    label: 'fake',
    root: '/fake',
    read: (p) => files[p],
    shell: {
      run: (c) => {
        commands.push(c);
        return shell(c);
      },
    },
    env: { ARCH: 'x86_64', SRCARCH: 'x86', srctree: '/fake', CC: 'gcc' },
    arch: 'x86_64',
    srcarch: 'x86',
    makeArch: 'x86_64',
    kernelVersion,
  });
  return Object.assign(tree, { commands });
}

export function request(
  symbol: string,
  value: string | ConfigValue,
  feature = 'feat',
  line = 1,
  extra: Partial<ConfigRequest> = {},
): ConfigRequest {
  return {
    symbol,
    value: typeof value === 'string' ? { type: 'tristate', value: value as 'y' | 'm' | 'n' } : value,
    where: { file: `features/${feature}/config`, line, col: 1 },
    origin: { kind: 'feature', name: feature },
    ...extra,
  };
}

/** The .config body without the 4-line heading. */
export function body(configText: string): string {
  return configText.split('\n').slice(4).join('\n');
}
