import { isMap, isScalar } from 'yaml';
import type { Finding } from '../findings/finding.js';
import type { RpmArch } from '../model/arch.js';
import type { ConfigOrigin, ConfigRequest, ConfigValue } from '../model/types.js';
import { locate, nodeAt, type YamlPath, type YamlSource } from '../model/yaml-source.js';
import { describeControl } from '../boundary/index.js';

/**
 * Turn a YAML map of `CONFIG_X: value` into requests. The value's source text decides its type:
 * quoted → string, y/m/n → tristate, digits → int, 0x… → hex (YAML alone would turn 0x1f into 31).
 */
export function configMapRequests(
  src: YamlSource,
  path: YamlPath,
  origin: ConfigOrigin,
  arch?: RpmArch,
): { requests: ConfigRequest[]; findings: Finding[] } {
  const requests: ConfigRequest[] = [];
  const findings: Finding[] = [];
  const map = nodeAt(src, path);
  if (!isMap(map)) return { requests, findings };
  for (const pair of map.items) {
    if (!isScalar(pair.key)) continue;
    const key = String(pair.key.value);
    const symbol = key.replace(/^CONFIG_/, '');
    const where = locate(src, [...path, key], true);
    const node = pair.value;
    if (!isScalar(node) || !node.range) {
      findings.push({
        code: 'E_CONFIG_VALUE',
        severity: 'error',
        message: `${key} needs a value: y, m, n, a "string", a number or 0x-hex`,
        where,
      });
      continue;
    }
    const text = src.text.slice(node.range[0], node.range[1]);
    let value: ConfigValue | undefined;
    if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' || node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') {
      const bad = describeControl(String(node.value));
      if (bad !== undefined) {
        findings.push({
          code: 'E_CONFIG_VALUE',
          severity: 'error',
          message: `${key}: the string value holds the control character ${bad}; a config value is one line of printable text`,
          where: locate(src, [...path, key]),
          hint: 'remove the line break or control character from the value',
        });
        continue;
      }
      value = { type: 'string', value: String(node.value) };
    } else if (text === 'y' || text === 'm' || text === 'n') {
      value = { type: 'tristate', value: text };
    } else if (/^-?\d+$/.test(text)) {
      value = { type: 'int', value: text };
    } else if (/^0[xX][0-9a-fA-F]+$/.test(text)) {
      value = { type: 'hex', value: text };
    }
    if (!value) {
      const boolish = /^(true|false|yes|no|on|off)$/i.test(text);
      findings.push({
        code: 'E_CONFIG_VALUE',
        severity: 'error',
        message: `${key}: '${text}' is not y, m, n, a "quoted string", a number or 0x-hex`,
        where: locate(src, [...path, key]),
        hint: boolish ? 'Kconfig values are y, m or n' : 'quote string values: "text"',
      });
      continue;
    }
    requests.push({ symbol, value, where, origin, ...(arch ? { arch } : {}) });
  }
  return { requests, findings };
}
