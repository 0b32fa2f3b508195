import { isXmlRpcStruct, type XmlRpcValue } from '../../xmlrpc/xmlrpc-value.js';

/** The fields of Koji's task info struct that kplay uses. */
export interface KojiTaskInfo {
  id: number;
  state: number;
  method: string;
  arch: string;
  label?: string;
  parent?: number;
  owner?: number;
}

export class KojiAnswerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KojiAnswerError';
  }
}

/** Read a task info struct; undefined for nil (unknown task). */
export function toTaskInfo(v: XmlRpcValue, what: string): KojiTaskInfo | undefined {
  if (v === null) return undefined;
  if (!isXmlRpcStruct(v)) throw new KojiAnswerError(`${what}: the hub answered something that is not a task`);
  const id = v.id;
  const state = v.state;
  if (typeof id !== 'number' || typeof state !== 'number') {
    throw new KojiAnswerError(`${what}: the task answer has no numeric id and state`);
  }
  const text = (x: XmlRpcValue | undefined) => (typeof x === 'string' ? x : undefined);
  const num = (x: XmlRpcValue | undefined) => (typeof x === 'number' ? x : undefined);
  return {
    id,
    state,
    method: text(v.method) ?? 'task',
    arch: text(v.arch) ?? 'noarch',
    label: text(v.label),
    parent: num(v.parent),
    owner: num(v.owner),
  };
}
