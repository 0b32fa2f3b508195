import type { Command } from 'commander';
import { displayPath } from '../model/safe-path.js';
import { printFindings, printSummary, runCommand } from '../findings/report.js';

interface KmmCliOptions {
  image: string;
  kernel: string[];
  role: string[];
  module?: string;
  replace?: string[];
  noReplace?: boolean;
  firmwarePath?: string;
  namespace: string;
  builderImage?: string;
  finalImage?: string;
  out?: string;
  signKey?: string;
  signCert?: string;
  json: boolean;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function register(program: Command): void {
  program
    .command('kmm')
    .description(
      'KMM Day-1 for a kmod variant: driver-container Containerfile (one tag per kernel), the Day-1 MachineConfig per node role (Ignition 3.2.0) and the Day-2 Module CR (docs/kmm.md)',
    )
    .argument('<kmod-variant>', 'a type: kmod variant, e.g. variants/kmod-wireguard.yml')
    .requiredOption('--image <registry/name>', "driver image without a tag; each kernel's image is tagged with its uname -r")
    .option('--kernel <version>', 'kernel version-release to build for (5.14.0-570.el9, or with .x86_64); repeat for several', collect, [])
    .option('--role <role>', 'MachineConfigPool role to target; repeat for several (default worker)', collect, [])
    .option('--module <name>', 'module to load (default: the kmod name)')
    .option('--replace <module>', 'in-tree module to unload first; repeat for several (default: the module itself)', collect)
    .option('--no-replace', 'unload no in-tree module')
    .option('--firmware-path <dir>', "folder of firmware files in the image, copied to the node's /var/lib/firmware (KMM's firmwarePath)")
    .option('--namespace <ns>', 'namespace of the Module CR', 'openshift-kmm')
    .option(
      '--builder-image <image>',
      'build stage base image with dnf and the target kernel-devel (default: CentOS Stream N for an elN kernel, Fedora N for fcN)',
    )
    .option('--final-image <image>', 'final stage base image with microdnf, for kmod (default: the matching -minimal image)')
    .option('--sign-key <file>', 'SIG private key the image build signs the modules with (a build secret; never read by kplay)')
    .option('--sign-cert <file>', 'the certificate of --sign-key (PEM)')
    .option('--out <dir>', 'output folder (default out/<variant>-kmm under the repository root)')
    .option('--json', 'print the result as JSON on stdout', false)
    .addHelpText(
      'after',
      '\nExamples:\n  $ kplay kmm variants/kmod-wireguard.yml --image quay.io/example/wireguard-kmod --kernel 6.12.0-55.el10 --kernel 6.12.0-60.el10\n  $ kplay kmm variants/kmod-wireguard.yml --image registry.example.org:5000/kmods/wg --kernel 6.12.0-55.el10.x86_64 --role worker --role master',
    )
    .action(async (variant: string, opts: KmmCliOptions & { replace?: string[] | boolean }) => {
      await runCommand(async () => {
        const { runKmm } = await import('../kmm/run-kmm.js');
        const replace = opts.replace === false ? [] : Array.isArray(opts.replace) ? opts.replace : undefined;
        const r = await runKmm(variant, {
          image: opts.image,
          kernels: opts.kernel,
          roles: opts.role.length ? opts.role : ['worker'],
          ...(opts.module ? { module: opts.module } : {}),
          ...(replace ? { replace } : {}),
          ...(opts.firmwarePath ? { firmwarePath: opts.firmwarePath } : {}),
          namespace: opts.namespace,
          ...(opts.builderImage ? { builderImage: opts.builderImage } : {}),
          ...(opts.finalImage ? { finalImage: opts.finalImage } : {}),
          ...(opts.out ? { out: opts.out } : {}),
          ...(opts.signKey !== undefined ? { signKey: opts.signKey } : {}),
          ...(opts.signCert !== undefined ? { signCert: opts.signCert } : {}),
        });
        if (opts.json) {
          process.stdout.write(
            `${JSON.stringify({ out: r.outDir ? displayPath(r.outDir) : null, written: r.written, files: r.files ? [...r.files.keys()].sort() : [], images: r.targets?.map((t) => t.full) ?? [], findings: r.findings }, null, 2)}\n`,
          );
        } else {
          printFindings(r.findings);
          if (r.written && r.outDir) process.stdout.write(`wrote ${displayPath(r.outDir)}/ (${[...r.files!.keys()].sort().join(', ')})\n`);
          printSummary(r.findings, 'kmm');
        }
        return r.exitCode;
      });
    });
}
