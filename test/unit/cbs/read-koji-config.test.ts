import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/findings/finding.js';
import { kojiConfigFiles, readKojiProfile } from '../../../src/submit/cbs/read-koji-config.js';
import { tempDirSync } from '../../support/temp-dir.js';

function layout() {
  const root = tempDirSync('kplay-kojiconf-');
  const etc = path.join(root, 'etc');
  const home = path.join(root, 'home');
  mkdirSync(path.join(etc, 'koji.conf.d'), { recursive: true });
  mkdirSync(path.join(home, '.koji', 'config.d'), { recursive: true });
  return { root, etc, home };
}

describe('koji profile configuration', () => {
  it('reads the four locations in koji order, later files overriding earlier ones', () => {
    const { etc, home } = layout();
    writeFileSync(
      path.join(etc, 'koji.conf.d', 'cbs-koji.conf'),
      '[cbs]\nserver = https://cbs.example/kojihub\nweburl = https://cbs.example/koji\ntopurl = https://cbs.example/kojifiles\ncert = ~/.centos.cert\n',
    );
    writeFileSync(path.join(etc, 'koji.conf.d', 'notes.txt'), '[cbs]\nserver = http://ignored\n');
    writeFileSync(path.join(etc, 'koji.conf'), '[koji]\nserver = https://koji.example/kojihub\n[cbs]\npoll_interval = 10\n');
    writeFileSync(path.join(home, '.koji', 'config.d', 'b.conf'), '[cbs]\nmax_retries = 3\n');
    writeFileSync(path.join(home, '.koji', 'config.d', 'a.conf'), '[cbs]\nmax_retries = 99\nretry_interval=1\n');
    writeFileSync(path.join(home, '.koji', 'config'), '; user overrides\n[cbs]\nweburl: https://web.example/koji/\n');
    const loc = { home, sysconfDir: etc };
    expect(kojiConfigFiles(loc).map((f) => path.relative(path.dirname(etc), f))).toEqual([
      'etc/koji.conf.d/cbs-koji.conf',
      'etc/koji.conf',
      'home/.koji/config.d/a.conf',
      'home/.koji/config.d/b.conf',
      'home/.koji/config',
    ]);
    const p = readKojiProfile('cbs', loc);
    expect(p.server).toBe('https://cbs.example/kojihub');
    expect(p.weburl).toBe('https://web.example/koji');
    expect(p.topurl).toBe('https://cbs.example/kojifiles');
    expect(p.cert).toBe(path.join(home, '.centos.cert'));
    expect(p.pollIntervalS).toBe(10);
    expect(p.maxRetries).toBe(3);
    expect(p.retryIntervalS).toBe(1);
    expect(p.timeoutS).toBe(43200);
    expect(p.where.file).toBe(path.join(home, '.koji', 'config'));
  });

  it('uses koji defaults, DEFAULT sections and %(key)s interpolation', () => {
    const { etc, home } = layout();
    writeFileSync(
      path.join(home, '.koji', 'config'),
      '[DEFAULT]\nbase = https://hub.example\n\n[mine]\nserver = %(base)s/kojihub\n  # not a continuation of server\nauthtype = kerberos\n',
    );
    const p = readKojiProfile('mine', { home, sysconfDir: etc });
    expect(p.server).toBe('https://hub.example/kojihub');
    expect(p.weburl).toBe('http://localhost/koji');
    expect(p.topurl).toBeUndefined();
    expect(p.authtype).toBe('kerberos');
    expect(p.cert).toBe('');
    expect(p.pollIntervalS).toBe(6);
  });

  it('with a user config file (-c), skips ~/.koji and requires the file', () => {
    const { etc, home, root } = layout();
    writeFileSync(path.join(home, '.koji', 'config'), '[cbs]\nserver = http://from-home\n');
    const own = path.join(root, 'own.conf');
    writeFileSync(own, '[cbs]\nserver = http://from-own\n');
    expect(readKojiProfile('cbs', { home, sysconfDir: etc, userConfig: own }).server).toBe('http://from-own');
    expect(() => readKojiProfile('cbs', { home, sysconfDir: etc, userConfig: path.join(root, 'missing.conf') })).toThrow(
      /cannot be opened/,
    );
  });

  it('names every place looked at when the profile is missing', () => {
    const { etc, home } = layout();
    try {
      readKojiProfile('cbs', { home, sysconfDir: etc });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      const f = (err as UsageError).findings[0]!;
      expect(f.code).toBe('E_CBS_CONFIG');
      expect(f.message).toContain(path.join(etc, 'koji.conf.d'));
      expect(f.message).toContain(path.join(home, '.koji', 'config'));
      expect(f.hint).toMatch(/cbs-koji\.conf/);
    }
  });

  it('reports bad integers and lines outside a section with file:line', () => {
    const { etc, home } = layout();
    const file = path.join(home, '.koji', 'config');
    writeFileSync(file, '[cbs]\nserver = http://x\npoll_interval = soon\n');
    expect(() => readKojiProfile('cbs', { home, sysconfDir: etc })).toThrow(/poll_interval must be a valid integer/);
    try {
      readKojiProfile('cbs', { home, sysconfDir: etc });
    } catch (err) {
      expect((err as UsageError).findings[0]!.where).toEqual({ file, line: 3, col: 1 });
    }
    writeFileSync(file, '[cbs]\nserver = cbs.centos.org/kojihub\n');
    expect(() => readKojiProfile('cbs', { home, sysconfDir: etc })).toThrow(/not an http\(s\) URL/);
    writeFileSync(file, '[cbs]\nserver = http://x\nServer = http://y\n');
    expect(() => readKojiProfile('cbs', { home, sysconfDir: etc })).toThrow(/server is set twice in \[cbs\]/);
    writeFileSync(file, 'server = http://x\n[cbs]\n');
    expect(() => readKojiProfile('cbs', { home, sysconfDir: etc })).toThrow(/before the first \[section\]/);
  });
});
