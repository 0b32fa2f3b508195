import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootModuleConfigProblems, embeddedScripts, machineConfigProblems, moduleProblems } from '../../src/kmm/validate-machine-config.js';
import { makeFixtureRepo, variantYaml } from '../support/fixture-repo.js';
import { runKplay } from '../support/run-kplay.js';

/** kplay kmm on a kmod variant and two kernels: deterministic, schema-valid, shellcheck-clean. */
const VARIANT = 'variants/kmod-wireguard.yml';
const KMOD_VARIANT = `# yaml-language-server: $schema=../schemas/variant.schema.json
name: kmod-wireguard
type: kmod
summary: WireGuard kernel module for CentOS Stream 9
kmod:
  kernel-version: "5.14.0-570.el9"
  source:
    url: https://sources.stream.centos.org/sources/rpms/kernel/linux-5.14.0-570.el9.tar.xz
    topdir: linux-5.14.0-570.el9
  modules:
    wireguard: [drivers/net/wireguard]
arches: [x86_64, aarch64]
features:
  - wireguard
`;
const KERNELS = ['5.14.0-570.el9', '5.14.0-570.12.1.el9_6.x86_64'];
const IMAGE = 'quay.io/example/wireguard-kmod';
let work: string;
let ROOT: string;

async function kmm(out: string, extra: string[] = []) {
  return runKplay(
    [
      'kmm',
      VARIANT,
      '--image',
      IMAGE,
      ...KERNELS.flatMap((k) => ['--kernel', k]),
      '--role',
      'worker',
      '--role',
      'master',
      '--out',
      out,
      ...extra,
    ],
    { cwd: ROOT },
  );
}

async function filesOf(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  // .kplay-output.json marks a folder kplay owns (src/compose/write-output.ts)
  for (const f of (await readdir(dir)).filter((n) => !n.startsWith('.')).sort()) out[f] = await readFile(path.join(dir, f), 'utf8');
  return out;
}

type Mc = {
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    config: {
      ignition: { version: string };
      systemd: { units: Array<{ name: string; enabled?: boolean; mask?: boolean; contents?: string }> };
      storage: { files: Array<{ path: string; mode: number; contents: { source: string } }> };
    };
  };
};

/** The unit texts of KMM's Day-1 template, one array of lines per unit (its `contents: |` blocks). */
function kmmTemplateUnits(): string[][] {
  const text = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'kmm', 'ignition.gotmpl'), 'utf8');
  const units: string[][] = [];
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    if (/^\s+- contents: \|$/.test(line)) units.push((current = []));
    else if (current && /^ {8}\S/.test(line)) {
      if (!line.trim().startsWith('[')) current.push(line.trim());
    } else current = undefined;
  }
  return units;
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'kplay-kmm-'));
  ROOT = await makeFixtureRepo({
    'variants/kmod-wireguard.yml': KMOD_VARIANT,
    'variants/playground.yml': variantYaml({ name: 'playground' }),
    'features/wireguard/feature.yml': 'summary: WireGuard\nkernel: ">=5.6"\nconfig:\n  CONFIG_WIREGUARD: m\n',
  });
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
  if (ROOT) await rm(ROOT, { recursive: true, force: true });
});

describe('kplay kmm', () => {
  it('writes the same Containerfile, MachineConfigs and Module CRs twice, one image tag per kernel and arch', async () => {
    const a = await kmm(path.join(work, 'a'));
    expect(a.stderr).toMatch(/kmm: 0 errors, 0 warnings/);
    expect(a.stderr).not.toMatch(/unknown format/);
    expect(a.exitCode).toBe(0);
    const b = await kmm(path.join(work, 'b'));
    expect(b.exitCode).toBe(0);
    const [fa, fb] = [await filesOf(path.join(work, 'a')), await filesOf(path.join(work, 'b'))];
    expect(Object.keys(fa)).toEqual([
      'Containerfile',
      'bootmoduleconfig-master.yaml',
      'bootmoduleconfig-worker.yaml',
      'build-images.sh',
      'kmm.json',
      'machineconfig-master.yaml',
      'machineconfig-worker.yaml',
      'module-master.yaml',
      'module-worker.yaml',
    ]);
    expect(fb).toEqual(fa);

    const tags = ['5.14.0-570.el9.x86_64', '5.14.0-570.el9.aarch64', '5.14.0-570.12.1.el9_6.x86_64'];
    const built = [...fa['build-images.sh']!.matchAll(/ -t '([^']+)'/g)].map((m) => m[1]);
    expect(built).toEqual(tags.map((t) => `${IMAGE}:${t}`));
    expect(fa.Containerfile).toMatch(/^FROM \$\{BUILDER_IMAGE\} AS build$/m);
    expect(fa.Containerfile).toContain('"kernel-devel-uname-r = ${KERNEL_FULL_VERSION}"');
    expect(fa.Containerfile).toContain(
      'ARG BUILDER_IMAGE=quay.io/centos/centos:stream9\nARG FINAL_IMAGE=quay.io/centos/centos:stream9-minimal\n',
    );
    expect(fa.Containerfile).toContain(
      'COPY --from=build /build/root/lib/modules/${KERNEL_FULL_VERSION}/ /opt/lib/modules/${KERNEL_FULL_VERSION}/',
    );
    expect(fa.Containerfile).toContain('RUN depmod -b /opt ${KERNEL_FULL_VERSION}');
    expect(fa.Containerfile).toMatch(/microdnf -y install kmod/);

    const mod = parse(fa['module-worker.yaml']!) as {
      apiVersion: string;
      kind: string;
      spec: {
        selector: Record<string, string>;
        moduleLoader: {
          container: {
            modprobe: { moduleName: string };
            inTreeModulesToRemove: string[];
            kernelMappings: Array<{ regexp: string; containerImage: string }>;
          };
        };
      };
    };
    // KMM's Module CRD (schemas/kmm-module.crd.trimmed.yaml): valid, and the validator does refuse
    expect(moduleProblems(mod)).toEqual([]);
    expect(moduleProblems(parse(fa['module-master.yaml']!))).toEqual([]);
    const noSelector = { ...mod, spec: { moduleLoader: mod.spec.moduleLoader } };
    expect(moduleProblems(noSelector).join('\n')).toMatch(/Module CRD: \/spec must have required property 'selector'/);
    const noImage = structuredClone(mod) as unknown as { spec: { moduleLoader: { container: { kernelMappings: unknown[] } } } };
    noImage.spec.moduleLoader.container.kernelMappings = [{ regexp: 1 }];
    expect(moduleProblems(noImage).join('\n')).toMatch(
      /Module CRD: \/spec\/moduleLoader\/container\/kernelMappings\/0\/regexp must be string/,
    );
    expect(mod.apiVersion).toBe('kmm.sigs.x-k8s.io/v1beta1');
    expect(mod.kind).toBe('Module');
    expect(mod.spec.selector).toEqual({ 'node-role.kubernetes.io/worker': '' });
    expect(mod.spec.moduleLoader.container.modprobe.moduleName).toBe('wireguard');
    expect(mod.spec.moduleLoader.container.inTreeModulesToRemove).toEqual(['wireguard']);
    // one regexp mapping with KMM's ${KERNEL_FULL_VERSION}: an upgrade needs an image, not a new CR
    expect(mod.spec.moduleLoader.container.kernelMappings).toEqual([
      { regexp: '^.+\\.(aarch64|x86_64)$', containerImage: `${IMAGE}:\${KERNEL_FULL_VERSION}` },
    ]);
    for (const t of tags) expect(new RegExp(mod.spec.moduleLoader.container.kernelMappings[0]!.regexp).test(t)).toBe(true);
    // the Day-1 to Day-2 handover: KMM's BootModuleConfig naming kplay's MachineConfig, valid for the vendored CRD
    const bmc = parse(fa['bootmoduleconfig-worker.yaml']!) as { spec: Record<string, unknown> };
    expect(bootModuleConfigProblems(bmc)).toEqual([]);
    expect(bmc.spec).toEqual({
      kernelModuleImage: IMAGE,
      kernelModuleName: 'wireguard',
      machineConfigName: '99-worker-kplay-kmm-wireguard',
      machineConfigPoolName: 'worker',
      inTreeModulesToRemove: ['wireguard'],
    });
    expect(bootModuleConfigProblems({ ...bmc, spec: { kernelModuleName: 'x' } }).join('\n')).toMatch(
      /BootModuleConfig CRD: \/spec must have required property 'kernelModuleImage'/,
    );
  });

  it("makes MachineConfigs that pass the vendored Ignition 3.2.0 schema and MachineConfig CRD, in KMM's Day-1 shape", async () => {
    for (const role of ['worker', 'master']) {
      const mc = parse(await readFile(path.join(work, 'a', `machineconfig-${role}.yaml`), 'utf8')) as Mc;
      expect(machineConfigProblems(mc)).toEqual([]);
      expect(mc.metadata.labels).toEqual({ 'machineconfiguration.openshift.io/role': role });
      expect(mc.spec.config.ignition.version).toBe('3.2.0');
      const units = mc.spec.config.systemd.units;
      expect(units.find((u) => u.name === 'crio-wipe.service')).toEqual({ name: 'crio-wipe.service', enabled: false, mask: true });
      const load = units.find((u) => u.name.endsWith('-load.service'))!;
      expect(load.contents).toMatch(/^Before=network-pre\.target$/m);
      expect(load.contents).toMatch(/^DefaultDependencies=no$/m);
      // KMM's own units (test/fixtures/kmm/ignition.gotmpl, internal/mcfg at 0419e2f0, see its ORIGIN.md):
      // every proxy and dispatcher line there is in kplay's unit of the same role
      const pull = units.find((u) => u.name.endsWith('-pull.service'))!;
      const lines = (text: string | undefined) => (text ?? '').split('\n');
      const kmmUnits = kmmTemplateUnits();
      expect(kmmUnits.map((u) => u[0])).toEqual([
        'Description=Replace in-tree kernel module with oot kernel module',
        'Description=Pull oot kernel module image',
      ]);
      const [kmmLoad, kmmPull] = kmmUnits as [string[], string[]];
      const proxy = (u: string[]) => u.filter((l) => /^EnvironmentFile=/.test(l));
      const dispatcher = (u: string[]) => u.filter((l) => /NetworkManager-dispatcher|network-online|wait-for-dispatcher/.test(l));
      expect(proxy(kmmLoad)).toEqual(['EnvironmentFile=/etc/mco/proxy.env']);
      expect(proxy(kmmPull)).toEqual(['EnvironmentFile=/etc/mco/proxy.env']);
      expect(proxy(lines(load.contents))).toEqual(proxy(kmmLoad));
      expect(proxy(lines(pull.contents))).toEqual(proxy(kmmPull));
      expect(dispatcher(kmmPull)).toEqual([
        'After=network-online.target',
        'After=NetworkManager-dispatcher.service',
        'ExecStartPre=/usr/local/bin/wait-for-dispatcher.sh',
      ]);
      // the same lines; the wait script has kplay's per-module name
      expect(dispatcher(lines(pull.contents)).filter((l) => !l.startsWith('Wants='))).toEqual(
        dispatcher(kmmPull).map((l) =>
          l.replace('/usr/local/bin/wait-for-dispatcher.sh', '/usr/local/bin/kplay-kmm-wireguard-wait-for-dispatcher.sh'),
        ),
      );
      expect(dispatcher(lines(load.contents))).toEqual(dispatcher(kmmLoad));
      for (const l of ['Before=network-pre.target', 'Wants=network-pre.target', 'DefaultDependencies=no', 'User=root', 'Type=oneshot'])
        expect(lines(load.contents), l).toContain(l);
      for (const l of ['User=root', 'Type=oneshot', 'TimeoutSec=900']) expect(lines(pull.contents), l).toContain(l);
      expect(lines(pull.contents)).toContain('ExecStartPre=/usr/local/bin/kplay-kmm-wireguard-wait-for-dispatcher.sh');
      for (const f of mc.spec.config.storage.files) {
        expect(f.mode).toBe(493);
        expect(f.contents.source).toMatch(/^data:text\/plain;charset=utf-8;base64,[A-Za-z0-9+/=]+$/);
      }
    }
    // the validators do reject what the schemas forbid
    const broken = parse(await readFile(path.join(work, 'a', 'machineconfig-worker.yaml'), 'utf8')) as Mc;
    (broken.spec.config.storage.files[0] as unknown as { mode: unknown }).mode = '0755';
    expect(machineConfigProblems(broken).join('\n')).toMatch(
      /Ignition 3\.2\.0: \/spec\/config\/storage\/files\/0\/mode must be integer,null/,
    );
    expect(
      machineConfigProblems({ apiVersion: 'machineconfiguration.openshift.io/v1', kind: 'MachineConfig', spec: { kernelType: 1 } }).join(
        '\n',
      ),
    ).toMatch(/MachineConfig CRD: \/spec\/kernelType must be string/);
  });

  it("embeds scripts that bash -n and shellcheck accept, and that unload the in-tree module before the image's modprobe", async () => {
    const mc = parse(await readFile(path.join(work, 'a', 'machineconfig-worker.yaml'), 'utf8')) as Mc;
    const scripts = embeddedScripts(mc);
    expect(scripts.map((s) => s.path)).toEqual([
      '/usr/local/bin/kplay-kmm-wireguard-load.sh',
      '/usr/local/bin/kplay-kmm-wireguard-pull.sh',
      '/usr/local/bin/kplay-kmm-wireguard-wait-for-dispatcher.sh',
    ]);
    for (const s of [...scripts, { path: 'build-images.sh', text: await readFile(path.join(work, 'a', 'build-images.sh'), 'utf8') }]) {
      expect((await execa('bash', ['-n'], { input: s.text, reject: false })).exitCode, s.path).toBe(0);
      const sc = await execa('shellcheck', ['-s', 'bash', '-'], { input: s.text, reject: false });
      expect(sc.stdout, s.path).toBe('');
      expect(sc.exitCode, s.path).toBe(0);
    }
    const load = scripts[0]!.text;
    expect(load).toContain(`image='${IMAGE}':"$(uname -r)"`);
    expect(load.indexOf('modprobe -r "$m"')).toBeLessThan(load.indexOf('modprobe -d /opt "$module"'));
    expect(scripts[1]!.text).toContain('podman pull --authfile /var/lib/kubelet/config.json "$image"');
  });

  it('derives DNS-1123 object names from a module name with capitals (BusLogic)', async () => {
    const r = await runKplay(
      [
        'kmm',
        VARIANT,
        '--image',
        IMAGE,
        '--kernel',
        KERNELS[1]!,
        '--module',
        'BusLogic',
        '--role',
        'worker',
        '--role',
        'master',
        '--out',
        path.join(work, 'caps'),
      ],
      { cwd: ROOT },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    const dns1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
    for (const role of ['worker', 'master']) {
      const mc = parse(await readFile(path.join(work, 'caps', `machineconfig-${role}.yaml`), 'utf8')) as Mc & {
        metadata: { name: string };
      };
      const mod = parse(await readFile(path.join(work, 'caps', `module-${role}.yaml`), 'utf8')) as {
        metadata: { name: string };
        spec: { moduleLoader: { container: { modprobe: { moduleName: string } } } };
      };
      expect(mc.metadata.name).toBe(`99-${role}-kplay-kmm-buslogic`);
      expect(mod.metadata.name).toBe(`buslogic-${role}`);
      for (const n of [mc.metadata.name, mod.metadata.name]) expect(n).toMatch(dns1123);
      // the module itself keeps its name: modprobe BusLogic
      expect(mod.spec.moduleLoader.container.modprobe.moduleName).toBe('BusLogic');
      expect(machineConfigProblems(mc)).toEqual([]);
    }
  });

  it('replaces the in-tree modules asked for, or none with --no-replace', async () => {
    const none = await runKplay(
      ['kmm', VARIANT, '--image', IMAGE, '--kernel', KERNELS[1]!, '--no-replace', '--out', path.join(work, 'none')],
      { cwd: ROOT },
    );
    expect(none.exitCode).toBe(0);
    expect(await readFile(path.join(work, 'none', 'module-worker.yaml'), 'utf8')).not.toContain('inTreeModulesToRemove');
    const mc = parse(await readFile(path.join(work, 'none', 'machineconfig-worker.yaml'), 'utf8')) as Mc;
    expect(embeddedScripts(mc)[0]!.text).toContain('in_tree=()\n');
    const two = await runKplay(
      [
        'kmm',
        VARIANT,
        '--image',
        IMAGE,
        '--kernel',
        KERNELS[1]!,
        '--replace',
        'ice',
        '--replace',
        'wireguard',
        '--out',
        path.join(work, 'two'),
      ],
      { cwd: ROOT },
    );
    expect(two.exitCode).toBe(0);
    const mc2 = parse(await readFile(path.join(work, 'two', 'machineconfig-worker.yaml'), 'utf8')) as Mc;
    expect(embeddedScripts(mc2)[0]!.text).toContain("in_tree=('ice' 'wireguard')\n");
  });

  it('names a bad image reference at the argument, with the column', async () => {
    const r = await runKplay(
      ['kmm', VARIANT, '--image', 'quay.io/Example/wg:latest', '--kernel', KERNELS[0]!, '--out', path.join(work, 'bad')],
      { cwd: ROOT },
    );
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^--image:1:19: error E_KMM_IMAGE: .*carries a tag/m);
    const noHost = await runKplay(['kmm', VARIANT, '--image', 'example/wg', '--kernel', KERNELS[0]!, '--out', path.join(work, 'bad')], {
      cwd: ROOT,
    });
    expect(noHost.stderr).toMatch(/error E_KMM_IMAGE: .*'example' is not a registry host/);
    const upper = await runKplay(
      ['kmm', VARIANT, '--image', 'quay.io/Example/wg', '--kernel', KERNELS[0]!, '--out', path.join(work, 'bad')],
      { cwd: ROOT },
    );
    expect(upper.stderr).toMatch(/^--image:1:9: error E_KMM_IMAGE: .*'Example' is not a valid repository name component/m);
    expect((await readdir(work)).includes('bad')).toBe(false);
  });

  it('names the variant line that rules out a kernel it cannot build for', async () => {
    const r = await runKplay(['kmm', VARIANT, '--image', IMAGE, '--kernel', '6.1.0-1.el9', '--out', path.join(work, 'bad')], { cwd: ROOT });
    expect(r.exitCode).toBeGreaterThan(0);
    expect(r.exitCode).toBeLessThan(3);
    expect(r.stderr).toMatch(
      /^variants\/kmod-wireguard\.yml:\d+:\d+: error E_KMM_KERNEL: the variant cannot build for kernel 6\.1\.0-1\.el9: its module sources are from 5\.14\.0/m,
    );
    const arch = await runKplay(['kmm', VARIANT, '--image', IMAGE, '--kernel', '5.14.0-570.el9.ppc64le', '--out', path.join(work, 'bad')], {
      cwd: ROOT,
    });
    expect(arch.stderr).toMatch(
      /^variants\/kmod-wireguard\.yml:\d+:\d+: error E_KMM_KERNEL: .*ppc64le is not one of its arches \(x86_64, aarch64\)/m,
    );
    const notKmod = await runKplay(
      ['kmm', 'variants/playground.yml', '--image', IMAGE, '--kernel', KERNELS[0]!, '--out', path.join(work, 'bad')],
      { cwd: ROOT },
    );
    expect(notKmod.exitCode).toBe(2);
    expect(notKmod.stderr).toMatch(/^variants\/playground\.yml:1:1: error E_KMM_NOT_KMOD/m);
    expect((await readdir(work)).includes('bad')).toBe(false);
  });
});
