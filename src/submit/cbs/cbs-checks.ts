import got from 'got';
import { capBody } from '../../net/capped-request.js';
import type { Finding } from '../../findings/finding.js';
import type { SrpmIdentity } from '../../rpm/read-srpm-identity.js';
import { kojiHub } from './koji-hub.js';
import type { KojiProfile } from './read-koji-config.js';
import type { CbsRequest } from './resolve-cbs-request.js';
import { taskOutputUrl } from './task-urls.js';
import { hubClientFor, serverCaOf } from './watch-recorded-task.js';
import type { WatchResult } from './watch-task.js';

/** Lines shown from the end of each log of a failed arch. */
export const LOG_TAIL_LINES = 15;

/** koji's build states (koji/__init__.py BUILD_STATES). */
const BUILD_STATES = ['BUILDING', 'COMPLETE', 'DELETED', 'FAILED', 'CANCELED'];

/** A package kplay composes as a whole kernel (not a kmod package). */
export function isFullKernel(name: string): boolean {
  return /^kernel(?:-|$)/.test(name) && !/kmod/.test(name);
}

/** `kmods9s-packages-main-el9s` → `.el9s`: CBS names its targets after the dist they build for. */
export function distOfTargetName(target: string): string | undefined {
  const m = /-(el\d+s?|fc\d+)$/.exec(target);
  return m ? `.${m[1]}` : undefined;
}

/** A dist tag at the end of a release (`1.el9`, `1.el9_4`, `1.fc41`, `1.el9s`). */
const DIST_SUFFIX = /\.(?:el\d+(?:_\d+)*s?|fc\d+)$/;

/**
 * The NVR kojid ends with for this SRPM: its release rebuilt with the target's `%dist` (kplay's
 * spec, like most, ends Release with `%{?dist}`): a dist the SRPM's host gave is replaced, none is
 * appended. Without a known dist the SRPM's own NVR. The epoch is not part of an NVR.
 */
export function hubNvr(identity: SrpmIdentity, dist: string | undefined): string {
  const vr = identity.version.replace(/^\d+:/, '');
  const cut = vr.lastIndexOf('-');
  const version = vr.slice(0, cut);
  let release = vr.slice(cut + 1);
  if (dist) release = `${release.replace(DIST_SUFFIX, '')}${dist}`;
  return `${identity.name}-${version}-${release}`;
}

/**
 * Warnings before a submission: a full kernel sent to a kmods target (those build kmod packages
 * against the distribution kernel), and, for a real build, an NVR the hub already has (koji refuses
 * a second build of a COMPLETE or BUILDING NVR: "Build already exists").
 */
export async function cbsWarnings(input: {
  req: CbsRequest;
  profile: KojiProfile;
  identity?: SrpmIdentity;
  retryIntervalMs: number;
}): Promise<Finding[]> {
  const { req, profile, identity } = input;
  const findings: Finding[] = [];
  if (!identity) return findings;
  if (/^kmods/.test(req.target) && isFullKernel(identity.name)) {
    findings.push({
      code: 'W_CBS_KERNEL_TO_KMODS',
      severity: 'warning',
      message: `${identity.name} is a full kernel, but ${req.target} is a kmods SIG target (kmod packages built against the distribution kernel)`,
      ...(req.where ? { where: req.where } : {}),
      hint: 'choose the SIG target meant for kernels, or make the variant `type: kmod`',
    });
  }
  if (!req.scratch) {
    try {
      const hub = kojiHub(hubClientFor({ ...profile, maxRetries: Math.min(profile.maxRetries, 2) }, input.retryIntervalMs));
      // the NVR the hub will build: kojid rebuilds the SRPM with the target's %dist (a real build
      // always rebuilds), so the file's own release is not the one that collides
      const dist = (await hub.targetDist(req.target)) ?? distOfTargetName(req.target);
      const nvr = hubNvr(identity, dist);
      const build = await hub.getBuild(nvr);
      if (build) {
        const state = BUILD_STATES[build.state] ?? String(build.state);
        const refused = state === 'COMPLETE' || state === 'BUILDING';
        findings.push({
          code: 'W_CBS_NVR_EXISTS',
          severity: 'warning',
          message: `the hub already has build ${nvr} (id ${build.id}, ${state})${refused ? ': koji refuses to build the same NVR twice' : ''}`,
          hint: refused
            ? "bump the variant's release (or buildid) for a real build, or pass --scratch"
            : 'koji reuses the NVR of a failed or canceled build',
        });
      }
    } catch {
      // a lookup is a courtesy: the submission itself reports a hub that cannot be reached
    }
  }
  return findings;
}

const MAX_LOG_BYTES = 16 * 1024 * 1024;

async function tail(url: string, serverCa: Buffer | undefined, lines: number): Promise<string | undefined> {
  try {
    // a log is read up to 16 MiB (an endless one is no log): past that there is no tail to show
    const res = await capBody(
      got(url, {
        responseType: 'text',
        throwHttpErrors: false,
        retry: { limit: 0 },
        timeout: { request: 30_000 },
        decompress: false,
        ...(serverCa ? { https: { certificateAuthority: serverCa } } : {}),
      }),
      MAX_LOG_BYTES,
      () => new Error('log too large'),
    );
    if (res.statusCode !== 200) return undefined;
    return res.body.replace(/\s+$/, '').split('\n').slice(-lines).join('\n');
  } catch {
    return undefined;
  }
}

/** arch → the tails of build.log and root.log of its failed buildArch task, ready for a hint. */
export async function buildLogTails(profile: KojiProfile, result: WatchResult, lines = LOG_TAIL_LINES): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!profile.topurl) return out;
  const { serverCa } = serverCaOf(profile);
  for (const f of result.failures) {
    if (f.task.method !== 'buildArch') continue;
    const dir = taskOutputUrl(profile.topurl, f.task.id);
    const parts: string[] = [];
    for (const log of ['build.log', 'root.log']) {
      const text = await tail(`${dir}${log}`, serverCa, lines);
      if (text) parts.push(`last lines of ${log}:\n${text.replace(/^/gm, '    ')}`);
    }
    if (parts.length) out.set(f.task.arch, parts.join('\n'));
  }
  return out;
}
