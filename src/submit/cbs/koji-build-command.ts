import { shellWord } from '../../boundary/index.js';
import { kojiBuildFlags, type KojiBuildOptions } from './resolve-cbs-request.js';

/**
 * The koji command line that submits an SRPM. `cbs` is the koji CLI under the name of its
 * profile, so for the `cbs` profile `cbs build ...` and `koji -p cbs build ...` are the same.
 * `--nowait` is always passed: kplay watches the task itself (and a CLI without a terminal would
 * not wait anyway); never `--quiet`, whose output lacks the `Created task:` line.
 */
export interface KojiBuildRequest {
  profile: string;
  target: string;
  srpmPath: string;
  scratch: boolean;
  /** `-c FILE`, when the user named a config file. */
  userConfig?: string;
  archOverride?: string[];
  failFast?: boolean;
  skipTag?: boolean;
  buildOptions?: KojiBuildOptions;
}

export interface KojiCommand {
  /** Program name as the user would type it (`cbs` or `koji`). */
  program: string;
  args: string[];
  /** Where it was found on PATH (run this; its base name is still the program name). */
  executable?: string;
}

export interface InstalledKojiClients {
  cbs?: string;
  koji?: string;
}

/** `cbs ARGS` for the cbs profile when `cbs` is installed, else `koji -p PROFILE ARGS`. */
export function kojiCommand(
  profile: string,
  userConfig: string | undefined,
  args: string[],
  installed: InstalledKojiClients,
): KojiCommand | undefined {
  const global: string[] = userConfig ? ['-c', userConfig] : [];
  if (profile === 'cbs' && installed.cbs) return { program: 'cbs', args: [...global, ...args], executable: installed.cbs };
  if (installed.koji) return { program: 'koji', args: ['-p', profile, ...global, ...args], executable: installed.koji };
  if (installed.cbs) return { program: 'cbs', args: ['-p', profile, ...global, ...args], executable: installed.cbs };
  return undefined;
}

export function kojiBuildCommand(req: KojiBuildRequest, installed: InstalledKojiClients): KojiCommand | undefined {
  const global: string[] = req.userConfig ? ['-c', req.userConfig] : [];
  const build = [
    'build',
    ...(req.scratch ? ['--scratch'] : []),
    ...(req.skipTag ? ['--skip-tag'] : []),
    ...(req.failFast ? ['--fail-fast'] : []),
    ...(req.archOverride?.length ? [`--arch-override=${req.archOverride.join(',')}`] : []),
    ...kojiBuildFlags(req.buildOptions ?? {}),
    '--nowait',
    req.target,
    req.srpmPath,
  ];
  if (req.profile === 'cbs' && installed.cbs) {
    return { program: 'cbs', args: [...global, ...build], executable: installed.cbs };
  }
  if (installed.koji) return { program: 'koji', args: ['-p', req.profile, ...global, ...build], executable: installed.koji };
  if (installed.cbs) return { program: 'cbs', args: ['-p', req.profile, ...global, ...build], executable: installed.cbs };
  return undefined;
}

/** The command as one line a user can paste into a shell. */
export function formatCommandLine(cmd: KojiCommand): string {
  return [cmd.program, ...cmd.args].map(shellWord).join(' ');
}
