import { pullImageScript, replaceModuleScript, waitForDispatcherScript, type Day1Settings } from './day1-scripts.js';

/** Ignition wants file modes in decimal: 0755 is 493. */
const MODE_0755 = 0o755;

export function dataUrl(text: string): string {
  return `data:text/plain;charset=utf-8;base64,${Buffer.from(text, 'utf8').toString('base64')}`;
}

/**
 * A DNS-1123 label from a module name (`BusLogic` -> `buslogic`, `nvme_tcp` -> `nvme-tcp`): the API
 * server refuses object names with capitals or `_`. KMM's own names are lower-case too.
 */
export function dnsLabel(module: string, max = 63): string {
  const label = module
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/, '');
  return label || 'module';
}

function unitNames(module: string) {
  const base = `kplay-kmm-${dnsLabel(module)}`;
  return {
    load: `${base}-load.service`,
    pull: `${base}-pull.service`,
    loadScript: `/usr/local/bin/${base}-load.sh`,
    pullScript: `/usr/local/bin/${base}-pull.sh`,
    waitScript: `/usr/local/bin/${base}-wait-for-dispatcher.sh`,
  };
}

/** The MachineConfig name of a role and module: `99-<role>-kplay-kmm-<module>`, a DNS-1123 subdomain. */
export function machineConfigName(role: string, module: string): string {
  return `99-${role}-kplay-kmm-${dnsLabel(module)}`;
}

/**
 * The Day-1 MachineConfig of one node role: an Ignition 3.2.0 config with the two systemd units,
 * the scripts as base64 data: URLs with decimal modes, and crio-wipe.service masked so the pulled
 * image survives the reboot (KMM's pkg/mcproducer layout).
 */
export function day1MachineConfig(role: string, s: Day1Settings) {
  const n = unitNames(s.module);
  const load = [
    '[Unit]',
    `Description=kplay KMM Day-1: replace ${s.inTree.length ? s.inTree.join(', ') : 'nothing'} with ${s.module} from ${s.image}`,
    'Before=network-pre.target',
    'Wants=network-pre.target',
    'DefaultDependencies=no',
    'After=local-fs.target',
    '',
    '[Service]',
    'Type=oneshot',
    'User=root',
    // as KMM's unit: the cluster proxy (the MCO writes the file, empty without a proxy)
    'EnvironmentFile=/etc/mco/proxy.env',
    `ExecStart=${n.loadScript}`,
    'RemainAfterExit=yes',
    'TimeoutSec=120',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
  const pull = [
    '[Unit]',
    `Description=kplay KMM Day-1: pull ${s.image} for the running kernel`,
    'After=network-online.target',
    'Wants=network-online.target',
    // on-prem clusters set up DNS in NetworkManager dispatcher scripts: KMM waits for them
    'After=NetworkManager-dispatcher.service',
    '',
    '[Service]',
    'Type=oneshot',
    'User=root',
    'EnvironmentFile=/etc/mco/proxy.env',
    `ExecStartPre=${n.waitScript}`,
    `ExecStart=${n.pullScript}`,
    'RemainAfterExit=yes',
    'TimeoutSec=900',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
  return {
    apiVersion: 'machineconfiguration.openshift.io/v1',
    kind: 'MachineConfig',
    metadata: {
      name: machineConfigName(role, s.module),
      labels: { 'machineconfiguration.openshift.io/role': role },
    },
    spec: {
      config: {
        ignition: { version: '3.2.0' },
        systemd: {
          units: [
            { name: n.load, enabled: true, contents: load },
            { name: n.pull, enabled: true, contents: pull },
            { name: 'crio-wipe.service', enabled: false, mask: true },
          ],
        },
        storage: {
          files: [
            {
              path: n.loadScript,
              mode: MODE_0755,
              overwrite: true,
              user: { name: 'root' },
              contents: { source: dataUrl(replaceModuleScript(s)) },
            },
            {
              path: n.pullScript,
              mode: MODE_0755,
              overwrite: true,
              user: { name: 'root' },
              contents: { source: dataUrl(pullImageScript(s)) },
            },
            {
              path: n.waitScript,
              mode: MODE_0755,
              overwrite: true,
              user: { name: 'root' },
              contents: { source: dataUrl(waitForDispatcherScript()) },
            },
          ],
        },
      },
    },
  };
}

/**
 * The Day-2 Module CR for the same image: one `regexp` kernel mapping whose image tag is KMM's
 * `${KERNEL_FULL_VERSION}` (the node's `uname -r`), as KMM documents, so a kernel upgrade needs a
 * pushed image, not a new CR. The regexp admits the kernels' arches that images were built for.
 */
export function day2Module(role: string, name: string, namespace: string, s: Day1Settings, kernels: Array<{ full: string }>) {
  const arches = [...new Set(kernels.map((k) => /\.([a-z0-9_]+)$/.exec(k.full)?.[1] ?? ''))].filter(Boolean).sort();
  return {
    apiVersion: 'kmm.sigs.x-k8s.io/v1beta1',
    kind: 'Module',
    metadata: { name, namespace },
    spec: {
      moduleLoader: {
        container: {
          modprobe: { moduleName: s.module, dirName: '/opt', ...(s.firmware ? { firmwarePath: s.firmware } : {}) },
          ...(s.inTree.length ? { inTreeModulesToRemove: s.inTree } : {}),
          kernelMappings: [{ regexp: `^.+\\.(${arches.join('|')})$`, containerImage: `${s.image}:\${KERNEL_FULL_VERSION}` }],
        },
      },
      selector: { [`node-role.kubernetes.io/${role}`]: '' },
    },
  };
}

/**
 * The Day-1 to Day-2 handover KMM offers (BootModuleConfig, kmm.sigs.x-k8s.io/v1beta1): once KMM
 * runs, it owns the MachineConfig kplay wrote (same name and pool) and keeps it in step.
 */
export function bootModuleConfig(role: string, name: string, namespace: string, s: Day1Settings) {
  return {
    apiVersion: 'kmm.sigs.x-k8s.io/v1beta1',
    kind: 'BootModuleConfig',
    metadata: { name, namespace },
    spec: {
      kernelModuleImage: s.image,
      kernelModuleName: s.module,
      machineConfigName: machineConfigName(role, s.module),
      machineConfigPoolName: role,
      ...(s.inTree.length ? { inTreeModulesToRemove: s.inTree } : {}),
      ...(s.firmware ? { firmwareFilesPath: s.firmware } : {}),
    },
  };
}
