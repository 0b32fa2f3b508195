import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ROOT_OF_REPO } from './paths.js';

/** A variant file the repository ships, with what the shipped-material tests need to know. */
export interface ShippedVariant {
  file: string;
  name: string;
  /** `vanilla`, `fedora`, `centos-stream` or `kmod`. */
  kind: string;
  features: string[];
}

/** Every `variants/*.yml` of the repository (read here, so a new shipped variant is checked without editing a test). */
export function shippedVariants(): ShippedVariant[] {
  const dir = path.join(ROOT_OF_REPO, 'variants');
  const byName = new Map<string, Record<string, unknown>>();
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.yml'))
    .sort())
    byName.set(f, parse(readFileSync(path.join(dir, f), 'utf8')) as Record<string, unknown>);
  // `extends:` one level is what the shipped variants use: features add up, the base is inherited
  const resolved = (f: string): Record<string, unknown> => {
    const v = byName.get(f)!;
    const parent = typeof v.extends === 'string' ? resolved(v.extends) : {};
    const features = [...((parent.features as string[]) ?? []), ...((v.features as string[]) ?? [])];
    return { ...parent, ...v, features };
  };
  return [...byName.keys()].map((f) => {
    const v = resolved(f);
    const base = v.base as { kind?: string } | undefined;
    return {
      file: `variants/${f}`,
      name: String(v.name),
      kind: v.type === 'kmod' ? 'kmod' : (base?.kind ?? 'vanilla'),
      features: (v.features as string[]) ?? [],
    };
  });
}

/** Every feature folder the repository ships (`features/**\/feature.yml`), by name. */
export function shippedFeatures(): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const abs = path.join(ROOT_OF_REPO, 'features', rel);
    for (const n of readdirSync(abs)) {
      const child = rel ? `${rel}/${n}` : n;
      if (!statSync(path.join(abs, n)).isDirectory()) continue;
      try {
        statSync(path.join(abs, n, 'feature.yml'));
        out.push(child);
      } catch {
        walk(child);
      }
    }
  };
  walk('');
  return out.sort();
}
