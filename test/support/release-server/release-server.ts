import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FixtureRelease {
  version: string;
  moniker: 'mainline' | 'stable' | 'longterm';
  /** The tarball served under /pub/linux/kernel/v<major>.x/ (omit for a release without one, like an rc). */
  tarball?: Buffer;
}

export interface ReleaseServer {
  /** KPLAY_RELEASES_URL */
  releasesUrl: string;
  /** KPLAY_KERNEL_CDN */
  cdn: string;
  /** Replace the published releases (the next request sees them). */
  publish(releases: FixtureRelease[], latestStable: string): void;
  /** Paths requested so far. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * kernel.org as kplay sees it, on 127.0.0.1: /releases.json shaped like www.kernel.org/releases.json,
 * /pub/linux/kernel/v<N>.x/sha256sums.asc as a clear-signed checksum list, and the tarballs.
 */
export async function startReleaseServer(): Promise<ReleaseServer> {
  let releases: FixtureRelease[] = [];
  let latest = '';
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(url.pathname);
    const send = (status: number, body: string | Buffer, type = 'text/plain') => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (url.pathname === '/releases.json') {
      const body = {
        latest_stable: { version: latest },
        releases: releases.map((r) => ({
          iseol: false,
          version: r.version,
          moniker: r.moniker,
          source: r.version.includes('-rc')
            ? `https://git.kernel.org/torvalds/t/linux-${r.version}.tar.gz`
            : `${base}/pub/linux/kernel/v${r.version.split('.')[0]}.x/linux-${r.version}.tar.xz`,
          pgp: null,
          released: { timestamp: 0, isodate: '2026-11-01' },
          gitweb: '',
          changelog: null,
          diffview: '',
          patch: { full: '', incremental: null },
        })),
      };
      return send(200, JSON.stringify(body), 'application/json');
    }
    const sums = /^\/pub\/linux\/kernel\/v(\d+)\.x\/sha256sums\.asc$/.exec(url.pathname);
    if (sums) {
      const lines = releases
        .filter((r) => r.tarball && r.version.split('.')[0] === sums[1])
        .map((r) => `${createHash('sha256').update(r.tarball!).digest('hex')}  linux-${r.version}.tar.xz`);
      const body = [
        '-----BEGIN PGP SIGNED MESSAGE-----',
        'Hash: SHA256',
        '',
        ...lines,
        '-----BEGIN PGP SIGNATURE-----',
        '',
        'iQIzBAEBCAAdFiEEfixturefixturefixture',
        '=abcd',
        '-----END PGP SIGNATURE-----',
        '',
      ].join('\n');
      return send(200, body);
    }
    const tar = /^\/pub\/linux\/kernel\/v\d+\.x\/linux-(.+)\.tar\.xz$/.exec(url.pathname);
    const hit = tar && releases.find((r) => r.version === tar[1] && r.tarball);
    if (hit) return send(200, hit.tarball!, 'application/x-xz');
    return send(404, 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    releasesUrl: `${base}/releases.json`,
    cdn: `${base}/pub/linux/kernel`,
    publish(r, l) {
      releases = r;
      latest = l;
    },
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
