/**
 * The one string order for anything kplay writes or lists: by UTF-16 code unit, as `sort()` does,
 * never the locale's (`localeCompare` follows LANG/LC_ALL, so the same variant would give
 * different bytes on two builders: with sv_SE, `ä` sorts after `z`).
 */
export function codePointOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
