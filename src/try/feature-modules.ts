import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Which modules a config symbol builds: every `obj-$(CONFIG_SYM) += name.o` (or `:=`) line of
 * the tree's Makefiles and Kbuild files. A folder entry (`+= wireguard/`) is followed by that
 * folder's own lines for the same symbol, which is how Kbuild finds them.
 */
export async function modulesOfSymbols(treeDir: string, symbols: readonly string[]): Promise<Map<string, string[]>> {
  const wanted = new Set(symbols);
  const out = new Map<string, string[]>(symbols.map((s) => [s, []]));
  if (!wanted.size) return out;
  const line = /^\s*obj-\$\(CONFIG_([A-Za-z0-9_]+)\)\s*[:+]?=\s*(.*)$/;
  const visit = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (dir === treeDir && (e.name === 'Documentation' || e.name === 'tools' || e.name === 'samples')) continue;
        await visit(abs);
      } else if (e.isFile() && (e.name === 'Makefile' || e.name === 'Kbuild')) {
        const text = (await readFile(abs, 'latin1')).replace(/\\\n/g, ' ');
        for (const l of text.split('\n')) {
          const m = line.exec(l);
          if (!m || !wanted.has(m[1]!)) continue;
          for (const word of m[2]!.replace(/#.*$/, '').split(/\s+/)) {
            const mod = /^([A-Za-z0-9_-]+)\.o$/.exec(word);
            if (mod) out.get(m[1]!)!.push(mod[1]!.replace(/-/g, '_'));
          }
        }
      }
    }
  };
  await visit(treeDir);
  for (const [k, v] of out) out.set(k, [...new Set(v)]);
  return out;
}

/** Names of the modules `modules_install` put in `modulesDir` (from its modules.order). */
export async function builtModules(modulesDir: string): Promise<Set<string>> {
  try {
    const order = await readFile(path.join(modulesDir, 'modules.order'), 'utf8');
    return new Set(
      order
        .split('\n')
        .filter(Boolean)
        .map((p) =>
          path
            .basename(p)
            .replace(/\.(ko|o)$/, '')
            .replace(/-/g, '_'),
        ),
    );
  } catch {
    return new Set();
  }
}
