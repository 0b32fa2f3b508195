import type { Finding } from '../../findings/finding.js';

/** What `koji build --nowait` said: the task it created, or why it refused. */
export type KojiBuildOutcome = { kind: 'created'; taskId: number } | { kind: 'refused'; finding: Finding };

export interface KojiBuildOutput {
  program: string;
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  target: string;
  /** How the CLI logs in (decides the advice of a generic AuthError). */
  login?: 'ssl' | 'kerberos' | 'password' | 'noauth';
}

const CERT_HINT = 'run `centos-cert` (after `kinit YOUR_ACCOUNT@CENTOS.ORG`) to renew ~/.centos.cert; `cbs hello` checks the login';
const KINIT_HINT = 'run `kinit YOUR_ACCOUNT@CENTOS.ORG` (klist shows the ticket); `cbs hello` checks the login';

/**
 * Connection failures that koji reports inside an AuthError: `ssl_login` and `gssapi_login` wrap
 * any exception of their first call (koji/__init__.py: "unable to obtain a session (ssl auth
 * failed: requests.exceptions.ConnectionError: ...)"), so the hub being unreachable reads as an
 * authentication error unless these are told apart.
 */
const CONNECTION_FAILURE =
  /ConnectionError|NewConnectionError|Connection refused|Connection reset|Max retries exceeded|Name or service not known|NameResolutionError|Temporary failure in name resolution|Network is unreachable|No route to host|timed out|ReadTimeout|ConnectTimeout/i;

interface Rule {
  test: RegExp;
  code: Finding['code'];
  message: (m: RegExpMatchArray, out: KojiBuildOutput) => string;
  hint: (m: RegExpMatchArray, out: KojiBuildOutput) => string;
}

const RULES: Rule[] = [
  {
    test: /(?:No such|Unknown) build target: (\S+)/,
    code: 'E_CBS_TARGET_UNKNOWN',
    message: (m) => `the hub has no build target "${m[1]}"`,
    hint: (_m, o) => `list the targets with \`${o.program} list-targets\`; CBS targets look like kmods9s-packages-main-el9s`,
  },
  {
    test: /Destination tag (\S+) is locked/,
    code: 'E_CBS_TAG_LOCKED',
    message: (m) => `destination tag ${m[1]} is locked: it takes no real builds now`,
    hint: (m) => `pass --scratch for a scratch build, or ask the SIG to unlock ${m[1]}`,
  },
  {
    test: /(?:No such|Unknown) destination tag: (\S+)/,
    code: 'E_CBS_TARGET_BROKEN',
    message: (m, o) => `build target ${o.target} points at destination tag ${m[1]}, which does not exist`,
    hint: () => 'ask the SIG to fix the target, or choose another with --cbs TARGET',
  },
  {
    test: /certificate verify failed|Server CA \S+ doesn't exist|CERTIFICATE_VERIFY_FAILED/i,
    code: 'E_CBS_SERVER_CA',
    message: (m) => `the hub's TLS certificate could not be verified (${m[0]})`,
    hint: () => 'set serverca in the koji profile to the CA of the hub (centos-packager installs it), or fix the system CA bundle',
  },
  {
    test: /Certificate (\S+) doesn't exist or is not accessible/,
    code: 'E_CBS_CERT_MISSING',
    message: (m) => `the koji CLI cannot read the client certificate ${m[1]}`,
    hint: () => CERT_HINT,
  },
  {
    test: /certificate (?:has )?expired|CERTIFICATE_EXPIRED|AuthExpired/i,
    code: 'E_CBS_CERT_EXPIRED',
    message: () => 'the hub refused the client certificate: it has expired',
    hint: () => CERT_HINT,
  },
  {
    test: CONNECTION_FAILURE,
    code: 'E_CBS_HUB_UNREACHABLE',
    message: (m) => `the hub could not be reached while logging in (${m[0]}); this is not a certificate problem`,
    hint: () => 'check the network (a VPN?) and `server` in the koji profile; then run the same command again',
  },
  {
    test: /GSSAPIAuthError|gssapi auth failed|No Kerberos credentials|Ticket expired|Kerberos credentials/i,
    code: 'E_CBS_KERBEROS',
    message: (m) => `the Kerberos (GSSAPI) login to the hub failed (${m[0]})`,
    hint: () => KINIT_HINT,
  },
  {
    test: /AuthError|Unable to log in|SSLError|certificate revoked|certificate unknown|ssl_login|GSSAPIAuthError/i,
    code: 'E_CBS_AUTH',
    message: (m) => `logging in to the hub failed (${m[0]})`,
    hint: (_m, o) => (o.login && o.login !== 'ssl' ? KINIT_HINT : CERT_HINT),
  },
  {
    test: /ActionNotAllowed/,
    code: 'E_CBS_NOT_ALLOWED',
    message: () => 'the hub does not allow this build for your account',
    hint: (_m, o) => `ask the SIG for build permission on ${o.target}, or build with --scratch`,
  },
  {
    test: /ServerOffline|server is offline/i,
    code: 'E_CBS_HUB_OFFLINE',
    message: () => 'the hub is offline (maintenance)',
    hint: () => 'run the same command later',
  },
  {
    test: /no configuration for profile name: (\S+)/,
    code: 'E_CBS_CONFIG',
    message: (m) => `the koji CLI has no configuration for profile ${m[1]}`,
    hint: () => 'install centos-packager (it provides /etc/koji.conf.d/cbs-koji.conf) or choose --koji-profile',
  },
];

function lastMeaningfulLine(text: string): string | undefined {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines[lines.length - 1];
}

export function parseKojiBuildOutput(out: KojiBuildOutput): KojiBuildOutcome {
  const created = /^Created task:\s*(\d+)\s*$/m.exec(out.stdout);
  if (created) return { kind: 'created', taskId: Number(created[1]) };
  const all = `${out.stderr}\n${out.stdout}`;
  for (const rule of RULES) {
    const m = all.match(rule.test);
    if (m) {
      return {
        kind: 'refused',
        finding: { code: rule.code, severity: 'error', message: rule.message(m, out), hint: rule.hint(m, out) },
      };
    }
  }
  const said = lastMeaningfulLine(out.stderr) ?? lastMeaningfulLine(out.stdout);
  const status = out.exitCode === undefined ? 'was stopped' : `exited with ${out.exitCode}`;
  return {
    kind: 'refused',
    finding: {
      code: 'E_CBS_CLI_FAILED',
      severity: 'error',
      message: `\`${out.program} build\` ${status} without creating a task${said ? `: ${said}` : ''}`,
      hint: `run \`${out.program} hello\` to check the connection and login`,
    },
  };
}
