import type { CpioEntry } from './initramfs.js';

/**
 * The guest's /init: mount /proc, /sys, /dev and /tmp, load each feature's modules, run each
 * line of each feature's `test:` block with a timeout, print a marker line for every step, and
 * reboot (QEMU runs with -no-reboot, so it exits).
 *
 * The quoting boundary: a test line is never pasted into /init. Each line is its own file,
 * /kplay/t/<feature index>/<line index>.sh, run by `sh`; /init only ever names those files and
 * the module names (checked against [A-Za-z0-9_-]), so no line can change what /init does. The
 * lines run in the guest only; nothing of them runs on the host.
 */
export const MARKER = '@@kplay-try@@';

export interface GuestFeature {
  name: string;
  modules: string[];
  tests: string[];
  timeout: number;
}

const MODULE_NAME = /^[A-Za-z0-9_-]+$/;

export function initScript(features: readonly GuestFeature[]): string {
  const lines = [
    '#!/bin/sh',
    '# kplay try: the smoke test of the features (generated; the test lines are in /kplay/t)',
    '/bin/busybox mount -t proc proc /proc',
    '/bin/busybox --install -s /bin',
    'export PATH=/bin:/sbin',
    'mount -t sysfs sysfs /sys',
    'mount -t devtmpfs devtmpfs /dev 2>/dev/null',
    'mount -t tmpfs tmpfs /tmp',
    `M=${MARKER}`,
    'echo "$M boot $(uname -r)"',
  ];
  features.forEach((f, i) => {
    lines.push(`ok=1`);
    for (const m of f.modules) {
      if (!MODULE_NAME.test(m)) throw new Error(`module name ${JSON.stringify(m)}`);
      lines.push(
        `echo "$M module ${i} ${m} start"`,
        `if modprobe ${m} >/tmp/kplay-out 2>&1; then echo "$M module ${i} ${m} rc 0"; else rc=$?; cat /tmp/kplay-out; echo "$M module ${i} ${m} rc $rc"; ok=0; fi`,
      );
    }
    f.tests.forEach((_, j) => {
      lines.push(
        `if [ $ok = 1 ]; then`,
        `  echo "$M test ${i} ${j} start"`,
        `  (cd /tmp && timeout -s KILL ${Math.max(1, Math.floor(f.timeout))} sh /kplay/t/${i}/${j}.sh </dev/null >/tmp/kplay-out 2>&1); rc=$?`,
        `  cat /tmp/kplay-out`,
        `  echo "$M test ${i} ${j} rc $rc"`,
        `  [ $rc = 0 ] || ok=0`,
        `fi`,
      );
    });
  });
  lines.push('echo "$M done"', 'sync', 'reboot -f', '');
  return lines.join('\n');
}

/** The test lines as files, /kplay/t/<i>/<j>.sh. */
export function testScriptEntries(features: readonly GuestFeature[]): CpioEntry[] {
  const out: CpioEntry[] = [{ kind: 'dir', name: 'kplay/t' }];
  features.forEach((f, i) => {
    out.push({ kind: 'dir', name: `kplay/t/${i}` });
    f.tests.forEach((line, j) => out.push({ kind: 'file', name: `kplay/t/${i}/${j}.sh`, data: `${line}\n`, mode: 0o644 }));
  });
  return out;
}

/** Seconds the guest may take: the boot, every module, every line's timeout. */
export function guestBudgetSeconds(features: readonly GuestFeature[], bootSeconds: number): number {
  return bootSeconds + features.reduce((s, f) => s + f.modules.length * 10 + f.tests.length * f.timeout, 0);
}
