import { execa } from 'execa';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CoprError } from './copr-error.js';

/**
 * Copr's Kerberos login, as python-copr does it (python/copr/v3/auth/gssapi.py in fedora-copr/copr):
 * `GET {copr_url}/api_3/gssapi_login/` with SPNEGO (`Authorization: Negotiate ...`, answered by the
 * frontend's Apache, frontend/coprs_frontend/coprs/views/apiv3_ns/apiv3_general.py `GSSAPILogin`),
 * which returns the user as JSON `{id, name}` and a `session` cookie that authenticates every later
 * request. Node has no GSSAPI of its own, so the SPNEGO exchange is delegated to `curl --negotiate`
 * (built with GSS-API on Fedora, CentOS and Debian), which uses the ticket of `kinit`.
 */
export interface GssapiSession {
  /** The Copr user name (the principal without its realm). */
  name: string;
  /** Value of the `session` cookie: a secret, like a token. */
  session: string;
}

export const GSSAPI_LOGIN_ENDPOINT = 'gssapi_login/';

/** The cookie named `name` in a Netscape cookie jar as curl writes it (`#HttpOnly_` lines included). */
export function cookieFromJar(jar: string, name: string): string | undefined {
  for (const raw of jar.split('\n')) {
    const line = raw.startsWith('#HttpOnly_') ? raw.slice('#HttpOnly_'.length) : raw;
    if (!line || line.startsWith('#')) continue;
    const fields = line.split('\t');
    if (fields.length >= 7 && fields[5] === name) return fields[6]!.trim();
  }
  return undefined;
}

export async function gssapiLogin(coprUrl: string, opts: { timeoutMs: number; curl?: string }): Promise<GssapiSession> {
  const url = `${coprUrl}/api_3/${GSSAPI_LOGIN_ENDPOINT}`;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kplay-copr-gssapi-'));
  const jar = path.join(dir, 'cookies');
  const kinit = 'run `kinit YOUR_ACCOUNT@FEDORAPROJECT.ORG` first, or put an API token in the Copr config';
  try {
    const res = await execa(
      opts.curl ?? 'curl',
      [
        '--negotiate',
        '--user',
        ':',
        '--silent',
        '--show-error',
        '--location',
        '--cookie-jar',
        jar,
        '--header',
        'Accept: application/json',
        '--write-out',
        '\n%{http_code}',
        url,
      ],
      { reject: false, stdin: 'ignore', timeout: opts.timeoutMs },
    );
    if ((res as { code?: string }).code === 'ENOENT') {
      throw new CoprError(
        `the Copr config asks for a GSSAPI (Kerberos) login, which kplay does with \`curl --negotiate\`, and curl is not installed`,
        'auth',
      );
    }
    const out = String(res.stdout ?? '');
    const cut = out.lastIndexOf('\n');
    const status = Number(out.slice(cut + 1));
    const body = out.slice(0, Math.max(0, cut));
    if (res.exitCode !== 0 || !status) {
      throw new CoprError(`GSSAPI login to ${url} failed: curl: ${String(res.stderr ?? '').trim() || `exit ${res.exitCode}`}`, 'network');
    }
    if (status !== 200) {
      let why = '';
      try {
        const error = (JSON.parse(body) as { error?: unknown }).error;
        why = typeof error === 'string' ? error : '';
      } catch {
        /* an Apache page */
      }
      throw new CoprError(`GSSAPI login to ${url} was refused (HTTP ${status})${why ? `: ${why}` : ''}; ${kinit}`, 'auth', status);
    }
    let name: unknown;
    try {
      name = (JSON.parse(body) as { name?: unknown }).name;
    } catch {
      name = undefined;
    }
    const session = cookieFromJar(await readFile(jar, 'utf8').catch(() => ''), 'session');
    if (typeof name !== 'string' || !session) {
      throw new CoprError(`GSSAPI login to ${url} answered without a user or a session cookie`, 'auth', status);
    }
    return { name, session };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
