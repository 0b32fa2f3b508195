import type { ConfigOrigin, ConfigRequest, ConfigValue } from '../model/types.js';
import { parseConfigFile, unquoteConfigString } from './config-file.js';

/** A fragment value's type from its syntax: y/m/n, "string", 0x hex, else int. */
export function configValueFromRaw(raw: string): ConfigValue {
  if (/^[ymn]$/.test(raw)) return { type: 'tristate', value: raw as 'y' | 'm' | 'n' };
  if (raw.startsWith('"')) return { type: 'string', value: unquoteConfigString(raw) ?? raw.slice(1) };
  if (/^0[xX]/.test(raw)) return { type: 'hex', value: raw };
  return { type: 'int', value: raw };
}

/** Requests from a config fragment's text, each located at its file:line. */
export function requestsFromFragment(text: string, file: string, origin: ConfigOrigin): ConfigRequest[] {
  return parseConfigFile(text).assignments.map((a) => ({
    symbol: a.name,
    value: configValueFromRaw(a.raw),
    where: { file, line: a.line, col: 1 },
    origin,
  }));
}
