import { realpathSync } from 'node:fs';
import path from 'node:path';

function isUnder(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Compiler lines about a file outside the module folders and the kernel-devel (a hostile
 * `#include "/etc/…"` or a symlink to it): the sandbox may let the compiler read it (the file
 * system is visible read-only), so its words never reach a finding: the line names the file only.
 */
export function withoutOutsideContent(lines: readonly string[], allowed: readonly string[], cwd: string): string[] {
  const roots = allowed.map((a) => {
    try {
      return realpathSync(a);
    } catch {
      return path.resolve(a);
    }
  });
  const toolchain = ['/usr/lib/gcc', '/usr/include', '/usr/lib/linux-kbuild', '/usr/src'];
  return lines.map((line) => {
    const m = /^(?:In file included from )?([^\s:]+):\d+(?::\d+)?[:,]/.exec(line.trim());
    if (!m) return line;
    const file = path.resolve(cwd, m[1]!);
    let real = file;
    try {
      real = realpathSync(file);
    } catch {
      /* not there: judged by its name */
    }
    if ([...roots, ...toolchain].some((r) => isUnder(real, r))) return line;
    return `${m[1]}: a file outside the module folders and the kernel-devel (its content is not shown)`;
  });
}
