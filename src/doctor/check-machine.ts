import { existsSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CREDENTIAL_FILES, MACHINE_REQUIREMENTS, type MachineRequirement } from './machine-requirements.js';

export interface RequirementState {
  requirement: MachineRequirement;
  missing: string[];
}

export interface CredentialState {
  name: string;
  path: string;
  neededBy: string;
  present: boolean;
  /** group or others can read it: a token or key others on the machine can read */
  readableByOthers: boolean;
}

export interface MachineReport {
  requirements: RequirementState[];
  credentials: CredentialState[];
  kernelTrees: string[];
}

function onPath(cmd: string, searchPath: string): boolean {
  return searchPath
    .split(path.delimiter)
    .filter(Boolean)
    .some((dir) => {
      try {
        const st = statSync(path.join(dir, cmd));
        return st.isFile() && (st.mode & 0o111) !== 0;
      } catch {
        return false;
      }
    });
}

/** Does `pattern` exist? A `*` matches within one path segment. */
function fileExists(pattern: string): boolean {
  if (!pattern.includes('*')) return existsSync(pattern);
  let candidates = ['/'];
  for (const part of pattern.split('/').filter(Boolean)) {
    const next: string[] = [];
    for (const dir of candidates) {
      if (!part.includes('*')) {
        next.push(path.join(dir, part));
        continue;
      }
      const re = new RegExp(`^${part.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
      try {
        for (const n of readdirSync(dir)) if (re.test(n)) next.push(path.join(dir, n));
      } catch {
        // not a folder
      }
    }
    candidates = next;
  }
  return candidates.some((c) => existsSync(c));
}

function expandHome(p: string, home: string): string {
  return p.startsWith('~/') ? path.join(home, p.slice(2)) : p;
}

/** Check this machine; reads file modes and PATH only, never a credential's content. */
export function checkMachine(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): MachineReport {
  const searchPath = [env.PATH ?? '', '/usr/local/sbin', '/usr/sbin', '/sbin'].join(path.delimiter);
  const requirements = MACHINE_REQUIREMENTS.map((requirement) => ({
    requirement,
    missing: [
      ...(requirement.bins ?? []).filter((b) => !onPath(b, searchPath)),
      ...(requirement.files ?? []).filter((f) => !fileExists(f)),
    ],
  }));
  const credentials = CREDENTIAL_FILES.map((c) => {
    const full = expandHome(c.path, home);
    let present = false;
    let readableByOthers = false;
    try {
      const st = statSync(full);
      present = st.isFile();
      readableByOthers = present && (st.mode & 0o044) !== 0;
    } catch {
      // absent
    }
    return { ...c, present, readableByOthers };
  });
  let kernelTrees: string[] = [];
  try {
    kernelTrees = readdirSync('/usr/src')
      .filter((n) => /^linux-source-.*\.tar\.(xz|gz|bz2|zst)$/.test(n))
      .map((n) => path.join('/usr/src', n));
  } catch {
    // no /usr/src
  }
  return { requirements, credentials, kernelTrees };
}
