import { KojiAnswerError, toTaskInfo, type KojiTaskInfo } from './koji-task-info.js';
import type { XmlRpcClient } from '../../xmlrpc/xmlrpc-client.js';
import { withKeywordArgs, type XmlRpcValue } from '../../xmlrpc/xmlrpc-value.js';

/** The anonymous hub calls kplay makes to watch a task. */
export interface KojiHub {
  readonly url: string;
  getTaskInfo(taskId: number): Promise<KojiTaskInfo | undefined>;
  getTaskChildren(taskId: number): Promise<KojiTaskInfo[]>;
  /** The task's result; a failed task answers with its fault (thrown as KojiFault). */
  getTaskResult(taskId: number): Promise<XmlRpcValue>;
  /** `getBuild(nvr)`: the build, or undefined when the hub has none (strict=False answers nil). */
  getBuild(nvr: string): Promise<{ id: number; state: number } | undefined>;
  /**
   * `listBuilds(taskID=N)`: the build(s) a build task made, with the NVR the hub really built
   * (kojid rebuilds an uploaded SRPM in the buildroot, so the release carries the target's dist
   * tag). Empty for a scratch build, or before the build was imported.
   */
  buildsOfTask(taskId: number): Promise<KojiBuild[]>;
  /**
   * The dist tag a target's builds get: `getBuildTarget(target)` names the build tag, and
   * `getBuildConfig(build tag)` gives its (inherited) extra options, where `rpm.macro.dist` is
   * the `%dist` macro kojid puts into the buildroot's mock config. Undefined when the target or
   * the option is not there.
   */
  targetDist(target: string): Promise<string | undefined>;
}

/** A build as listBuilds answers it (the fields kplay uses). */
export interface KojiBuild {
  id: number;
  nvr: string;
  /** koji BUILD_STATES: 0 BUILDING, 1 COMPLETE, 2 DELETED, 3 FAILED, 4 CANCELED. */
  state: number;
}

export function kojiHub(client: XmlRpcClient): KojiHub {
  return {
    url: client.url,
    async getTaskInfo(taskId) {
      const v = await client.call('getTaskInfo', withKeywordArgs([taskId], { request: false }));
      return toTaskInfo(v, `getTaskInfo(${taskId})`);
    },
    async getTaskChildren(taskId) {
      const v = await client.call('getTaskChildren', [taskId]);
      if (!Array.isArray(v)) throw new KojiAnswerError(`getTaskChildren(${taskId}): the hub did not answer a list`);
      return v.map((c, i) => {
        const info = toTaskInfo(c, `getTaskChildren(${taskId})[${i}]`);
        if (!info) throw new KojiAnswerError(`getTaskChildren(${taskId}): a child is nil`);
        return info;
      });
    },
    async getTaskResult(taskId) {
      return client.call('getTaskResult', [taskId]);
    },
    async getBuild(nvr) {
      const v = await client.call('getBuild', [nvr]);
      if (v === null || v === undefined) return undefined;
      const s = v as Record<string, unknown>;
      if (typeof s.id !== 'number' || typeof s.state !== 'number')
        throw new KojiAnswerError(`getBuild(${nvr}): the hub did not answer a build`);
      return { id: s.id, state: s.state };
    },
    async buildsOfTask(taskId) {
      const v = await client.call('listBuilds', withKeywordArgs([], { taskID: taskId }));
      if (!Array.isArray(v)) throw new KojiAnswerError(`listBuilds(taskID=${taskId}): the hub did not answer a list`);
      return v.map((b, i) => {
        const s = b as Record<string, unknown>;
        const id = typeof s.build_id === 'number' ? s.build_id : s.id;
        if (typeof id !== 'number' || typeof s.nvr !== 'string' || typeof s.state !== 'number') {
          throw new KojiAnswerError(`listBuilds(taskID=${taskId})[${i}]: the hub did not answer a build`);
        }
        return { id, nvr: s.nvr, state: s.state };
      });
    },
    async targetDist(target) {
      const t = await client.call('getBuildTarget', [target]);
      if (t === null || t === undefined) return undefined;
      const buildTag = (t as Record<string, unknown>).build_tag_name;
      if (typeof buildTag !== 'string') throw new KojiAnswerError(`getBuildTarget(${target}): the hub did not answer a target`);
      const config = await client.call('getBuildConfig', [buildTag]);
      const extra = (config as Record<string, unknown> | null)?.extra;
      const dist = extra && typeof extra === 'object' ? (extra as Record<string, unknown>)['rpm.macro.dist'] : undefined;
      return typeof dist === 'string' ? dist : undefined;
    },
  };
}
