import { KojiAnswerError, toTaskInfo, type KojiTaskInfo } from './koji-task-info.js';
import type { XmlRpcClient } from './xmlrpc-client.js';
import { withKeywordArgs, type XmlRpcValue } from './xmlrpc-value.js';

/** The anonymous hub calls kplay makes to watch a task. */
export interface KojiHub {
  readonly url: string;
  getTaskInfo(taskId: number): Promise<KojiTaskInfo | undefined>;
  getTaskChildren(taskId: number): Promise<KojiTaskInfo[]>;
  /** The task's result; a failed task answers with its fault (thrown as KojiFault). */
  getTaskResult(taskId: number): Promise<XmlRpcValue>;
  /** `getBuild(nvr)`: the build, or undefined when the hub has none (strict=False answers nil). */
  getBuild(nvr: string): Promise<{ id: number; state: number } | undefined>;
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
  };
}
