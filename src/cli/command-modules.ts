import { Help, type Command } from 'commander';

export type CommandModule = { register(program: Command): void | Promise<void> };

/**
 * One module per command, each exporting `register(program)`. Only the module of the command
 * being run is loaded (the others pull in the whole pipeline), so `kplay check` does not pay for
 * the Copr client and `kplay --version` for nothing at all. `kplay --help` loads none of them:
 * it lists commandSummaries.
 */
export const commandModules: Record<string, () => Promise<CommandModule>> = {
  compose: () => import('./compose-command.js'),
  check: () => import('./check-command.js'),
  list: () => import('./list-command.js'),
  diff: () => import('./diff-command.js'),
  feature: () => import('./feature-command.js'),
  explain: () => import('./explain-command.js'),
  srpm: () => import('./srpm-command.js'),
  submit: () => import('./submit-command.js'),
  status: () => import('./status-command.js'),
  cancel: () => import('./cancel-command.js'),
  promote: () => import('./promote-command.js'),
  kconfig: () => import('./kconfig-command.js'),
  patches: () => import('./patches-command.js'),
  matrix: () => import('./matrix-command.js'),
  track: () => import('./track-command.js'),
  keys: () => import('./keys-command.js'),
  sign: () => import('./sign-command.js'),
  kmm: () => import('./kmm-command.js'),
  kabi: () => import('./kabi-command.js'),
  doctor: () => import('./doctor-command.js'),
  try: () => import('./try-command.js'),
};

/**
 * What `kplay --help` lists for each command: the arguments after its name (commander's term,
 * "[options]" when it has options) and its description, as its module registers them.
 * test/unit/cli/command-summaries.test.ts compares the help made from these with the help made
 * from every module; a command missing here is still listed correctly (its module is loaded).
 */
export const commandSummaries: Record<string, { term: string; description: string }> = {
  compose: {
    term: '[options] <variant>',
    description: 'merge a variant and its features into an RPM spec, per-arch configs and a manifest, checking every conflict',
  },
  check: {
    term: '[options] [paths...]',
    description: 'validate feature folders and variants: schemas, fragment syntax, series, READMEs, names, and that every variant composes',
  },
  list: {
    term: '[options] [what]',
    description: 'list the features (summary, kernel range, arches, patches, which variants use them) or the variants',
  },
  diff: {
    term: '[options] <a> <b>',
    description:
      'compare two variants: base and arches, features added or removed, config values that differ (with who set them), patches that differ',
  },
  feature: { term: '', description: 'work with feature folders' },
  explain: {
    term: '[options] <variant> <symbol>',
    description:
      'explain a config symbol of a variant: its value, the dependency/select/default chain that produced it, and who set each symbol involved',
  },
  srpm: {
    term: '[options] <variant>',
    description:
      'compose a variant, fetch and verify its sources (cached), check it against the kernel it carries, and build a reproducible SRPM with rpmbuild -bs',
  },
  submit: {
    term: '[options] [variant]',
    description: 'build the SRPM of a variant (or take --srpm) and submit it to Copr or CBS, then watch the build',
  },
  status: {
    term: '[options] [variant]',
    description: 'show the state of the Copr build(s) and CBS task that kplay submit recorded for a variant (anonymous, sends nothing)',
  },
  cancel: { term: '[options] [variant]', description: 'cancel the Copr build(s) and/or CBS task that kplay submit recorded for a variant' },
  promote: {
    term: '[options] [variant]',
    description:
      'tag a real CBS build into a SIG tag (koji tag-build), or untag it; by default the build kplay submit --cbs recorded for the variant',
  },
  kconfig: { term: '', description: "work with a kernel tree's Kconfig directly" },
  patches: { term: '', description: 'check feature patch series' },
  matrix: {
    term: '[options] <variants...>',
    description: 'compose and check every variant on every base release; write out/matrix/matrix.json and a static HTML grid',
  },
  track: {
    term: '[options] <variant>',
    description: 'follow kernel.org releases: compose and check the variant on a new release, and bump its base when nothing breaks',
  },
  keys: { term: '', description: 'signing keys for Secure Boot and module signing (docs/signing.md)' },
  sign: {
    term: '[options] <files...>',
    description:
      "sign the kernel image (sbsign) and every module (the kernel's sign-file format) inside built RPMs, and rebuild them; --verify reports what is signed by which key",
  },
  kmm: {
    term: '[options] <kmod-variant>',
    description:
      'KMM Day-1 for a kmod variant: driver-container Containerfile (one tag per kernel), the Day-1 MachineConfig per node role (Ignition 3.2.0) and the Day-2 Module CR (docs/kmm.md)',
  },
  kabi: {
    term: '[options] <modules...>',
    description:
      "check built modules against a kernel's exports: every symbol they need must be in its Module.symvers with the same CRC (and, optionally, on a kABI stablelist)",
  },
  doctor: {
    term: '[options]',
    description:
      'check this machine for what each command needs (rpm tools, sandbox, QEMU, kernel trees, credentials files) and print the install command',
  },
  try: {
    term: '[options] <variant>',
    description:
      "build the variant's patched kernel with a small smoke config in a sandbox, and with --boot boot it in QEMU and run each feature's modules and test: lines",
  },
};

/**
 * Register every command for the top-level help (`kplay`, `kplay --help`, an unknown command):
 * a stub with the summary above, or the real module when a command has no summary.
 */
export async function registerForHelp(program: Command): Promise<void> {
  const stubs = new Set<Command>();
  for (const [name, load] of Object.entries(commandModules)) {
    const summary = commandSummaries[name];
    if (summary) stubs.add(program.command(name).description(summary.description));
    else await (await load()).register(program);
  }
  program.configureHelp({
    subcommandTerm(this: Help, cmd: Command): string {
      const term = stubs.has(cmd) ? commandSummaries[cmd.name()]?.term : undefined;
      return term === undefined ? Help.prototype.subcommandTerm.call(this, cmd) : term ? `${cmd.name()} ${term}` : cmd.name();
    },
  });
}
