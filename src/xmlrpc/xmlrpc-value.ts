/**
 * The values XML-RPC carries, as kplay represents them: `<nil/>` is null, integers (`int`, `i4`,
 * `i8`) are numbers (bigint past 2^53), `base64` is a Uint8Array, `dateTime.iso8601` a Date (UTC).
 */
export type XmlRpcValue = null | boolean | number | bigint | string | Date | Uint8Array | XmlRpcValue[] | XmlRpcStruct;

export interface XmlRpcStruct {
  [member: string]: XmlRpcValue;
}

export function isXmlRpcStruct(v: XmlRpcValue | undefined): v is XmlRpcStruct {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof Uint8Array);
}

/**
 * Koji passes Python keyword arguments as a trailing struct marked `__starstar: true`
 * (e.g. `getTaskInfo(42, request=False)`).
 */
export function withKeywordArgs(params: XmlRpcValue[], kwargs: XmlRpcStruct): XmlRpcValue[] {
  return [...params, { ...kwargs, __starstar: true }];
}
