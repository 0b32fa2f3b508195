import { describe, expect, it } from 'vitest';
import { credentialsFromIni, DEFAULT_COPR_URL, parseIni } from '../../../src/submit/copr/copr-config.js';

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

describe('copr config', () => {
  it('splits each line on the first = only (logins and tokens contain =)', () => {
    const ini = parseIni(FILE);
    expect(ini.get('copr-cli')?.get('login')).toBe('Zm9vYmFy==abc=');
    expect(ini.get('copr-cli')?.get('token')).toBe('t0k3n=with=equals');
    expect(ini.get('other')?.get('login')).toBe('nope');
    expect([...ini.get('copr-cli')!.keys()]).toEqual(['login', 'username', 'token', 'copr_url']);
  });

  it('reads the [copr-cli] credentials and strips the URL\'s trailing slash', () => {
    const { credentials } = credentialsFromIni(FILE, '/home/a/.config/copr');
    expect(credentials).toEqual({
      login: 'Zm9vYmFy==abc=',
      username: 'alice',
      token: 't0k3n=with=equals',
      coprUrl: 'https://copr.example.org',
      file: '/home/a/.config/copr',
    });
  });

  it('lets the override win over copr_url, and defaults to Fedora Copr', () => {
    expect(credentialsFromIni(FILE, 'f', 'http://127.0.0.1:8080/').credentials?.coprUrl).toBe('http://127.0.0.1:8080');
    expect(credentialsFromIni('[copr-cli]\nlogin=a\ntoken=b\n', 'f').credentials?.coprUrl).toBe(DEFAULT_COPR_URL);
  });

  it('names what is missing', () => {
    expect(credentialsFromIni('[copr-cli]\nlogin = a\n', 'f').missing).toEqual(['token']);
    expect(credentialsFromIni('[other]\nlogin = a\n', 'f').missing).toEqual(['[copr-cli] section']);
  });
});
