import { pullImageScript, replaceModuleScript, type Day1Settings } from './day1-scripts.js';

/** Ignition wants file modes in decimal: 0755 is 493. */
const MODE_0755 = 0o755;

export function dataUrl(text: string): string {
  return `data:text/plain;charset=utf-8;base64,${Buffer.from(text, 'utf8').toString('base64')}`;
}

function unitNames(module: string) {
  const base = `kplay-kmm-${module.replace(/_/g, '-')}`;
  return { load: `${base}-load.service`, pull: `${base}-pull.service`, loadScript: `/usr/local/bin/${base}-load.sh`, pullScript: `/usr/local/bin/${base}-pull.sh` };
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
    '',
    '[Service]',
    'Type=oneshot',
    'User=root',
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
      name: `99-${role}-kplay-kmm-${s.module.replace(/_/g, '-')}`,
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
            { path: n.loadScript, mode: MODE_0755, overwrite: true, user: { name: 'root' }, contents: { source: dataUrl(replaceModuleScript(s)) } },
            { path: n.pullScript, mode: MODE_0755, overwrite: true, user: { name: 'root' }, contents: { source: dataUrl(pullImageScript(s)) } },
          ],
        },
      },
    },
  };
}

export type MachineConfig = ReturnType<typeof day1MachineConfig>;

/** The Day-2 Module CR for the same image and kernels: KMM takes over after the cluster is up. */
export function day2Module(role: string, name: string, namespace: string, s: Day1Settings, kernels: Array<{ full: string }>) {
  return {
    apiVersion: 'kmm.sigs.x-k8s.io/v1beta1',
    kind: 'Module',
    metadata: { name, namespace },
    spec: {
      moduleLoader: {
        container: {
          modprobe: { moduleName: s.module, dirName: '/opt' },
          ...(s.inTree.length ? { inTreeModulesToRemove: s.inTree } : {}),
          kernelMappings: kernels.map((k) => ({ literal: k.full, containerImage: `${s.image}:${k.full}` })),
        },
      },
      selector: { [`node-role.kubernetes.io/${role}`]: '' },
    },
  };
}
