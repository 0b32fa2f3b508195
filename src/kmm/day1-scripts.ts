/**
 * The helper scripts of KMM's Day-1 design (rh-ecosystem-edge/kernel-module-management,
 * docs/mkdocs/documentation/day1_limited_option.md, internal/mcfg): a load script that runs before
 * network-pre.target and swaps the in-tree module for the image's, a pull script that runs once the
 * network is up (after NetworkManager-dispatcher has run, as KMM waits for it: on-prem DNS is set
 * up there), pulls the image tagged with the running kernel and reboots so the load script finds it
 * on the next boot, and the dispatcher wait. kplay's own text; every value is validated and
 * single-quoted.
 */
import { shellQuote } from '../boundary/index.js';

export interface Day1Settings {
  /** registry/repository, tagged with `uname -r` on the node. */
  image: string;
  /** The module to load from the image (modprobe name). */
  module: string;
  /** In-tree modules to unload first (may be empty). */
  inTree: string[];
  /** A folder of firmware files in the image (KMM's firmwareFilesPath), copied to /var/lib/firmware. */
  firmware?: string;
}

/** Where firmware from the image goes on the node; the kernel is pointed at it (firmware_class.path), as KMM's worker does. */
export const FIRMWARE_DIR = '/var/lib/firmware';

export function replaceModuleScript(s: Day1Settings): string {
  return [
    '#!/bin/bash',
    '# kplay KMM Day-1: load the out-of-tree module from the driver image before the network starts.',
    'set -u',
    `image=${shellQuote(s.image)}:"$(uname -r)"`,
    `module=${shellQuote(s.module)}`,
    `in_tree=(${s.inTree.map(shellQuote).join(' ')})`,
    `firmware=${shellQuote(s.firmware ?? '')}`,
    '',
    'if ! podman image exists "$image"; then',
    '  echo "kplay-kmm: $image is not on this node yet; the pull service fetches it and reboots"',
    '  exit 0',
    'fi',
    '# what the module needs, from the modules.dep the image carries (depmod -b /opt)',
    'depends=$(podman run --rm --network none "$image" modinfo -b /opt -k "$(uname -r)" -F depends "$module") || {',
    '  echo "kplay-kmm: $image has no module $module for $(uname -r)" >&2',
    '  exit 1',
    '}',
    'for m in "${in_tree[@]}"; do',
    '  if [ -d "/sys/module/$m" ]; then',
    '    echo "kplay-kmm: unloading in-tree module $m"',
    '    modprobe -r "$m" || { echo "kplay-kmm: cannot unload $m (in use?)" >&2; exit 1; }',
    '  fi',
    'done',
    '# modprobe -r also removed in-tree modules the replaced one used; the new module may need them:',
    '# load its dependencies from the node (not the replaced ones: those come from the image)',
    'IFS=, read -r -a deps <<< "$depends"',
    'for d in "${deps[@]}"; do',
    '  [ -n "$d" ] || continue',
    '  for m in "${in_tree[@]}"; do [ "$m" = "$d" ] && continue 2; done',
    '  if [ ! -d "/sys/module/$d" ] && modprobe "$d" 2>/dev/null; then echo "kplay-kmm: loaded in-tree dependency $d"; fi',
    'done',
    'if [ -n "$firmware" ]; then',
    `  mkdir -p ${FIRMWARE_DIR}`,
    `  podman run --rm --network none -v ${FIRMWARE_DIR}:/kplay-firmware "$image" cp -R "$firmware/." /kplay-firmware/ || {`,
    '    echo "kplay-kmm: cannot copy the firmware $firmware from $image" >&2',
    '    exit 1',
    '  }',
    `  printf '%s' ${FIRMWARE_DIR} > /sys/module/firmware_class/parameters/path`,
    'fi',
    '# the image carries the module under /opt/lib/modules/<kernel>/ with its modules.dep; the node',
    "# /lib/modules is mounted as in KMM's worker, for modules linked from the image (a host link)",
    'if podman run --rm --privileged --network none -v /lib/modules:/lib/modules:ro "$image" modprobe -d /opt "$module"; then',
    '  echo "kplay-kmm: loaded $module from $image"',
    'else',
    '  echo "kplay-kmm: modprobe $module from $image failed" >&2',
    '  exit 1',
    'fi',
    '',
  ].join('\n');
}

export function pullImageScript(s: Day1Settings): string {
  return [
    '#!/bin/bash',
    '# kplay KMM Day-1: pull the driver image for the running kernel, then reboot once so that the',
    '# load service (ordered before network-pre.target) finds it. The proxy comes from /etc/mco/proxy.env.',
    'set -u',
    `image=${shellQuote(s.image)}:"$(uname -r)"`,
    '',
    'if podman image exists "$image"; then',
    '  echo "kplay-kmm: $image is present"',
    '  exit 0',
    'fi',
    'if ! podman pull --authfile /var/lib/kubelet/config.json "$image"; then',
    '  echo "kplay-kmm: cannot pull $image" >&2',
    '  exit 1',
    'fi',
    'echo "kplay-kmm: pulled $image; rebooting to load the module before the network starts"',
    'systemctl reboot',
    '',
  ].join('\n');
}

/** Wait until NetworkManager-dispatcher has run its scripts once (loaded, inactive, result success). */
export function waitForDispatcherScript(): string {
  return [
    '#!/bin/bash',
    '# kplay KMM Day-1: the pull needs DNS, which on-prem clusters set up in NetworkManager dispatcher scripts.',
    'set -u',
    'state=unknown',
    'for _ in $(seq 1 600); do',
    '  load=$(systemctl show NetworkManager-dispatcher.service --property=LoadState --value)',
    '  active=$(systemctl show NetworkManager-dispatcher.service --property=ActiveState --value)',
    '  result=$(systemctl show NetworkManager-dispatcher.service --property=Result --value)',
    '  state="$load $active $result"',
    '  if [ "$state" = "loaded inactive success" ]; then',
    '    echo "kplay-kmm: NetworkManager-dispatcher has run"',
    '    exit 0',
    '  fi',
    '  sleep 1',
    'done',
    'echo "kplay-kmm: NetworkManager-dispatcher did not finish in 600 s ($state)" >&2',
    'exit 1',
    '',
  ].join('\n');
}
