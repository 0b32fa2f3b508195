import AjvModule from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Finding } from '../findings/finding.js';
import { locate, type YamlSource } from './yaml-source.js';

// ajv is CommonJS; under NodeNext its class is the default export's `default`.
const Ajv = AjvModule.default;

/** The schemas/ folder shipped with the package (two levels above both src/model and dist/model). */
export const SCHEMA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'schemas');

export type SchemaName = 'variant' | 'feature';

const compiled = new Map<SchemaName, ValidateFunction>();

export function schemaPath(name: SchemaName): string {
  return path.join(SCHEMA_DIR, `${name}.schema.json`);
}

function validator(name: SchemaName): ValidateFunction {
  const cached = compiled.get(name);
  if (cached) return cached;
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  const v = ajv.compile(JSON.parse(readFileSync(schemaPath(name), 'utf8')) as object);
  compiled.set(name, v);
  return v;
}

function pathOf(instancePath: string): string[] {
  return instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function describe(e: ErrorObject, key: string): { message: string; hint?: string; atKey?: boolean } {
  const p = e.params as Record<string, unknown>;
  const what = key ? `'${key}'` : 'the document';
  switch (e.keyword) {
    case 'additionalProperties':
      return {
        message: `unknown key '${String(p.additionalProperty)}'`,
        hint: 'check the spelling; the schema lists the keys allowed here',
        atKey: true,
      };
    case 'required':
      return { message: `${what} is missing the required key '${String(p.missingProperty)}'` };
    case 'type':
      return { message: `${what} must be ${String(p.type).replace(/,/g, ' or ')}` };
    case 'enum':
      return { message: `${what} must be one of: ${(p.allowedValues as unknown[]).join(', ')}` };
    case 'pattern':
      return { message: `${what} has an invalid value (must match ${String(p.pattern)})` };
    case 'propertyNames':
      return { message: `${what} has an invalid key '${String(p.propertyName)}'`, atKey: true };
    case 'minItems':
      return { message: `${what} must list at least ${String(p.limit)} item(s)` };
    case 'uniqueItems':
      return { message: `${what} lists the same item twice (items ${String(p.j)} and ${String(p.i)})` };
    case 'minLength':
      return { message: `${what} must not be empty` };
    case 'maxLength':
      return { message: `${what} is longer than ${String(p.limit)} characters` };
    case 'minimum':
    case 'maximum':
      return { message: `${what} must be ${e.keyword === 'minimum' ? '>=' : '<='} ${String(p.limit)}` };
    case 'oneOf':
      return { message: `${what} matches none of the accepted forms` };
    default:
      return { message: `${what} ${e.message ?? 'is invalid'}` };
  }
}

/**
 * Validate a parsed YAML document against a schema and turn each error into a Finding at the
 * offending key or value. Errors under a failed `oneOf` are folded into one finding.
 */
export function validateAgainstSchema(name: SchemaName, src: YamlSource, data: unknown): Finding[] {
  const validate = validator(name);
  if (validate(data)) return [];
  const errors = validate.errors ?? [];
  const oneOfPaths = errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath);
  const seen = new Set<string>();
  const findings: Finding[] = [];
  for (const e of errors) {
    if (e.keyword !== 'oneOf' && oneOfPaths.some((p) => e.instancePath === p || e.instancePath.startsWith(`${p}/`))) continue;
    // propertyNames reports twice (the name and the pattern): keep the first per path
    let path = pathOf(e.instancePath);
    if (e.keyword === 'propertyNames' || (e.keyword === 'pattern' && e.propertyName)) {
      const raw = (e.params as Record<string, unknown>).propertyName ?? e.propertyName ?? '';
      const name = typeof raw === 'string' ? raw : JSON.stringify(raw);
      if (name) path = [...path, name];
    }
    const id = `${path.join('/')}|${e.keyword === 'additionalProperties' ? String((e.params as Record<string, unknown>).additionalProperty) : ''}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const d = describe(e, path.join('.'));
    if (e.propertyName && e.keyword === 'pattern') {
      d.message = `invalid key '${e.propertyName}' (must match ${String((e.params as Record<string, unknown>).pattern)})`;
      d.atKey = true;
    }
    const where =
      e.keyword === 'additionalProperties'
        ? locate(src, [...path, String((e.params as Record<string, unknown>).additionalProperty)], true)
        : locate(src, path, d.atKey);
    findings.push({ code: 'E_SCHEMA', severity: 'error', message: d.message, where, ...(d.hint ? { hint: d.hint } : {}) });
  }
  return findings;
}
