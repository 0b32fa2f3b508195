/**
 * The two helper scripts of KMM's Day-1 design (rh-ecosystem-edge/kernel-module-management,
 * docs/mkdocs/documentation/day1_limited_option.md): a load script that runs before
 * network-pre.target and swaps the in-tree module for the image's, and a pull script that runs
 * once the network is up, pulls the image tagged with the running kernel and reboots so the load
 * script finds it on the next boot. kplay's own text; every value is validated and single-quoted.
 */
export interface Day1Settings {
  /** registry/repository, tagged with `uname -r` on the node. */
  image: string;
  /** The module to load from the image (modprobe name). */
  module: string;
  /** In-tree modules to unload first (may be empty). */
  inTree: string[];
}

/** POSIX single quoting. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function replaceModuleScript(s: Day1Settings): string {
  return [
    '#!/bin/bash',
    '# kplay KMM Day-1: load the out-of-tree module from the driver image before the network starts.',
    'set -u',
    `image=${shellQuote(s.image)}:"$(uname -r)"`,
    `module=${shellQuote(s.module)}`,
    `in_tree=(${s.inTree.map(shellQuote).join(' ')})`,
    '',
    'if ! podman image exists "$image"; then',
    '  echo "kplay-kmm: $image is not on this node yet; the pull service fetches it and reboots"',
    '  exit 0',
    'fi',
    'for m in "${in_tree[@]}"; do',
    '  if [ -d "/sys/module/$m" ]; then',
    '    echo "kplay-kmm: unloading in-tree module $m"',
    '    modprobe -r "$m" || { echo "kplay-kmm: cannot unload $m (in use?)" >&2; exit 1; }',
    '  fi',
    'done',
    '# the image carries the module under /opt/lib/modules/<kernel>/ with its modules.dep',
    'if podman run --rm --privileged --network none "$image" modprobe -d /opt "$module"; then',
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
    '# load service (ordered before network-pre.target) finds it.',
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
