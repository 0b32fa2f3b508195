import nunjucks from 'nunjucks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SpecContext } from './spec-context.js';

/** specfile-templates/ shipped with the package (two levels above src/render and dist/spec). */
export const TEMPLATE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'specfile-templates');

let env: nunjucks.Environment | undefined;

/** The Nunjucks environment: no HTML autoescape (context values are RPM-escaped already), strict undefined. */
export function specEnvironment(): nunjucks.Environment {
  env ??= new nunjucks.Environment(new nunjucks.FileSystemLoader(TEMPLATE_DIR, { noCache: false }), {
    autoescape: false,
    throwOnUndefined: true,
    trimBlocks: false,
    lstripBlocks: false,
  });
  return env;
}

/** Render a template of specfile-templates/ (e.g. `kernel.spec.njk`). */
export function renderTemplate(name: string, context: SpecContext | Record<string, unknown>): string {
  const text = specEnvironment().render(name, context);
  // no trailing blanks, exactly one final newline: stable output whatever the template's edges
  return `${text
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
