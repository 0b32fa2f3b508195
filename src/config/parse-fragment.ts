import type { Finding } from '../findings/finding.js';
import type { ConfigOrigin, ConfigRequest } from '../model/types.js';
import type { RpmArch } from '../model/arch.js';
import { parseConfigValue } from './config-value.js';

const SET = /^CONFIG_([A-Za-z0-9_]+)=(.*)$/;
const UNSET = /^# CONFIG_([A-Za-z0-9_]+) is not set\s*$/;

/**
 * Parse a config fragment in the kernel's own syntax (`CONFIG_X=y`, `# CONFIG_X is not set`).
 * Comments and blank lines are skipped; anything else is a finding at its line.
 */
export function parseFragment(
  text: string,
  file: string,
  origin: ConfigOrigin,
  arch?: RpmArch,
): { requests: ConfigRequest[]; findings: Finding[] } {
  const requests: ConfigRequest[] = [];
  const findings: Finding[] = [];
  const seen = new Map<string, number>();
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    const lineNo = i + 1;
    const where = { file, line: lineNo, col: 1 };
    if (line.trim() === '') return;
    const unset = UNSET.exec(line);
    const set = unset ? undefined : SET.exec(line);
    if (!unset && !set) {
      if (line.startsWith('#')) return;
      const spaced = /^\s*CONFIG_\w+\s*=\s*/.test(line);
      findings.push({
        code: 'E_FRAGMENT_SYNTAX',
        severity: 'error',
        message: `cannot read '${line.trim().slice(0, 80)}'`,
        where,
        hint: spaced
          ? 'write CONFIG_X=value with no spaces around = and no indentation'
          : 'fragment lines are CONFIG_X=value or # CONFIG_X is not set',
      });
      return;
    }
    const symbol = (unset ?? set)![1]!;
    let value;
    if (unset) {
      value = { type: 'tristate' as const, value: 'n' as const };
    } else {
      const parsed = parseConfigValue(set![2]!.trimEnd());
      if (!parsed.value) {
        findings.push({
          code: 'E_CONFIG_VALUE',
          severity: 'error',
          message: `CONFIG_${symbol}: ${parsed.error}`,
          where: { ...where, col: symbol.length + 9 },
        });
        return;
      }
      value = parsed.value;
      if (value.type === 'tristate' && value.value === 'n') {
        findings.push({
          code: 'W_FRAGMENT_N',
          severity: 'warning',
          message: `CONFIG_${symbol}=n: the kernel writes n as '# CONFIG_${symbol} is not set'`,
          where,
          hint: `write '# CONFIG_${symbol} is not set' (Fedora's process_configs.sh rejects =n lines)`,
        });
      }
    }
    const previous = seen.get(symbol);
    if (previous !== undefined) {
      findings.push({
        code: 'W_FRAGMENT_DUPLICATE',
        severity: 'warning',
        message: `CONFIG_${symbol} is set again in the same fragment; the later line wins`,
        where,
        related: [{ message: 'first set here', where: { file, line: previous, col: 1 } }],
      });
      const idx = requests.findIndex((r) => r.symbol === symbol);
      requests.splice(idx, 1);
    }
    seen.set(symbol, lineNo);
    requests.push({ symbol, value, where, origin, ...(arch ? { arch } : {}) });
  });
  return { requests, findings };
}
