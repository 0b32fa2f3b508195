import { execa } from 'execa';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pullImageScript, replaceModuleScript, waitForDispatcherScript, type Day1Settings } from '../../src/kmm/day1-scripts.js';

/**
 * The Day-1 scripts run for real (bash), with podman, modprobe, uname and systemctl replaced by
 * stubs that log what they were asked and answer from a state folder, inside bwrap with a private
 * /sys (the scripts look at /sys/module/<m> and write firmware_class's path there): no image yet,
 * image present, kernel upgrade, failed pull, an in-tree dependency the replaced module took along.
 */
const IMAGE = 'quay.io/example/wireguard-kmod';
const OLD = '5.14.0-570.el9.x86_64';
const NEW = '5.14.0-580.el9.x86_64';
let work: string;

const STUBS: Record<string, string> = {
  uname: 'cat "$STATE/kernel"',
  podman: `echo "podman $*" >> "$STATE/log"
case "$1 $2" in
  "image exists") grep -qxF "$3" "$STATE/images" 2>/dev/null ;;
  pull*) [ -e "$STATE/pull-fails" ] && exit 125; echo "\${@: -1}" >> "$STATE/images" ;;
  run*)
    case " $* " in
      *" modinfo "*) cat "$STATE/depends" ;;
      *" modprobe -d /opt "*) [ ! -e "$STATE/image-modprobe-fails" ] ;;
      *) true ;;
    esac ;;
  *) exit 2 ;;
esac`,
  modprobe: `if [ "$1" = -r ]; then
  echo "unload $2" >> "$STATE/log"; rmdir "/sys/module/$2"
  # modprobe -r also removes what only the removed module used
  for d in $(cat "$STATE/removes-with-$2" 2>/dev/null); do rmdir "/sys/module/$d" && echo "unload $d" >> "$STATE/log"; done
  exit 0
fi
grep -qxF "$1" "$STATE/host-modules" 2>/dev/null || exit 1
echo "host-load $1" >> "$STATE/log"; mkdir -p "/sys/module/$1"`,
  systemctl: `echo "systemctl $*" >> "$STATE/log"
case "$1" in
  reboot) true ;;
  show) case "$3" in --property=LoadState) echo loaded ;; --property=ActiveState) echo inactive ;; --property=Result) echo success ;; esac ;;
esac`,
};

interface World {
  kernel: string;
  images?: string[];
  loaded?: string[];
  depends?: string;
  hostModules?: string[];
  removesWith?: Record<string, string[]>;
  pullFails?: boolean;
}

async function world(name: string, w: World): Promise<string> {
  const state = path.join(work, name);
  await mkdir(state);
  await writeFile(path.join(state, 'kernel'), `${w.kernel}\n`);
  await writeFile(path.join(state, 'images'), (w.images ?? []).map((i) => `${i}\n`).join(''));
  await writeFile(path.join(state, 'depends'), `${w.depends ?? ''}\n`);
  await writeFile(path.join(state, 'host-modules'), (w.hostModules ?? []).map((m) => `${m}\n`).join(''));
  for (const [m, deps] of Object.entries(w.removesWith ?? {})) await writeFile(path.join(state, `removes-with-${m}`), deps.join(' '));
  if (w.pullFails) await writeFile(path.join(state, 'pull-fails'), '');
  await writeFile(path.join(state, 'log'), '');
  await writeFile(path.join(state, 'loaded'), (w.loaded ?? []).join(' '));
  return state;
}

/** Run one script with the stubs first on PATH and a private /sys holding the loaded modules. */
async function run(state: string, script: string) {
  const loaded = (await readFile(path.join(state, 'loaded'), 'utf8')).split(' ').filter(Boolean);
  await writeFile(path.join(state, 'script.sh'), script);
  const r = await execa(
    'bwrap',
    [
      '--dev-bind',
      '/',
      '/',
      '--tmpfs',
      '/sys',
      '--dir',
      '/sys/module/firmware_class/parameters',
      ...loaded.flatMap((m) => ['--dir', `/sys/module/${m}`]),
      '--tmpfs',
      '/var/lib',
      '--die-with-parent',
      'bash',
      '-c',
      'bash "$STATE/script.sh"; rc=$?; ls /sys/module > "$STATE/after"; exit $rc',
    ],
    { env: { PATH: `${path.join(work, 'bin')}:/usr/bin:/bin`, STATE: state }, reject: false },
  );
  const after = (await readFile(path.join(state, 'after'), 'utf8')).split('\n').filter((m) => m && m !== 'firmware_class');
  await writeFile(path.join(state, 'loaded'), after.join(' '));
  const log = (await readFile(path.join(state, 'log'), 'utf8')).split('\n').filter(Boolean);
  await writeFile(path.join(state, 'log'), '');
  return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, log, after };
}

const settings: Day1Settings = { image: IMAGE, module: 'wireguard', inTree: ['wireguard'] };

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'kplay-day1-'));
  await mkdir(path.join(work, 'bin'));
  for (const [name, body] of Object.entries(STUBS)) {
    await writeFile(path.join(work, 'bin', name), `#!/bin/bash\n${body}\n`);
    await chmod(path.join(work, 'bin', name), 0o755);
  }
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('KMM Day-1 scripts under stubs', () => {
  it('no image yet: the load script changes nothing; the pull script pulls and reboots', async () => {
    const s = await world('first-boot', { kernel: OLD, loaded: ['wireguard'] });
    const load = await run(s, replaceModuleScript(settings));
    expect(load.exitCode).toBe(0);
    expect(load.stdout).toContain(`${IMAGE}:${OLD} is not on this node yet`);
    expect(load.log).toEqual([`podman image exists ${IMAGE}:${OLD}`]);
    expect(load.after).toEqual(['wireguard']);
    const pull = await run(s, pullImageScript(settings));
    expect(pull.exitCode).toBe(0);
    expect(pull.log).toEqual([
      `podman image exists ${IMAGE}:${OLD}`,
      `podman pull --authfile /var/lib/kubelet/config.json ${IMAGE}:${OLD}`,
      'systemctl reboot',
    ]);
  });

  it('image present: the in-tree module goes, the image modprobe runs with the node /lib/modules mounted; the pull does nothing', async () => {
    const s = await world('present', { kernel: OLD, images: [`${IMAGE}:${OLD}`], loaded: ['wireguard'] });
    const load = await run(s, replaceModuleScript(settings));
    expect(load.exitCode, load.stderr).toBe(0);
    expect(load.log).toEqual([
      `podman image exists ${IMAGE}:${OLD}`,
      `podman run --rm --network none ${IMAGE}:${OLD} modinfo -b /opt -k ${OLD} -F depends wireguard`,
      'unload wireguard',
      `podman run --rm --privileged --network none -v /lib/modules:/lib/modules:ro ${IMAGE}:${OLD} modprobe -d /opt wireguard`,
    ]);
    const pull = await run(s, pullImageScript(settings));
    expect(pull.exitCode).toBe(0);
    expect(pull.log).toEqual([`podman image exists ${IMAGE}:${OLD}`]);
  });

  it('after a kernel upgrade: the old image is not used, the pull fetches the new tag and reboots, then it loads', async () => {
    const s = await world('upgrade', { kernel: NEW, images: [`${IMAGE}:${OLD}`], loaded: ['wireguard'] });
    const load = await run(s, replaceModuleScript(settings));
    expect(load.exitCode).toBe(0);
    expect(load.log).toEqual([`podman image exists ${IMAGE}:${NEW}`]);
    const pull = await run(s, pullImageScript(settings));
    expect(pull.log).toContain(`podman pull --authfile /var/lib/kubelet/config.json ${IMAGE}:${NEW}`);
    expect(pull.log.at(-1)).toBe('systemctl reboot');
    const again = await run(s, replaceModuleScript(settings));
    expect(again.exitCode).toBe(0);
    expect(again.log.at(-1)).toBe(
      `podman run --rm --privileged --network none -v /lib/modules:/lib/modules:ro ${IMAGE}:${NEW} modprobe -d /opt wireguard`,
    );
  });

  it('a failed pull exits 1 and does not reboot', async () => {
    const s = await world('pull-fails', { kernel: OLD, pullFails: true });
    const pull = await run(s, pullImageScript(settings));
    expect(pull.exitCode).toBe(1);
    expect(pull.stderr).toContain(`kplay-kmm: cannot pull ${IMAGE}:${OLD}`);
    expect(pull.log).not.toContain('systemctl reboot');
  });

  it('an in-tree dependency that modprobe -r took along is loaded from the node before the image module', async () => {
    const s = await world('dependency', {
      kernel: OLD,
      images: [`${IMAGE}:${OLD}`],
      loaded: ['wireguard', 'udp_tunnel', 'ip6_udp_tunnel'],
      depends: 'udp_tunnel,ip6_udp_tunnel,wireguard',
      hostModules: ['udp_tunnel', 'ip6_udp_tunnel', 'wireguard'],
      removesWith: { wireguard: ['udp_tunnel', 'ip6_udp_tunnel'] },
    });
    const load = await run(s, replaceModuleScript(settings));
    expect(load.exitCode, load.stderr).toBe(0);
    const i = (l: string) => load.log.indexOf(l);
    expect(load.log).toContain('unload udp_tunnel');
    expect(i('host-load udp_tunnel')).toBeGreaterThan(i('unload wireguard'));
    expect(i('host-load ip6_udp_tunnel')).toBeGreaterThan(i('unload wireguard'));
    // the replaced module is never loaded from the node again
    expect(load.log).not.toContain('host-load wireguard');
    expect(
      i(`podman run --rm --privileged --network none -v /lib/modules:/lib/modules:ro ${IMAGE}:${OLD} modprobe -d /opt wireguard`),
    ).toBeGreaterThan(i('host-load ip6_udp_tunnel'));
    expect(load.after.sort()).toEqual(['ip6_udp_tunnel', 'udp_tunnel']);
  });

  it('firmware from the image goes to /var/lib/firmware and the kernel is pointed there; the dispatcher wait passes', async () => {
    const s = await world('firmware', { kernel: OLD, images: [`${IMAGE}:${OLD}`] });
    const fw = await run(
      s,
      `${replaceModuleScript({ ...settings, inTree: [], firmware: '/firmware' })}\ncat /sys/module/firmware_class/parameters/path > "$STATE/fwpath"\n`,
    );
    expect(fw.exitCode, fw.stderr).toBe(0);
    expect(fw.log).toContain(
      `podman run --rm --network none -v /var/lib/firmware:/kplay-firmware ${IMAGE}:${OLD} cp -R /firmware/. /kplay-firmware/`,
    );
    expect(await readFile(path.join(s, 'fwpath'), 'utf8')).toBe('/var/lib/firmware');
    const wait = await run(s, waitForDispatcherScript());
    expect(wait.exitCode).toBe(0);
    expect(wait.stdout).toContain('NetworkManager-dispatcher has run');
  });
});
