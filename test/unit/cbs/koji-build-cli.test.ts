import { describe, expect, it } from 'vitest';
import { formatCommandLine, kojiBuildCommand } from '../../../src/submit/cbs/koji-build-command.js';
import { parseKojiBuildOutput } from '../../../src/submit/cbs/parse-koji-build-output.js';

const req = { profile: 'cbs', target: 'kmods9s-packages-main-el9s', srpmPath: '/o/kernel-1.src.rpm', scratch: true };

describe('koji build command', () => {
  it('prefers cbs for the cbs profile, always --nowait, never --quiet', () => {
    const cmd = kojiBuildCommand(req, { cbs: '/usr/bin/cbs', koji: '/usr/bin/koji' })!;
    expect(cmd).toEqual({ program: 'cbs', args: ['build', '--scratch', '--nowait', req.target, req.srpmPath], executable: '/usr/bin/cbs' });
    expect(cmd.args).not.toContain('--quiet');
  });

  it('falls back to koji -p PROFILE, and passes -c for a user config', () => {
    expect(kojiBuildCommand({ ...req, scratch: false }, { koji: '/usr/bin/koji' })).toEqual({
      program: 'koji',
      args: ['-p', 'cbs', 'build', '--nowait', req.target, req.srpmPath],
      executable: '/usr/bin/koji',
    });
    expect(kojiBuildCommand({ ...req, profile: 'stream', userConfig: '/c.conf' }, { cbs: '/x/cbs', koji: '/x/koji' })).toEqual({
      program: 'koji',
      args: ['-p', 'stream', '-c', '/c.conf', 'build', '--scratch', '--nowait', req.target, req.srpmPath],
      executable: '/x/koji',
    });
    expect(kojiBuildCommand(req, {})).toBeUndefined();
  });

  it('prints a pasteable command line', () => {
    expect(formatCommandLine({ program: 'cbs', args: ['build', '--nowait', 't', "/tmp/it's here.src.rpm"] })).toBe(
      "cbs build --nowait t '/tmp/it'\\''s here.src.rpm'",
    );
  });
});

describe('koji build output', () => {
  const base = { program: 'cbs', target: 'kmods9s-packages-main-el9s', stderr: '' };
  it('finds the created task', () => {
    const stdout =
      'Uploading srpm: /o/kernel-1.src.rpm\n[====================================] 100% 00:00:01   1.00 MiB 912.00 KiB/sec\n\nCreated task: 123456\nTask info: https://cbs.centos.org/koji/taskinfo?taskID=123456\n';
    expect(parseKojiBuildOutput({ ...base, exitCode: 0, stdout })).toEqual({ kind: 'created', taskId: 123456 });
  });

  const cases: Array<[string, string, RegExp]> = [
    [
      'Usage: cbs build [options] <target> <srpm path or scm url>\n\ncbs: error: No such build target: nope-el9s\n',
      'E_CBS_TARGET_UNKNOWN',
      /cbs list-targets/,
    ],
    ['cbs: error: Destination tag kmods9s-packages-main-candidate is locked\n', 'E_CBS_TAG_LOCKED', /--scratch/],
    [
      "SSLError: HTTPSConnectionPool(host='cbs.centos.org', port=443): Max retries exceeded (Caused by SSLError(SSLError(1, '[SSL: SSLV3_ALERT_CERTIFICATE_EXPIRED] sslv3 alert certificate expired')))\n",
      'E_CBS_CERT_EXPIRED',
      /centos-cert/,
    ],
    ['Error: Unable to log in, no authentication methods available\n', 'E_CBS_AUTH', /centos-cert/],
    ['ActionNotAllowed: policy violation (build_from_srpm)\n', 'E_CBS_NOT_ALLOWED', /--scratch/],
    // koji wraps a connection failure of ssl_login in an AuthError: not a certificate problem
    [
      "AuthError: unable to obtain a session (ssl auth failed: requests.exceptions.ConnectionError: HTTPSConnectionPool(host='cbs.centos.org', port=443): Max retries exceeded with url: /kojihub/ssllogin (Caused by NewConnectionError('<urllib3.connection.HTTPSConnection object>: Failed to establish a new connection: [Errno 111] Connection refused')))\n",
      'E_CBS_HUB_UNREACHABLE',
      /network .*server/,
    ],
    [
      "AuthError: unable to obtain a session (ssl auth failed: requests.exceptions.SSLError: HTTPSConnectionPool(host='cbs.centos.org', port=443): Max retries exceeded (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate in certificate chain'))))\n",
      'E_CBS_SERVER_CA',
      /serverca/,
    ],
    ["AuthError: Certificate /home/a/.centos.cert doesn't exist or is not accessible\n", 'E_CBS_CERT_MISSING', /centos-cert/],
    [
      'GSSAPIAuthError: unable to obtain a session (gssapi auth failed: No Kerberos credentials available (default cache: KCM:))\n',
      'E_CBS_KERBEROS',
      /kinit/,
    ],
    ['ServerOffline: server is offline\n', 'E_CBS_HUB_OFFLINE', /later/],
  ];
  it.each(cases)('turns %j into %s', (stderr, code, hint) => {
    const r = parseKojiBuildOutput({ ...base, exitCode: 2, stdout: '', stderr });
    expect(r.kind).toBe('refused');
    if (r.kind === 'refused') {
      expect(r.finding.code).toBe(code);
      expect(r.finding.hint).toMatch(hint);
    }
  });

  it('a generic AuthError advises kinit for a Kerberos login and centos-cert for a certificate', () => {
    const stderr = 'AuthError: unable to obtain a session\n';
    const krb = parseKojiBuildOutput({ ...base, exitCode: 1, stdout: '', stderr, login: 'kerberos' });
    const ssl = parseKojiBuildOutput({ ...base, exitCode: 1, stdout: '', stderr, login: 'ssl' });
    expect(krb.kind === 'refused' && krb.finding.hint).toMatch(/kinit/);
    expect(krb.kind === 'refused' && krb.finding.hint).not.toMatch(/centos-cert/);
    expect(ssl.kind === 'refused' && ssl.finding.hint).toMatch(/centos-cert/);
  });

  it('quotes the last line of an unknown failure', () => {
    const r = parseKojiBuildOutput({ ...base, exitCode: 1, stdout: '', stderr: 'Traceback...\nValueError: something odd\n' });
    expect(r).toMatchObject({
      kind: 'refused',
      finding: { code: 'E_CBS_CLI_FAILED', message: expect.stringContaining('ValueError: something odd') as string },
    });
  });
});
