import { describe, expect, it } from 'vitest';
import { consoleTail, parseConsole } from '../../../src/try/console-markers.js';
import { MARKER } from '../../../src/try/init-script.js';

const M = MARKER;

describe('reading the guest console', () => {
  it('reads boot, modules, test steps with their output, and done, with kernel messages in between', () => {
    const text = [
      '[    0.000000] Linux version 6.12.118 (kplay@kplay-try)',
      `${M} boot 6.12.118`,
      `${M} module 0 overlay start`,
      '[    1.2] overlayfs: defaults: redirect_dir=on',
      `${M} module 0 overlay rc 0`,
      `${M} test 0 0 start`,
      'some output',
      `${M} test 0 0 rc 0`,
      `${M} test 0 1 start`,
      'mount: mounting overlay on /tmp/o/merged failed: No such device',
      `${M} test 0 1 rc 255`,
      `[    2.0] random: crng init done${M} done`,
    ].join('\r\n');
    const r = parseConsole(text);
    expect(r.booted).toBe(true);
    expect(r.kernelRelease).toBe('6.12.118');
    expect(r.done).toBe(true);
    expect(r.modules).toEqual([{ feature: 0, module: 'overlay', rc: 0, output: ['[    1.2] overlayfs: defaults: redirect_dir=on'] }]);
    expect(r.tests.map((t) => [t.line, t.rc, t.output])).toEqual([
      [0, 0, ['some output']],
      [1, 255, ['mount: mounting overlay on /tmp/o/merged failed: No such device']],
    ]);
  });

  it('leaves rc undefined for a step the guest never finished, and done false', () => {
    const r = parseConsole(`${M} boot 6.12.0\n${M} test 1 0 start\nKernel panic - not syncing\n`);
    expect(r.done).toBe(false);
    expect(r.tests).toEqual([{ feature: 1, line: 0, rc: undefined, output: ['Kernel panic - not syncing', ''] }]);
  });

  it('says not booted when /init never ran', () => {
    const r = parseConsole('Kernel panic - not syncing: VFS: Unable to mount root fs\n');
    expect(r.booted).toBe(false);
    expect(consoleTail('a\nb\nc\n\n', 2)).toBe('b\nc');
  });
});
