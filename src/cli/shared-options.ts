import { Option } from 'commander';

/**
 * One spelling per concept across every command: the options several commands share are made
 * here, with the same flag, the same environment variable and the same wording, so a maintainer
 * who learnt `--kernel-source` on `compose` finds it on `kconfig resolve` and `patches check`
 * too. test/unit/cli/option-vocabulary.test.ts walks every command's options and fails on a
 * second spelling of one concept.
 */

/** The base kernel as a tree or tarball; `$KPLAY_KERNEL_SOURCE` when the flag is not given. */
export function kernelSourceOption(what: string): Option {
  return new Option('--kernel-source <tree-or-tarball>', what).env('KPLAY_KERNEL_SOURCE');
}

/** A distribution dist-git checkout (or URL to clone) instead of the variant's own. */
export function distGitOption(): Option {
  return new Option(
    '--dist-git <dir-or-url>',
    "fedora / centos-stream bases: use this dist-git checkout (or clone this URL) instead of the variant's",
  ).env('KPLAY_DIST_GIT');
}

/** The target kernel's kernel-devel tree or RPM (kmod variants). */
export function kernelDevelOption(what: string): Option {
  return new Option('--kernel-devel <tree-or-rpm>', what).env('KPLAY_KERNEL_DEVEL');
}

/**
 * Old spellings, kept for one release as hidden aliases: they still work, are not shown in
 * `--help`, and say once on stderr which flag replaces them.
 */
export interface LegacyAlias {
  /** the old flag with its argument, e.g. '--source <tree-or-tarball>' */
  flags: string;
  /** the commander attribute of the old flag, e.g. 'source' */
  attribute: string;
  /** the flag that replaces it, e.g. '--kernel-source' */
  replacement: string;
  /** the commander attribute of the replacement, e.g. 'kernelSource' */
  replacementAttribute: string;
}

export const SOURCE_ALIAS: LegacyAlias = {
  flags: '--source <tree-or-tarball>',
  attribute: 'source',
  replacement: '--kernel-source',
  replacementAttribute: 'kernelSource',
};

export function legacyAliasOption(alias: LegacyAlias): Option {
  return new Option(alias.flags, `old spelling of ${alias.replacement}`).hideHelp();
}

/**
 * Fold an old spelling into its replacement (the old flag given on the command line wins over
 * the replacement's environment variable, as any command-line flag does) and say so once.
 */
export function applyLegacyAlias(opts: Record<string, unknown>, alias: LegacyAlias, warn = (s: string) => process.stderr.write(s)): void {
  const old = opts[alias.attribute];
  if (old === undefined) return;
  warn(`kplay: ${alias.flags.split(' ')[0]} is now ${alias.replacement}; the old spelling will be removed in the next release\n`);
  opts[alias.replacementAttribute] = old;
  delete opts[alias.attribute];
}
