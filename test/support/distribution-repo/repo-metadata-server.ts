import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT_OF_REPO } from '../fixture-repo.js';

export interface RepoPackage {
  name: string;
  /** `5.14.0-570.el9` */
  versionRelease: string;
  arch: string;
}

export interface RepoMetadataServer {
  /** The repository URL (the folder holding repodata/). */
  url: string;
  publish(packages: RepoPackage[]): void;
  requests: string[];
  close(): Promise<void>;
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** primary.xml in createrepo_c's format for the given packages. */
export function primaryXml(packages: readonly RepoPackage[]): string {
  const body = packages.map((p) => {
    const [ver, rel] = [p.versionRelease.slice(0, p.versionRelease.lastIndexOf('-')), p.versionRelease.slice(p.versionRelease.lastIndexOf('-') + 1)];
    const file = `${p.name}-${p.versionRelease}.${p.arch}.rpm`;
    return `<package type="rpm">
  <name>${p.name}</name>
  <arch>${p.arch}</arch>
  <version epoch="0" ver="${ver}" rel="${rel}"/>
  <checksum type="sha256" pkgid="YES">${sha256(file)}</checksum>
  <summary>Development package for building kernel modules to match the kernel</summary>
  <description>This package provides kernel headers and makefiles sufficient to build modules against the kernel package.</description>
  <packager>builder@centos.org</packager>
  <url>https://www.kernel.org/</url>
  <time file="1700000000" build="1700000000"/>
  <size package="20000000" installed="70000000" archive="71000000"/>
  <location href="Packages/${file}"/>
  <format>
    <rpm:license>GPL-2.0-only</rpm:license>
    <rpm:vendor>CentOS</rpm:vendor>
    <rpm:group>Unspecified</rpm:group>
    <rpm:buildhost>x86-64-01.build.eng.rdu2.redhat.com</rpm:buildhost>
    <rpm:sourcerpm>kernel-${p.versionRelease}.src.rpm</rpm:sourcerpm>
    <rpm:header-range start="4504" end="1500000"/>
    <rpm:provides>
      <rpm:entry name="${p.name}" flags="EQ" epoch="0" ver="${ver}" rel="${rel}"/>
      <rpm:entry name="${p.name}-uname-r" flags="EQ" epoch="0" ver="${p.versionRelease}.${p.arch}"/>
    </rpm:provides>
  </format>
</package>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="${packages.length}">
${body.join('\n')}
</metadata>
`;
}

/** A CentOS Stream-like repository on 127.0.0.1 serving repodata/repomd.xml and its primary.xml.gz. */
export async function startRepoMetadataServer(): Promise<RepoMetadataServer> {
  const template = readFileSync(path.join(ROOT_OF_REPO, 'test/fixtures/repo-metadata/repomd.xml.template'), 'utf8');
  let files = new Map<string, Buffer>();
  const requests: string[] = [];
  const publish = (packages: RepoPackage[]) => {
    const open = Buffer.from(primaryXml(packages));
    const gz = gzipSync(open);
    const sum = sha256(gz);
    const repomd = template.replace(/@SHA256@/g, sum).replace(/@OPEN_SHA256@/g, sha256(open)).replace(/@REVISION@/g, String(1700000000 + packages.length)).replace(/@SIZE@/g, String(gz.length)).replace(/@OPEN_SIZE@/g, String(open.length));
    files = new Map([
      ['/repodata/repomd.xml', Buffer.from(repomd)],
      [`/repodata/${sum}-primary.xml.gz`, gz],
    ]);
  };
  publish([]);
  const server = http.createServer((req, res) => {
    const p = new URL(req.url ?? '/', 'http://127.0.0.1').pathname.replace(/^\/repo/, '');
    requests.push(p);
    const body = files.get(p);
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/octet-stream' });
    res.end(body ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/repo`, publish, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export interface WebhookServer {
  url: string;
  posts: Array<{ path: string; contentType: string; body: unknown }>;
  close(): Promise<void>;
}

/** A webhook receiver on 127.0.0.1 recording every POSTed JSON body. */
export async function startWebhookServer(): Promise<WebhookServer> {
  const posts: WebhookServer['posts'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      posts.push({ path: req.url ?? '', contentType: String(req.headers['content-type']), body: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/kmods?token=secret`, posts, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
