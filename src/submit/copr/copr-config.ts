import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../findings/finding.js';
import { iniBoolean, IniSyntaxError, parseIni, sectionValues, type IniEntry } from '../../ini/ini.js';

/** Fedora's public Copr; the default when the config file names no `copr_url`. */
export const DEFAULT_COPR_URL = 'https://copr.fedorainfracloud.org';

/**
 * How kplay logs in, decided like python-copr's `auth_from_config` (python/copr/v3/auth/__init__.py
 * in fedora-copr/copr): a token wins; else `gssapi = true` means a Kerberos (SPNEGO) login.
 */
export type CoprLogin =
  /** HTTP Basic `login:token` (the login, not the username). */
  | { kind: 'token'; login: string; token: string }
  /** GET `/api_3/gssapi_login/` with SPNEGO, then the `session` cookie (python/copr/v3/auth/gssapi.py). */
  | { kind: 'gssapi' };

/** The `[copr-cli]` section of copr-cli's own config file. */
export interface CoprCredentials {
  auth: CoprLogin;
  /** The Copr user name, when the file gives it. */
  username?: string;
  /** Without a trailing slash. */
  coprUrl: string;
  /** The file the credentials came from (for messages). */
  file: string;
}

/** copr-cli's config path: `~/.config/copr`. */
export function defaultCoprConfigPath(): string {
  return path.join(os.homedir(), '.config', 'copr');
}

export function normalizeCoprUrl(url: string): string {
  return url.trim().replace(/\/+$/, '');
}

/** The `[copr-cli]` values (DEFAULT included, interpolated), or undefined without that section. */
function coprSection(text: string, file: string): Map<string, IniEntry> | undefined {
  try {
    return sectionValues(parseIni(text, file), 'copr-cli');
  } catch (err) {
    if (err instanceof IniSyntaxError) {
      throw new UsageError(`${file}:${err.where.line}: bad Copr config: ${err.message}`, [
        { code: 'E_COPR_CONFIG', severity: 'error', message: `bad Copr config: ${err.message}`, where: err.where },
      ]);
    }
    throw err;
  }
}

/**
 * Credentials from the config text, read as copr-cli reads them (python/copr/v3/helpers.py
 * `config_from_file`: configparser, so `key = value` or `key: value`, keys in any case,
 * continuation lines, comments, a DEFAULT section). Returns the missing keys instead of throwing,
 * so the caller can name the file. The URL override (env) wins over the file's `copr_url`.
 */
export function credentialsFromIni(text: string, file: string, urlOverride?: string): { credentials?: CoprCredentials; missing: string[] } {
  const section = coprSection(text, file);
  if (!section) return { missing: ['[copr-cli] section'] };
  const str = (k: string) => section.get(k)?.value || undefined;
  const login = str('login');
  const token = str('token');
  let gssapi: boolean;
  let encrypted: boolean;
  try {
    gssapi = iniBoolean(section.get('gssapi'), false);
    encrypted = iniBoolean(section.get('encrypted'), true);
  } catch (err) {
    if (!(err instanceof IniSyntaxError)) throw err;
    throw new UsageError(`${file}:${err.where.line}: bad Copr config: ${err.message}`);
  }
  const coprUrl = normalizeCoprUrl(urlOverride || str('copr_url') || DEFAULT_COPR_URL);
  // copr-cli refuses plain http unless the file says `encrypted = false`; the env override is for tests
  if (!urlOverride && encrypted && coprUrl.startsWith('http://')) {
    throw new UsageError(
      `${file}: copr_url ${coprUrl} is plain http; get an up-to-date config from the Copr website (or set encrypted = false)`,
    );
  }
  let auth: CoprLogin;
  if (token) {
    if (!login) return { missing: ['login'] };
    auth = { kind: 'token', login, token };
  } else if (gssapi) auth = { kind: 'gssapi' };
  else return { missing: [login ? 'token' : 'login, token', '(or gssapi = true for a Kerberos login)'] };
  return { credentials: { auth, username: str('username'), coprUrl, file }, missing: [] };
}

/** The Copr URL a config file points at (even one without a token), after the override. */
export async function readCoprUrl(file: string | undefined, urlOverride?: string): Promise<string> {
  if (urlOverride) return normalizeCoprUrl(urlOverride);
  const configFile = file ?? defaultCoprConfigPath();
  const text = await readFile(configFile, 'utf8').catch(() => '');
  let url: string | undefined;
  try {
    url = coprSection(text, configFile)?.get('copr_url')?.value;
  } catch {
    url = undefined;
  }
  return normalizeCoprUrl(url || DEFAULT_COPR_URL);
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
    const message = `no Copr credentials: cannot read ${configFile} (${code ?? 'error'})`;
    throw new UsageError(`${message}; get an API token at ${apiPage} and save it there (or pass --copr-config PATH)`, [
      {
        code: 'E_COPR_CONFIG',
        severity: 'error',
        message,
        hint: `get an API token at ${apiPage} and save it there (or pass --copr-config PATH)`,
      },
    ]);
  }
  const { credentials, missing } = credentialsFromIni(text, configFile, urlOverride);
  if (!credentials) {
    const message = `${configFile}: the Copr config lacks ${missing.join(' ')}`;
    throw new UsageError(`${message}; copy the [copr-cli] block from ${apiPage}`, [
      { code: 'E_COPR_CONFIG', severity: 'error', message, hint: `copy the [copr-cli] block from ${apiPage}` },
    ]);
  }
  return credentials;
}
