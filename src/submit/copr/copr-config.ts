import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../findings/finding.js';

/** Fedora's public Copr; the default when the config file names no `copr_url`. */
export const DEFAULT_COPR_URL = 'https://copr.fedorainfracloud.org';

/** The `[copr-cli]` section of copr-cli's own config file. */
export interface CoprCredentials {
  /** Sent with the token as HTTP Basic `login:token` (not the username). */
  login: string;
  /** The Copr user name, when the file gives it. */
  username?: string;
  token: string;
  /** Without a trailing slash. */
  coprUrl: string;
  /** The file the credentials came from (for messages). */
  file: string;
}

/** copr-cli's config path: `~/.config/copr`. */
export function defaultCoprConfigPath(): string {
  return path.join(os.homedir(), '.config', 'copr');
}

/**
 * Parse an INI text into sections. Each `key = value` line is split on its FIRST `=` only:
 * Copr logins contain `=`. Lines starting with `#` or `;` are comments.
 */
export function parseIni(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      const name = header[1]!.trim();
      current = sections.get(name) ?? new Map<string, string>();
      sections.set(name, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0 || !current) continue;
    current.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return sections;
}

export function normalizeCoprUrl(url: string): string {
  return url.trim().replace(/\/+$/, '');
}

/**
 * Credentials from the config text. Returns the missing keys instead of throwing, so the caller
 * can name the file. The URL override (env or CLI) wins over the file's `copr_url`.
 */
export function credentialsFromIni(
  text: string,
  file: string,
  urlOverride?: string,
): { credentials?: CoprCredentials; missing: string[] } {
  const section = parseIni(text).get('copr-cli');
  const login = section?.get('login');
  const token = section?.get('token');
  const missing = [!section ? '[copr-cli] section' : '', section && !login ? 'login' : '', section && !token ? 'token' : ''].filter(Boolean);
  if (!login || !token) return { missing };
  return {
    credentials: {
      login,
      token,
      username: section?.get('username') || undefined,
      coprUrl: normalizeCoprUrl(urlOverride || section?.get('copr_url') || DEFAULT_COPR_URL),
      file,
    },
    missing: [],
  };
}

/** The Copr URL a config file points at (even one without a token), after the override. */
export async function readCoprUrl(file: string | undefined, urlOverride?: string): Promise<string> {
  if (urlOverride) return normalizeCoprUrl(urlOverride);
  const text = await readFile(file ?? defaultCoprConfigPath(), 'utf8').catch(() => '');
  return normalizeCoprUrl(parseIni(text).get('copr-cli')?.get('copr_url') || DEFAULT_COPR_URL);
}

/**
 * Read credentials from `file` (default `~/.config/copr`). A missing or incomplete file is a
 * usage error that says where to get a token. The token itself is never part of any message.
 */
export async function readCoprCredentials(file: string | undefined, urlOverride?: string): Promise<CoprCredentials> {
  const configFile = file ?? defaultCoprConfigPath();
  const apiPage = `${normalizeCoprUrl(urlOverride || DEFAULT_COPR_URL)}/api`;
  let text: string;
  try {
    text = await readFile(configFile, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      `no Copr credentials: cannot read ${configFile} (${code ?? 'error'}); get an API token at ${apiPage} and save it there (or pass --copr-config PATH)`,
    );
  }
  const { credentials, missing } = credentialsFromIni(text, configFile, urlOverride);
  if (!credentials) {
    throw new UsageError(`${configFile}: the Copr config lacks ${missing.join(', ')}; copy the [copr-cli] block from ${apiPage}`);
  }
  return credentials;
}
