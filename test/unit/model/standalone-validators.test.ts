import AjvModule from 'ajv';
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generatedValidator, schemaPath, SCHEMA_NAMES, standaloneValidatorSource, type SchemaName } from '../../../src/model/schemas.js';

const repo = path.resolve(import.meta.dirname, '..', '..', '..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'kplay-validators-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Validate = ((data: unknown) => boolean) & { errors?: unknown[] | null };

/** The generated module, loaded the way src/model/schemas.ts loads dist/model/validators/<name>.cjs. */
async function generated(name: SchemaName): Promise<Validate> {
  const file = path.join(dir, `${name}.cjs`);
  writeFileSync(file, await standaloneValidatorSource(name));
  return createRequire(path.join(repo, 'package.json'))(file) as Validate;
}

function compiled(name: SchemaName): Validate {
  const ajv = new AjvModule.default({ allErrors: true, strict: true, allowUnionTypes: true });
  return ajv.compile(JSON.parse(readFileSync(schemaPath(name), 'utf8')) as object) as Validate;
}

function examples(name: SchemaName): unknown[] {
  if (name === 'variant') {
    return readdirSync(path.join(repo, 'variants'))
      .filter((f) => f.endsWith('.yml'))
      .map((f) => parse(readFileSync(path.join(repo, 'variants', f), 'utf8')) as unknown);
  }
  return readdirSync(path.join(repo, 'features'), { recursive: true, encoding: 'utf8' })
    .filter((f) => path.basename(f) === 'feature.yml')
    .map((f) => parse(readFileSync(path.join(repo, 'features', f), 'utf8')) as unknown);
}

/** A document with one key replaced, removed or added somewhere inside it. */
function mutate(doc: unknown, pathChoice: number, op: number, value: unknown): unknown {
  const copy = structuredClone(doc) as Record<string, unknown>;
  const objects: Array<Record<string, unknown>> = [];
  const walk = (v: unknown): void => {
    if (v && typeof v === 'object') {
      objects.push(v as Record<string, unknown>);
      for (const x of Object.values(v)) walk(x);
    }
  };
  walk(copy);
  const target = objects[pathChoice % objects.length]!;
  const keys = Object.keys(target);
  const key = keys.length ? keys[pathChoice % keys.length]! : 'x';
  if (op === 0) target[key] = value;
  else if (op === 1) delete target[key];
  else target[`extra_${key}`] = value;
  return copy;
}

describe('validators generated ahead of time (ajv standalone code)', () => {
  for (const name of SCHEMA_NAMES) {
    it(`${name}: the same verdict and the same errors as compiling the schema, on the repository's documents and 300 mutations of them`, async () => {
      const fast = await generated(name);
      const slow = compiled(name);
      const docs = examples(name);
      expect(docs.length).toBeGreaterThan(1);
      const agree = (doc: unknown): void => {
        const a = fast(doc);
        const b = slow(doc);
        expect(a).toBe(b);
        expect(fast.errors ?? null).toEqual(slow.errors ?? null);
      };
      for (const d of docs) {
        agree(d);
        expect(fast(d)).toBe(true);
      }
      let invalid = 0;
      fc.assert(
        fc.property(
          fc.nat(docs.length - 1),
          fc.nat(1000),
          fc.nat(2),
          fc.oneof(
            fc.string(),
            fc.integer(),
            fc.boolean(),
            fc.constant(null),
            fc.array(fc.string(), { maxLength: 3 }),
            fc.dictionary(fc.string(), fc.string()),
          ),
          (i, p, op, value) => {
            const doc = mutate(docs[i], p, op, value);
            agree(doc);
            if (!slow(doc)) invalid++;
          },
        ),
        { numRuns: 300, seed: 20261130 },
      );
      // the mutations must reach the error paths, not only valid documents
      expect(invalid).toBeGreaterThan(50);
    });
  }

  it('a generated validator is used only for the schema text (and ajv, options) it was made from', async () => {
    const source = await standaloneValidatorSource('feature');
    const stamp = source.split('\n', 1)[0]!;
    expect(stamp).toMatch(/^\/\/ kplay validator for schema sha256 [0-9a-f]{64}$/);
    expect(source).not.toContain(path.join(repo, 'schemas'));
    const schemaText = readFileSync(schemaPath('feature'), 'utf8');
    const good = path.join(dir, 'good');
    mkdirSync(good, { recursive: true });
    writeFileSync(path.join(good, 'feature.cjs'), source);
    expect(typeof generatedValidator('feature', schemaText, good)).toBe('function');
    // the same code under another schema text (an edited schema, a stale build) is not used
    expect(generatedValidator('feature', `${schemaText}\n`, good)).toBeUndefined();
    const stale = path.join(dir, 'stale');
    mkdirSync(stale, { recursive: true });
    writeFileSync(path.join(stale, 'feature.cjs'), source.replace(/sha256 [0-9a-f]{8}/, 'sha256 00000000'));
    expect(generatedValidator('feature', schemaText, stale)).toBeUndefined();
    expect(generatedValidator('feature', schemaText, path.join(dir, 'missing'))).toBeUndefined();
  });

  it('the build wrote them for the current schemas (npm test builds first), so the CLI does not compile at start', async () => {
    for (const name of SCHEMA_NAMES) {
      const built = readFileSync(path.join(repo, 'dist', 'model', 'validators', `${name}.cjs`), 'utf8');
      expect(built.split('\n', 1)[0], `dist/model/validators/${name}.cjs is stale: npm run build`).toBe(
        (await standaloneValidatorSource(name)).split('\n', 1)[0],
      );
    }
  });
});
