/**
 * One spelling per concept: every command (and subcommand) is registered exactly as `kplay`
 * registers it, and its visible options are checked against the vocabulary below. A second
 * spelling of a concept (say `--source` next to `--kernel-source`, `--output` next to `--out`) or
 * a shared flag without its environment variable fails here, naming the command.
 */
import { Command, type Option } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { commandModules, commandSummaries, registerForHelp } from '../../../src/cli/command-modules.js';

/** canonical flag → other spellings of the same concept, and the environment variable it reads */
const VOCABULARY: Array<{ flag: string; others: string[]; env?: string; envExempt?: string[] }> = [
  {
    flag: '--kernel-source',
    others: ['--source', '--kernel-tree', '--tree', '--linux', '--kernel-src'],
    env: 'KPLAY_KERNEL_SOURCE',
    // track's kernel source is the *new* kernel's, a template with {kernel}: a global default would check the wrong tree
    envExempt: ['track'],
  },
  { flag: '--dist-git', others: ['--distgit', '--dist-git-dir', '--spec-repo'], env: 'KPLAY_DIST_GIT' },
  { flag: '--kernel-devel', others: ['--kdevel', '--headers', '--kernel-headers'], env: 'KPLAY_KERNEL_DEVEL', envExempt: ['track'] },
  { flag: '--out', others: ['--output', '--out-dir', '--output-dir', '--outdir'] },
  { flag: '--json', others: ['--format', '--output-json'] },
  { flag: '--quiet', others: ['--silent', '--no-progress'] },
  { flag: '--cache-dir', others: ['--cache', '--cachedir'] },
  { flag: '--dry-run', others: ['--dryrun', '--noop', '--pretend'] },
];

// the first import of every module (through vitest's transform) took over the 20 s test limit on
// a loaded machine: it happens once, here, with a longer one
beforeAll(async () => {
  for (const load of Object.values(commandModules)) await load();
}, 180_000);

async function program(): Promise<Command> {
  const p = new Command('kplay');
  for (const load of Object.values(commandModules)) await (await load()).register(p);
  return p;
}

function* walk(cmd: Command, prefix: string[] = []): Generator<{ name: string; options: readonly Option[] }> {
  for (const sub of cmd.commands) {
    const name = [...prefix, sub.name()];
    yield { name: name.join(' '), options: sub.options };
    yield* walk(sub, name);
  }
}

describe('one vocabulary of flags', () => {
  it('no command offers a second spelling of a shared concept', async () => {
    const wrong: string[] = [];
    for (const { name, options } of walk(await program())) {
      for (const o of options) {
        if (o.hidden) continue;
        const long = o.long ?? '';
        const concept = VOCABULARY.find((v) => v.others.includes(long));
        if (concept) wrong.push(`kplay ${name}: ${long} should be spelt ${concept.flag}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('a shared flag reads the same environment variable on every command', async () => {
    const wrong: string[] = [];
    let seen = 0;
    for (const { name, options } of walk(await program())) {
      for (const v of VOCABULARY.filter((x) => x.env)) {
        const o = options.find((x) => x.long === v.flag);
        if (!o) continue;
        seen++;
        const exempt = v.envExempt?.includes(name) ?? false;
        if (!exempt && o.envVar !== v.env) wrong.push(`kplay ${name}: ${v.flag} does not read $${v.env}`);
      }
    }
    expect(seen).toBeGreaterThan(5);
    expect(wrong).toEqual([]);
  });

  it('the old --source still works as a hidden alias of --kernel-source', async () => {
    const p = await program();
    const resolve = p.commands.find((c) => c.name() === 'kconfig')!.commands.find((c) => c.name() === 'resolve')!;
    const source = resolve.options.find((o) => o.long === '--source');
    expect(source?.hidden).toBe(true);
    expect(resolve.helpInformation()).toContain('--kernel-source');
    expect(resolve.helpInformation()).not.toMatch(/--source\b/);
  });
});

// `kplay --help` lists commandSummaries instead of loading every command module (issue 31: help
// cost 1.35 s CPU, now that of --version). Here, where every module is loaded anyway, the help
// made both ways is compared text for text.
describe('top-level help without loading the command modules', () => {
  const bare = () => new Command('kplay').description('d').configureOutput({ getOutHelpWidth: () => 100, getErrHelpWidth: () => 100 });

  it('lists every command with the term and description its module registers', async () => {
    const real = bare();
    for (const load of Object.values(commandModules)) await (await load()).register(real);
    const lazy = bare();
    await registerForHelp(lazy);
    expect(Object.keys(commandSummaries).sort()).toEqual(Object.keys(commandModules).sort());
    expect(lazy.helpInformation()).toBe(real.helpInformation());
    expect(lazy.helpInformation()).toMatch(/^ {2}compose \[options\] <variant> +merge a variant/m);
  });

  it('a command without a summary is listed from its module', async () => {
    const name = Object.keys(commandSummaries)[0]!;
    const saved = commandSummaries[name]!;
    delete commandSummaries[name];
    try {
      const lazy = bare();
      await registerForHelp(lazy);
      const cmd = lazy.commands.find((c) => c.name() === name)!;
      expect(cmd.description()).toBe(saved.description);
      expect(cmd.options.length).toBeGreaterThan(0); // the real command, with its options
    } finally {
      commandSummaries[name] = saved;
    }
  });
});
