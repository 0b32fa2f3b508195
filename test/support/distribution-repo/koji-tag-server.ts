import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeMethodCall } from '../../../src/xmlrpc/decode-xmlrpc.js';
import { encodeXmlRpcValue } from '../../../src/xmlrpc/encode-xmlrpc.js';
import type { XmlRpcValue } from '../../../src/xmlrpc/xmlrpc-value.js';

export interface KojiTagServer {
  url: string;
  calls: Array<{ method: string; params: XmlRpcValue[] }>;
  tag(name: string, builds: string[]): void;
  close(): Promise<void>;
}

/**
 * Koji's anonymous `listTagged(tag, package=…, inherit=…)`: a list of build structs shaped like
 * the hub's (build_id, name, version, release, epoch (nil), nvr, package_name, tag_name, owner_name,
 * state, …); an unknown tag answers fault 1000 (GenericError "No such tagInfo").
 */
export async function startKojiTagServer(): Promise<KojiTagServer> {
  const tags = new Map<string, string[]>();
  const calls: KojiTagServer['calls'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const call = decodeMethodCall(Buffer.concat(chunks).toString('utf8'));
      calls.push(call);
      const reply = (xml: string) => {
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(`<?xml version='1.0'?>\n<methodResponse>\n${xml}\n</methodResponse>\n`);
      };
      const fault = (code: number, text: string) => reply(`<fault>${encodeXmlRpcValue({ faultCode: code, faultString: text })}</fault>`);
      if (call.method !== 'listTagged') return fault(1000, `Invalid method: ${call.method}`);
      const tag = typeof call.params[0] === 'string' ? call.params[0] : '';
      const builds = tags.get(tag);
      if (!builds) return fault(1000, `koji.GenericError: No such tagInfo: '${tag}'`);
      const structs = builds.map((vr, i) => {
        const [version, release] = [vr.slice(0, vr.lastIndexOf('-')), vr.slice(vr.lastIndexOf('-') + 1)];
        return {
          build_id: 60000 + i,
          name: 'kernel',
          package_name: 'kernel',
          package_id: 1,
          version,
          release,
          epoch: null,
          nvr: `kernel-${vr}`,
          tag_name: tag,
          tag_id: 2000,
          owner_name: 'kmods-bot',
          owner_id: 1,
          state: 1,
          volume_name: 'DEFAULT',
          creation_time: '2026-11-01 10:00:00.000000+00:00',
          task_id: null,
        };
      });
      reply(`<params><param>${encodeXmlRpcValue(structs)}</param></params>`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/kojihub`,
    calls,
    tag: (name, builds) => tags.set(name, builds),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
