import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError, type SourceLocation } from '../../findings/finding.js';
import { emptyIniDocument, IniSyntaxError, parseIniInto, sectionValues, type IniEntry } from '../../ini/ini.js';

/** A koji client profile, read like koji's own `read_config`. */
export interface KojiProfile {
  name: string;
  /** XML-RPC hub URL. */
  server: string;
  /** Web UI base (task pages). */
  weburl: string;
  /** Files base (task output and logs); undefined when the profile has none. */
  topurl?: string;
  authtype?: string;
  /**
   * Client certificate path, `~` expanded. Without a `cert` line, koji's own default: `~/.koji/client.crt`
   * when that file exists, else '' (and then `activate_session` logs in with Kerberos).
   */
  cert: string;
  /** CA of the hub's certificate; without a line, `~/.koji/serverca.crt` when it exists, else ''. */
  serverca: string;
  /** `no_ssl_verify = true`: koji sends verify=False when there is no serverca. */
  noSslVerify?: boolean;
  pollIntervalS: number;
  maxRetries: number;
  retryIntervalS: number;
  timeoutS: number;
  /** The profile's section header (last file that had it). */
  where: SourceLocation;
  /** Every file read, in order. */
  files: string[];
}

export interface KojiConfigLocations {
  /** `~` for `~/.koji/...` and `~` in values. */
  home: string;
  /** Folder holding `koji.conf` and `koji.conf.d` (default `/etc`). */
  sysconfDir?: string;
  /** Like `koji -c FILE`: replaces the two user locations and must exist. */
  userConfig?: string;
}

const DEFAULTS = {
  server: 'http://localhost/kojihub',
  weburl: 'http://localhost/koji',
  poll_interval: 6,
  max_retries: 30,
  retry_interval: 20,
  timeout: 60 * 60 * 12,
};

const CONFIG_ERROR = 'E_CBS_CONFIG';

function configError(message: string, where?: SourceLocation, hint?: string): UsageError {
  return new UsageError(message, [{ code: CONFIG_ERROR, severity: 'error', message, where, hint }]);
}

export function expandHome(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return path.join(home, p.slice(2));
  return p;
}

/** The four places koji looks, in koji's order; later files override earlier ones. */
export function kojiConfigSearchPath(loc: KojiConfigLocations): Array<{ path: string; strict: boolean }> {
  const etc = loc.sysconfDir ?? '/etc';
  const list = [
    { path: path.join(etc, 'koji.conf.d'), strict: false },
    { path: path.join(etc, 'koji.conf'), strict: false },
  ];
  if (loc.userConfig) list.push({ path: expandHome(loc.userConfig, loc.home), strict: true });
  else {
    list.push({ path: path.join(loc.home, '.koji', 'config.d'), strict: false });
    list.push({ path: path.join(loc.home, '.koji', 'config'), strict: false });
  }
  return list;
}

/** Expand the search path into the files to read: a folder contributes its `*.conf`, sorted. */
export function kojiConfigFiles(loc: KojiConfigLocations): string[] {
  const files: string[] = [];
  for (const { path: p, strict } of kojiConfigSearchPath(loc)) {
    let isDir = false;
    let isFile = false;
    try {
      const st = statSync(p);
      isDir = st.isDirectory();
      isFile = st.isFile();
    } catch {
      /* missing */
    }
    if (isDir) {
      const confs = readdirSync(p)
        .filter((n) => n.endsWith('.conf'))
        .sort()
        .map((n) => path.join(p, n))
        .filter((f) => statSync(f).isFile());
      if (!confs.length && strict) throw configError(`no config files found in folder ${p}`);
      files.push(...confs);
    } else if (isFile) {
      files.push(p);
    } else if (strict) {
      throw configError(`koji config file ${p} cannot be opened`, undefined, 'check the path given to --koji-config');
    }
  }
  return files;
}

function intValue(entry: IniEntry | undefined, key: string, fallback: number): number {
  if (!entry) return fallback;
  if (!/^[+-]?\d+$/.test(entry.value)) {
    throw configError(`value for ${key} must be a valid integer, not "${entry.value}"`, entry.where);
  }
  return Number.parseInt(entry.value, 10);
}

/** The authtypes koji's activate_session knows (cli/koji_cli/lib.py). */
export const AUTHTYPES = ['ssl', 'kerberos', 'password', 'noauth'];

/**
 * koji's read_config for `cert` and `serverca`: the profile's value with `~` expanded; without a
 * line, the file under `~/.koji/` when it exists, else ''. (No CBS special case: the CBS profile
 * that centos-packager installs names `cert = ~/.centos.cert` itself.)
 */
function certDefault(value: string | undefined, fallback: string, home: string): string {
  if (value !== undefined) return expandHome(value, home);
  const p = path.join(home, fallback);
  return existsSync(p) ? p : '';
}

/** configparser's getboolean words. */
function boolValue(entry: IniEntry | undefined, key: string): boolean {
  if (!entry) return false;
  const v = entry.value.toLowerCase();
  if (['1', 'yes', 'true', 'on'].includes(v)) return true;
  if (['0', 'no', 'false', 'off'].includes(v)) return false;
  throw configError(`value for ${key} must be a boolean (true/false, yes/no, on/off, 1/0), not "${entry.value}"`, entry.where);
}

/**
 * Read the named profile from the koji configuration files. A missing profile is an error naming
 * every place looked at.
 */
export function readKojiProfile(profile: string, loc: KojiConfigLocations): KojiProfile {
  const files = kojiConfigFiles(loc);
  const doc = emptyIniDocument();
  try {
    for (const f of files) parseIniInto(doc, readFileSync(f, 'utf8'), f);
  } catch (err) {
    if (err instanceof IniSyntaxError) throw configError(err.message, err.where);
    throw err;
  }
  let values;
  try {
    values = sectionValues(doc, profile);
  } catch (err) {
    if (err instanceof IniSyntaxError) throw configError(err.message, err.where);
    throw err;
  }
  if (!values) {
    const looked = kojiConfigSearchPath(loc)
      .map((l) => l.path)
      .join(', ');
    throw configError(
      `no koji configuration for profile "${profile}" (looked in ${looked})`,
      undefined,
      profile === 'cbs'
        ? 'install the CBS client configuration (the centos-packager package provides /etc/koji.conf.d/cbs-koji.conf) or add a [cbs] section to ~/.koji/config'
        : `add a [${profile}] section with server, weburl and topurl to ~/.koji/config, or choose another --koji-profile`,
    );
  }
  const str = (k: string) => values.get(k)?.value;
  const home = loc.home;
  const cert = certDefault(str('cert'), '.koji/client.crt', home);
  const serverca = certDefault(str('serverca'), '.koji/serverca.crt', home);
  const authtype = str('authtype') || undefined;
  if (authtype !== undefined && !AUTHTYPES.includes(authtype)) {
    // activate_session takes none of its branches and stops: "Unable to log in, no authentication methods available"
    throw configError(
      `authtype "${authtype}" of koji profile "${profile}" is none of ${AUTHTYPES.join(', ')}: the koji CLI would say "Unable to log in, no authentication methods available"`,
      values.get('authtype')?.where,
      'use authtype = ssl (client certificate), kerberos, password or noauth, or remove the line',
    );
  }
  const noSslVerify = boolValue(values.get('no_ssl_verify'), 'no_ssl_verify');
  const server = str('server') ?? DEFAULTS.server;
  if (!/^https?:\/\/[^/\s]+/.test(server)) {
    throw configError(`server of profile "${profile}" is not an http(s) URL: "${server}"`, values.get('server')?.where);
  }
  return {
    name: profile,
    server,
    weburl: (str('weburl') ?? DEFAULTS.weburl).replace(/\/+$/, ''),
    topurl: str('topurl')?.replace(/\/+$/, '') || undefined,
    ...(authtype ? { authtype } : {}),
    cert,
    serverca,
    ...(noSslVerify ? { noSslVerify } : {}),
    pollIntervalS: intValue(values.get('poll_interval'), 'poll_interval', DEFAULTS.poll_interval),
    maxRetries: intValue(values.get('max_retries'), 'max_retries', DEFAULTS.max_retries),
    retryIntervalS: intValue(values.get('retry_interval'), 'retry_interval', DEFAULTS.retry_interval),
    timeoutS: intValue(values.get('timeout'), 'timeout', DEFAULTS.timeout),
    where: doc.headers.get(profile) ?? { file: files[files.length - 1] ?? '', line: 0, col: 0 },
    files,
  };
}
