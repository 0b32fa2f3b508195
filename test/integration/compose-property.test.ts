import fc from 'fast-check';
import { cp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { composeVariant } from '../../src/compose/compose-variant.js';
import { ROOT_OF_REPO } from '../support/fixture-repo.js';
import { propertyRuns } from '../support/paths.js';
import { tempDir } from '../support/temp-dir.js';

const RUNS = propertyRuns(300);

// Values a variant key may plausibly (or implausibly) hold.
const scalar = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('y', 'm', 'n', '0x1f', '%(id)', '../x', 'x86_64', 'overlayfs'),
);
const value = fc.oneof(
  scalar,
  fc.array(scalar, { maxLength: 4 }),
  fc.dictionary(fc.constantFrom('CONFIG_NET', 'kind', 'version', 'url', 'x86_64', 'file', 'project'), scalar, { maxKeys: 3 }),
);
const keys = [
  'name',
  'summary',
  'description',
  'extends',
  'base',
  'arches',
  'features',
  'config',
  'arch-config',
  'release',
  'buildid',
  'changelog',
  'targets',
  'bogus',
];
const variantDoc = fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 8 });

const validBase = { kind: 'vanilla', version: '6.1.192' };
const validDoc = fc.record({
  name: fc.constantFrom('p', 'q-1'),
  summary: fc.constantFrom('a kernel', '%(touch /tmp/x) 100%'),
  base: fc.constant(validBase),
  arches: fc.subarray(['x86_64', 'aarch64'], { minLength: 1 }),
  features: fc.subarray(['overlayfs', 'wireguard', 'deprecated-drivers/mptsas'], { minLength: 0 }),
  config: fc.dictionary(fc.constantFrom('CONFIG_NET', 'CONFIG_WIREGUARD'), fc.constantFrom('y', 'm', 'n')),
});
const nearlyValid = fc.record({
  name: fc.constantFrom('p', 'Bad Name', 'x'),
  summary: fc.oneof(fc.string({ maxLength: 20 }), fc.constant('%(touch /tmp/x)')),
  base: fc.oneof(
    fc.constant(validBase),
    fc.record({ kind: fc.constantFrom('vanilla', 'fedora'), version: fc.constantFrom('6.1', '6.1.192', 'six', '6.12-rc3') }),
  ),
  arches: fc.subarray(['x86_64', 'aarch64', 'sparc'], { minLength: 0 }),
  features: fc.subarray(['overlayfs', 'wireguard', 'nosuch', 'deprecated-drivers/mptsas', '../etc'], { minLength: 0 }),
  config: fc.dictionary(
    fc.constantFrom('CONFIG_NET', 'CONFIG_WIREGUARD', 'NOT_CONFIG'),
    fc.oneof(fc.constantFrom('y', 'm', 'n', 'yes'), fc.integer(), fc.string({ maxLength: 5 })),
  ),
});

describe('the loader never crashes on random variant documents', () => {
  // a copy of the shipped features and variants (what `extends` may name) under os.tmpdir():
  // the documents are written next to them, never into the repository, where other tests
  // running at the same time (the schema test reads every variants/*.yml) would see them
  let root: string;
  beforeAll(async () => {
    root = await tempDir('kplay-compose-property-');
    for (const d of ['features', 'variants']) await cp(path.join(ROOT_OF_REPO, d), path.join(root, d), { recursive: true });
  });

  it('every document composes or yields findings', async () => {
    let n = 0;
    let composed = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(variantDoc, nearlyValid, validDoc), fc.boolean(), async (doc, asText) => {
        const file = path.join(root, 'variants', '.prop.yml');
        const text = asText ? stringify(doc) : JSON.stringify(doc);
        await writeFile(file, text);
        const result = await composeVariant(file, { root, write: false });
        n++;
        if (result.exitCode === 0) composed++;
        else expect(result.findings.some((f) => f.severity === 'error' && f.where)).toBe(true);
        for (const f of result.findings) expect(typeof f.message).toBe('string');
      }),
      { numRuns: RUNS },
    );
    expect(n).toBe(RUNS);
    // the generator reaches valid documents too, so both outcomes are exercised
    expect(composed).toBeGreaterThan(0);
  });
});
