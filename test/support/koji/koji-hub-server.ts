import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { decodeMethodCall } from '../../../src/xmlrpc/decode-xmlrpc.js';
import { isXmlRpcStruct, type XmlRpcStruct, type XmlRpcValue } from '../../../src/xmlrpc/xmlrpc-value.js';

/**
 * A local Koji hub for tests: answers the XML-RPC methods kplay and the fake CLI use
 * (getBuildTarget, getTag, build, getTaskInfo, getTaskChildren, getTaskResult) the way the
 * documented hub does, including nil for unknown ids, `__starstar` keyword arguments, faults
 * (GenericError 1000, ActionNotAllowed 1004, BuildError 1005, ServerOffline 1014,
 * ParameterError 1019) and answers written with <i8>, <nil/> and untyped strings.
 *
 * A build moves on by one step each time getTaskInfo is asked about its root task:
 *   1 root open, rebuildSRPM open  2 rebuildSRPM closed, buildArch per arch waiting
 *   3 buildArch running            4 the failing arch (if any) fails, its siblings are canceled
 *   5 root failed, or buildArch closed (+ tagBuild open for a real build)  6 root closed
 */
export interface HubTarget {
  name: string;
  destTag: { id: number; name: string; locked: boolean };
  /**
   * The build tag's `rpm.macro.dist` extra (what getBuildConfig answers); default the dist the
   * target's name ends with (`-el9s` → `.el9s`); null: the tag sets none.
   */
  dist?: string | null;
}

export interface HubOutage {
  /** Calls (all methods, counted from 1) answered normally before the outage. */
  afterCalls: number;
  /** How many calls the outage lasts. */
  calls: number;
  mode: 'fault-1014' | 'http-503' | 'reset';
}

export interface KojiHubOptions {
  targets?: HubTarget[];
  arches?: string[];
  /** A buildArch that runs for a while and then fails. */
  failArch?: string;
  outages?: HubOutage[];
  /** Answer every call of these methods with this fault. */
  faultFor?: { methods: string[]; code: number; text: string };
  firstTaskId?: number;
  /** Builds the hub already has, by NVR, with their koji build state (1 COMPLETE, 3 FAILED ...). */
  existingBuilds?: Record<string, number>;
  /** Serve https with this key and certificate (PEM) instead of http. */
  tls?: { key: string; cert: string };
  /** The build.log text of the failing arch (served under /kojifiles/work/tasks/...). */
  failLog?: string;
}

export interface HubCall {
  method: string;
  params: XmlRpcValue[];
}

interface HubTask {
  id: number;
  method: string;
  arch: string;
  parent: number | null;
  state: number;
  label: string;
}

interface HubBuild {
  root: HubTask;
  ticks: number;
  scratch: boolean;
  children: HubTask[];
  /** The opts struct of the build call (arch_override, fail_fast, skip_tag ...). */
  opts: XmlRpcStruct;
  /** The `priority` keyword of the build call (null by default, 5 for --background). */
  priority: XmlRpcValue;
  /** The uploaded SRPM's file name and the target, from which the build's NVR is made. */
  srpm: string;
  target: string;
}

/** A build the hub made (listBuilds answers these). */
export interface HubMadeBuild {
  build_id: number;
  nvr: string;
  name: string;
  version: string;
  release: string;
  /** 0 BUILDING, 1 COMPLETE, 3 FAILED. */
  state: number;
  task_id: number;
}

/**
 * The NVR kojid's BuildTask ends with: the uploaded SRPM is rebuilt in the buildroot (the build
 * tag's extra.rebuild_srpm, True by default; a scratch build may turn it off), so `%{?dist}`
 * gets the target's dist tag: an SRPM made on a host without one (`name-1.0-1.src.rpm`) is
 * built as `name-1.0-1.el9s` for a `...-el9s` target.
 */
export function kojidNvr(srpmFile: string, target: string, rebuild: boolean): { name: string; version: string; release: string } {
  const nvr = srpmFile.replace(/^.*\//, '').replace(/\.src\.rpm$/, '');
  const m = /^(.+)-([^-]+)-([^-]+)$/.exec(nvr);
  if (!m) throw new Error(`not an NVR: ${nvr}`);
  let release = m[3]!;
  const dist = /-(el\d+s?)$/.exec(target)?.[1];
  if (rebuild && dist) release = `${release.replace(/\.el\d+s?$/, '')}.${dist}`;
  return { name: m[1]!, version: m[2]!, release };
}

export interface RunningKojiHub {
  url: string;
  /** Base of the files (set as the profile's topurl): `{url base}/kojifiles`. */
  topurl: string;
  port: number;
  calls: HubCall[];
  builds: Map<number, HubBuild>;
  /** tag → NVRs tagged there by tagBuild (and removed by untagBuild). */
  tagged: Map<string, Set<string>>;
  /** The builds real (not scratch) build tasks made, by NVR. */
  made: Map<string, HubMadeBuild>;
  close(): Promise<void>;
}

/** A value in a fault message: strings as they are, anything else as JSON. */
function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** An XML-RPC fault a handler answers with by throwing it (an Error, so that only errors are ever thrown). */
class Fault extends Error {
  constructor(
    readonly code: number,
    readonly text: string,
  ) {
    super(text);
  }
}

const FREE = 0;
const OPEN = 1;
const CLOSED = 2;
const CANCELED = 3;
const FAILED = 5;

// The hub's own serializer (not kplay's encoder), writing the forms Python's marshaller writes.
function xmlText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
function valueXml(v: unknown): string {
  if (v === null || v === undefined) return '<value><nil/></value>';
  if (typeof v === 'boolean') return `<value><boolean>${v ? 1 : 0}</boolean></value>`;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) return `<value><double>${v}</double></value>`;
    return Math.abs(v) > 2 ** 31 - 1 ? `<value><i8>${v}</i8></value>` : `<value><int>${v}</int></value>`;
  }
  if (typeof v === 'string') return /^[\w.-]+$/.test(v) ? `<value>${v}</value>` : `<value><string>${xmlText(v)}</string></value>`;
  if (Array.isArray(v)) return `<value><array><data>\n${v.map(valueXml).join('\n')}\n</data></array></value>`;
  const members = Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `<member>\n<name>${xmlText(k)}</name>\n${valueXml(x)}\n</member>`)
    .join('\n');
  return `<value><struct>\n${members}\n</struct></value>`;
}
function responseXml(v: unknown): string {
  return `<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n${valueXml(v)}\n</param>\n</params>\n</methodResponse>\n`;
}
function faultXml(code: number, text: string): string {
  return `<?xml version='1.0'?>\n<methodResponse>\n<fault>\n${valueXml({ faultCode: code, faultString: text })}\n</fault>\n</methodResponse>\n`;
}

/** A parameter as text, for names and messages. */
function str(v: XmlRpcValue | undefined): string {
  return typeof v === 'string' ? v : JSON.stringify(v ?? null);
}

function splitKwargs(params: XmlRpcValue[]): { args: XmlRpcValue[]; kwargs: XmlRpcStruct } {
  const last = params[params.length - 1];
  if (isXmlRpcStruct(last) && last.__starstar === true) {
    const { __starstar: _drop, ...kwargs } = last;
    return { args: params.slice(0, -1), kwargs };
  }
  return { args: params, kwargs: {} };
}

function taskStruct(t: HubTask, ticks: number): Record<string, unknown> {
  return {
    id: t.id,
    state: t.state,
    method: t.method,
    arch: t.arch,
    label: t.label,
    parent: t.parent,
    owner: 3000000001,
    channel_id: 1,
    host_id: t.state === FREE ? null : 7,
    create_ts: 1700000000.25 + t.id,
    start_ts: t.state === FREE ? null : 1700000100.5 + ticks,
    completion_ts: t.state === CLOSED || t.state === FAILED || t.state === CANCELED ? 1700000200.75 + ticks : null,
    priority: 20,
    weight: 1.5,
    waiting: null,
    awaited: null,
  };
}

export async function startKojiHub(opts: KojiHubOptions = {}): Promise<RunningKojiHub> {
  const targets = opts.targets ?? [
    { name: 'kmods9s-packages-main-el9s', destTag: { id: 11, name: 'kmods9s-packages-main-candidate', locked: false } },
    { name: 'kmods9s-frozen-el9s', destTag: { id: 12, name: 'kmods9s-frozen-candidate', locked: true } },
  ];
  const arches = opts.arches ?? ['x86_64', 'aarch64'];
  const calls: HubCall[] = [];
  const builds = new Map<number, HubBuild>();
  const tasks = new Map<number, { task: HubTask; build: HubBuild }>();
  let nextId = opts.firstTaskId ?? 1001;
  const made = new Map<string, HubMadeBuild>();
  let nextBuildId = 70001;
  const madeBy = (b: HubBuild) => [...made.values()].find((m) => m.task_id === b.root.id);

  const newTask = (build: HubBuild | undefined, method: string, arch: string, parent: number | null): HubTask => {
    const t: HubTask = { id: nextId++, method, arch, parent, state: FREE, label: arch === 'noarch' ? method : arch };
    if (build) tasks.set(t.id, { task: t, build });
    return t;
  };

  const advance = (b: HubBuild) => {
    b.ticks++;
    const k = b.ticks;
    const srpm = b.children.find((c) => c.method === 'rebuildSRPM');
    const archTasks = () => b.children.filter((c) => c.method === 'buildArch');
    if (k === 1) {
      b.root.state = OPEN;
      const s = newTask(b, 'rebuildSRPM', 'noarch', b.root.id);
      s.state = OPEN;
      b.children.push(s);
    } else if (k === 2) {
      srpm!.state = CLOSED;
      if (!b.scratch) {
        // host.initBuild after the SRPM: the build exists, BUILDING, with the rebuilt SRPM's NVR
        const { name, version, release } = kojidNvr(b.srpm, b.target, true);
        const nvr = `${name}-${version}-${release}`;
        made.set(nvr, { build_id: nextBuildId++, nvr, name, version, release, state: 0, task_id: b.root.id });
      }
      for (const a of arches) b.children.push(newTask(b, 'buildArch', a, b.root.id));
    } else if (k === 3) {
      for (const t of archTasks()) t.state = OPEN;
    } else if (k === 4 && opts.failArch) {
      for (const t of archTasks()) t.state = t.arch === opts.failArch ? FAILED : CANCELED;
    } else if (k === 5) {
      if (opts.failArch) {
        b.root.state = FAILED;
        const m = madeBy(b);
        if (m) m.state = 3;
      } else {
        for (const t of archTasks()) t.state = CLOSED;
        if (!b.scratch) {
          const tag = newTask(b, 'tagBuild', 'noarch', b.root.id);
          tag.state = OPEN;
          b.children.push(tag);
        }
      }
    } else if (k === 6 && !opts.failArch) {
      for (const t of b.children) t.state = CLOSED;
      b.root.state = CLOSED;
      const m = madeBy(b);
      if (m) m.state = 1;
    }
  };

  const methods: Record<string, (args: XmlRpcValue[], kwargs: XmlRpcStruct) => unknown> = {
    getBuildTarget([name]) {
      const t = targets.find((x) => x.name === name || x.destTag.id === name);
      if (!t) return null;
      return {
        id: 5,
        name: t.name,
        build_tag: 10,
        build_tag_name: `${t.name}-build`,
        dest_tag: t.destTag.id,
        dest_tag_name: t.destTag.name,
      };
    },
    getBuildConfig([tag]) {
      // koji's readFullInheritance-merged config of a tag; kplay reads extra['rpm.macro.dist']
      const t = targets.find((x) => `${x.name}-build` === tag);
      if (!t) throw new Fault(1000, `GenericError: No such tagInfo: ${show(tag)}`);
      const dist = t.dist === undefined ? (/-(el\d+s?)$/.exec(t.name)?.[1] ? `.${/-(el\d+s?)$/.exec(t.name)![1]}` : null) : t.dist;
      return {
        id: 10,
        name: tag,
        arches: arches.join(' '),
        locked: false,
        extra: dist === null ? { mock_use_bootstrap: false } : { 'rpm.macro.dist': dist, mock_use_bootstrap: false },
      };
    },
    getTag([idOrName]) {
      const t = targets.find((x) => x.destTag.id === idOrName || x.destTag.name === idOrName);
      if (!t) return null;
      return {
        id: t.destTag.id,
        name: t.destTag.name,
        locked: t.destTag.locked,
        arches: null,
        perm: null,
        perm_id: null,
        maven_support: false,
      };
    },
    build([src, target, buildOpts], kwargs) {
      if (typeof src !== 'string' || !src.startsWith('cli-build/') || !src.endsWith('.src.rpm')) {
        throw new Fault(1019, `ParameterError: not an uploaded srpm: ${show(src)}`);
      }
      const t = targets.find((x) => x.name === target);
      if (!t) throw new Fault(1000, `No such build target: ${show(target)}`);
      if (!isXmlRpcStruct(buildOpts)) throw new Fault(1019, 'ParameterError: opts must be a struct');
      const scratch = buildOpts.scratch === true;
      if (t.destTag.locked && !scratch) throw new Fault(1004, `ActionNotAllowed: tag ${t.destTag.name} is locked`);
      if (!('priority' in kwargs)) throw new Fault(1019, 'ParameterError: priority keyword missing');
      if (buildOpts.rebuild_srpm !== undefined && !scratch)
        throw new Fault(1019, 'ParameterError: rebuild_srpm is only allowed for scratch builds');
      if (buildOpts.draft === true && scratch) throw new Fault(1019, 'ParameterError: scratch and draft cannot be both specified');
      const build: HubBuild = {
        root: undefined as unknown as HubTask,
        ticks: 0,
        scratch,
        children: [],
        opts: buildOpts,
        priority: kwargs.priority ?? null,
        srpm: src,
        target: str(target),
      };
      if (buildOpts.arch_override !== undefined && !scratch)
        throw new Fault(1019, 'ParameterError: arch_override is only allowed for scratch builds');
      build.root = newTask(build, 'build', 'noarch', null);
      builds.set(build.root.id, build);
      return build.root.id;
    },
    getTaskInfo([id], kwargs) {
      if (typeof id !== 'number') throw new Fault(1019, 'ParameterError: task id must be an integer');
      if ('request' in kwargs && typeof kwargs.request !== 'boolean') throw new Fault(1019, 'ParameterError: request must be a boolean');
      const found = tasks.get(id);
      if (!found) return null;
      if (found.task.parent === null) advance(found.build);
      return taskStruct(found.task, found.build.ticks);
    },
    getTaskChildren([id]) {
      const b = builds.get(id as number);
      if (!b) return [];
      return b.children.map((c) => taskStruct(c, b.ticks));
    },
    listBuilds(_args, kwargs) {
      const taskId = kwargs.taskID;
      return [...made.values()].filter((m) => taskId === undefined || m.task_id === taskId);
    },
    getBuild([nvrArg]) {
      const nvr = str(nvrArg);
      const m = made.get(nvr);
      if (m) return { id: m.build_id, nvr, state: m.state, name: m.name, task_id: m.task_id };
      const state = opts.existingBuilds?.[nvr];
      return state === undefined ? null : { id: 4242, nvr, state, name: nvr.replace(/-[^-]+-[^-]+$/, '') };
    },
    cancelTask([id]) {
      const found = tasks.get(id as number);
      if (!found) throw new Fault(1000, `No such task id: ${str(id)}`);
      const b = found.build;
      for (const t of [b.root, ...b.children]) if (t.state === FREE || t.state === OPEN) t.state = CANCELED;
      b.ticks = 1000; // nothing moves any more
      return null;
    },
    tagBuild([tagArg, nvrArg]) {
      const tag = str(tagArg);
      const nvr = str(nvrArg);
      const t = targets.find(
        (x) =>
          x.destTag.name === tag ||
          `${x.destTag.name.replace(/-candidate$/, '')}-testing` === tag ||
          `${x.destTag.name.replace(/-candidate$/, '')}-release` === tag,
      );
      if (!t) throw new Fault(1000, `No such tagInfo: '${String(tag)}'`);
      if (opts.existingBuilds?.[String(nvr)] === undefined && made.get(nvr)?.state !== 1)
        throw new Fault(1000, `No such build: '${String(nvr)}'`);
      const set = tagged.get(String(tag)) ?? new Set<string>();
      if (set.has(String(nvr))) throw new Fault(1000, `build ${String(nvr)} already tagged (${String(tag)})`);
      set.add(String(nvr));
      tagged.set(String(tag), set);
      const task = newTask(undefined, 'tagBuild', 'noarch', null);
      task.state = CLOSED;
      return task.id;
    },
    untagBuild([tagArg, nvrArg]) {
      const tag = str(tagArg);
      const nvr = str(nvrArg);
      const set = tagged.get(String(tag));
      if (!set?.has(String(nvr))) throw new Fault(1000, `build ${String(nvr)} not in tag ${String(tag)}`);
      set.delete(String(nvr));
      return null;
    },
    getTaskResult([id]) {
      const found = tasks.get(id as number);
      if (!found) throw new Fault(1000, `No such task: ${show(id)}`);
      const t = found.task;
      if (t.state === FAILED && t.method === 'buildArch') {
        throw new Fault(1005, `error building package (arch ${t.arch}), mock exited with status 1; see build.log for more information`);
      }
      if (t.state === FAILED) {
        throw new Fault(
          1000,
          `Traceback (most recent call last):\n  File "/usr/lib/python3/site-packages/koji/daemon.py", line 1, in runTask\nkoji.GenericError: BuildError: error building package (arch ${opts.failArch})`,
        );
      }
      if (t.state === CANCELED) throw new Fault(1000, `Task ${t.id} is canceled`);
      if (t.state !== CLOSED) throw new Fault(1000, `Task ${t.id} is currently ${t.state === FREE ? 'free' : 'open'}`);
      if (t.method === 'buildArch')
        return { srpms: [], rpms: [`tasks/${t.id}/kernel-1-1.${t.arch}.rpm`], logs: ['build.log', 'root.log'], brootid: 5000000000 };
      return null;
    },
  };

  const tagged = new Map<string, Set<string>>();
  let callCount = 0;
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    // task files: {topurl}/work/tasks/{id % 10000}/{id}/build.log (koji's pathinfo.task)
    const file = /^\/kojifiles\/work\/tasks\/\d+\/(\d+)\/(build|root)\.log$/.exec(req.url ?? '');
    if (req.method === 'GET' && file) {
      const found = tasks.get(Number(file[1]));
      if (!found || found.task.method !== 'buildArch' || found.task.state !== FAILED) {
        res.writeHead(404).end('not found');
        return;
      }
      const text =
        file[2] === 'build'
          ? (opts.failLog ?? 'error: Bad exit status from /var/tmp/rpm-tmp (%build)\n')
          : 'DEBUG util.py:446: Child return code was: 0\nDEBUG util.py:446: root.log end\n';
      res.writeHead(200, { 'content-type': 'text/plain' }).end(text);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 1 << 20) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      callCount++;
      const outage = opts.outages?.find((o) => callCount > o.afterCalls && callCount <= o.afterCalls + o.calls);
      let call: HubCall;
      try {
        call = decodeMethodCall(Buffer.concat(chunks).toString('utf8'));
      } catch (err) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end(String(err));
        return;
      }
      calls.push(call);
      if (outage?.mode === 'reset') {
        req.socket.destroy();
        return;
      }
      if (outage?.mode === 'http-503') {
        res.writeHead(503, { 'content-type': 'text/html' }).end('<html><body><h1>503 Service Unavailable</h1></body></html>');
        return;
      }
      const send = (xml: string) => res.writeHead(200, { 'content-type': 'text/xml' }).end(xml);
      if (outage?.mode === 'fault-1014') return send(faultXml(1014, 'server is offline'));
      if (opts.faultFor?.methods.includes(call.method)) return send(faultXml(opts.faultFor.code, opts.faultFor.text));
      const impl = methods[call.method];
      if (!impl) return send(faultXml(1000, `Invalid method: ${call.method}`));
      try {
        const { args, kwargs } = splitKwargs(call.params);
        send(responseXml(impl(args, kwargs)));
      } catch (err) {
        if (err instanceof Fault) send(faultXml(err.code, err.text));
        else send(faultXml(1000, String(err)));
      }
    });
  };
  const server = opts.tls ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const base = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  return {
    url: `${base}/kojihub`,
    topurl: `${base}/kojifiles`,
    port,
    calls,
    builds,
    tagged,
    made,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
