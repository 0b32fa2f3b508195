import { CoprClient, type CoprUser } from './copr-client.js';
import { readCoprCredentials, type CoprCredentials } from './copr-config.js';
import { CoprHttp } from './copr-http.js';
import type { CoprOutput } from './copr-output.js';
import type { CoprSettings } from './copr-settings.js';
import { gssapiLogin } from './gssapi-login.js';
import type { SecretRedactor } from './secret-redactor.js';

/** A logged-in Copr client and who it acts as (asked lazily, once). */
export class CoprSession {
  private user?: Promise<CoprUser>;
  constructor(
    readonly client: CoprClient,
    readonly creds: CoprCredentials,
    readonly out: CoprOutput,
    knownUser?: CoprUser,
  ) {
    if (knownUser) this.user = Promise.resolve(knownUser);
  }
  /** auth-check for a token (fails early when it is bad); the GSSAPI login already said who. */
  me(): Promise<CoprUser> {
    this.user ??= this.client.authCheck();
    return this.user;
  }
}

function httpFor(
  coprUrl: string,
  settings: CoprSettings,
  redactor: SecretRedactor,
  out: CoprOutput,
  file: string | undefined,
  credentials?: { login: string; token: string } | { session: string },
): CoprHttp {
  return new CoprHttp({
    coprUrl,
    credentials,
    redactor,
    configFile: file,
    retries: settings.retries,
    retryBaseMs: settings.retryBaseMs,
    timeoutMs: settings.httpTimeoutMs,
    debug: settings.debug ? (line) => out.info(line) : undefined,
  });
}

/** An anonymous client (public calls: builds, chroot lists). */
export function anonymousCoprClient(coprUrl: string, settings: CoprSettings, redactor: SecretRedactor, out: CoprOutput): CoprClient {
  return new CoprClient(httpFor(coprUrl, settings, redactor, out, undefined));
}

/**
 * Read the copr-cli config and log in: with `login:token` (HTTP Basic on each request), or with
 * `gssapi = true` and no token, through the GSSAPI login whose `session` cookie then authenticates.
 * Every secret goes into the redactor before anything can print it.
 */
export async function connectCopr(
  configFile: string | undefined,
  settings: CoprSettings,
  redactor: SecretRedactor,
  out: CoprOutput,
): Promise<CoprSession> {
  const creds = await readCoprCredentials(configFile, settings.urlOverride);
  if (creds.auth.kind === 'token') {
    redactor.add(creds.auth.token, creds.auth.login);
    const http = httpFor(creds.coprUrl, settings, redactor, out, creds.file, { login: creds.auth.login, token: creds.auth.token });
    return new CoprSession(new CoprClient(http), creds, out);
  }
  out.info(`Copr ${creds.coprUrl}: logging in with GSSAPI (Kerberos), as copr-cli does with gssapi = true`);
  const login = await gssapiLogin(creds.coprUrl, { timeoutMs: settings.httpTimeoutMs });
  redactor.add(login.session);
  const http = httpFor(creds.coprUrl, settings, redactor, out, creds.file, { session: login.session });
  return new CoprSession(new CoprClient(http), creds, out, { name: login.name });
}
