import { describe, expect, it } from 'vitest';
import { credentialsFromIni, DEFAULT_COPR_URL } from '../../../src/submit/copr/copr-config.js';

const FILE = `# copr-cli config
[copr-cli]
login = Zm9vYmFy==abc=
username = alice
token = t0k3n=with=equals
copr_url = https://copr.example.org/
# expiration date: 2030-01-01

[other]
login = nope
`;

describe('copr config (read like copr-cli: configparser)', () => {
  it("reads the [copr-cli] credentials, splits on the first = only, strips the URL's trailing slash", () => {
    const { credentials } = credentialsFromIni(FILE, '/home/a/.config/copr');
    expect(credentials).toEqual({
      auth: { kind: 'token', login: 'Zm9vYmFy==abc=', token: 't0k3n=with=equals' },
      username: 'alice',
      coprUrl: 'https://copr.example.org',
      file: '/home/a/.config/copr',
    });
  });

  it('accepts `key: value`, keys in any case, indented comments and a DEFAULT section', () => {
    const text = '[DEFAULT]\ncopr_url: https://copr.default.example\n\n[copr-cli]\n  # indented comment\nLOGIN: abc=\nToken : xyz\n';
    const { credentials } = credentialsFromIni(text, 'f');
    expect(credentials?.auth).toEqual({ kind: 'token', login: 'abc=', token: 'xyz' });
    expect(credentials?.coprUrl).toBe('https://copr.default.example');
  });

  it('joins continuation lines as configparser does', () => {
    const { credentials } = credentialsFromIni('[copr-cli]\nlogin = a\ntoken = b\nusername = first\n  second\n', 'f');
    expect(credentials?.username).toBe('first\nsecond');
  });

  it('chooses a GSSAPI login when there is no token and gssapi is true (python-copr auth_from_config)', () => {
    expect(credentialsFromIni('[copr-cli]\ngssapi = True\ncopr_url = https://c.example\n', 'f').credentials?.auth).toEqual({
      kind: 'gssapi',
    });
    // a token wins over gssapi
    expect(credentialsFromIni('[copr-cli]\ngssapi = yes\nlogin = l\ntoken = t\n', 'f').credentials?.auth.kind).toBe('token');
    expect(() => credentialsFromIni('[copr-cli]\ngssapi = maybe\n', 'f')).toThrow(/not a boolean/);
  });

  it('refuses a plain http copr_url unless encrypted = false, like copr-cli', () => {
    expect(() => credentialsFromIni('[copr-cli]\nlogin=a\ntoken=b\ncopr_url = http://c.example\n', 'f')).toThrow(/plain http/);
    expect(
      credentialsFromIni('[copr-cli]\nlogin=a\ntoken=b\ncopr_url = http://c.example\nencrypted = False\n', 'f').credentials?.coprUrl,
    ).toBe('http://c.example');
  });

  it('lets the override win over copr_url, and defaults to Fedora Copr', () => {
    expect(credentialsFromIni(FILE, 'f', 'http://127.0.0.1:8080/').credentials?.coprUrl).toBe('http://127.0.0.1:8080');
    expect(credentialsFromIni('[copr-cli]\nlogin=a\ntoken=b\n', 'f').credentials?.coprUrl).toBe(DEFAULT_COPR_URL);
  });

  it('names what is missing, and points at the line of a syntax error', () => {
    expect(credentialsFromIni('[copr-cli]\nlogin = a\n', 'f').missing[0]).toBe('token');
    expect(credentialsFromIni('[other]\nlogin = a\n', 'f').missing).toEqual(['[copr-cli] section']);
    expect(() => credentialsFromIni('[copr-cli]\nlogin = a\nlogin = b\n', 'f')).toThrow(/f:3: .*set twice/);
  });
});
