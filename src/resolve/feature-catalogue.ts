import { readdir } from 'node:fs/promises';
import path from 'node:path';

/** Every feature name under <root>/features (folders holding a feature.yml), nested names included. */
export function listFeatureNames(root: string): Promise<string[]> {
  return scan(path.join(root, 'features'));
}

async function scan(featuresDir: string): Promise<string[]> {
  const names: string[] = [];
  const walk = async (rel: string, depth: number): Promise<void> => {
    if (depth > 4) return;
    let entries;
    try {
      entries = await readdir(path.join(featuresDir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    if (rel && entries.some((e) => e.name === 'feature.yml' && e.isFile())) names.push(rel);
    for (const e of entries) {
      if (e.isDirectory() && e.name !== 'patches' && !e.name.startsWith('.')) await walk(rel ? `${rel}/${e.name}` : e.name, depth + 1);
    }
  };
  await walk('', 0);
  return names.sort();
}
