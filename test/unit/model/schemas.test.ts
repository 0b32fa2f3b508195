import AjvModule from 'ajv';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { schemaPath } from '../../../src/model/schemas.js';
import { ROOT_OF_REPO } from '../../support/fixture-repo.js';

async function yamlFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && /\.ya?ml$/.test(e.name)) out.push(path.join(e.parentPath, e.name));
  }
  return out.sort();
}

describe('the shipped JSON Schemas', () => {
  for (const name of ['variant', 'feature'] as const) {
    it(`${name}.schema.json is a valid draft-07 schema`, async () => {
      const ajv = new AjvModule.default({ strict: true, allowUnionTypes: true });
      const schema = JSON.parse(await readFile(schemaPath(name), 'utf8')) as Record<string, unknown>;
      expect(ajv.validateSchema(schema)).toBe(true);
      expect(() => ajv.compile(schema)).not.toThrow();
    });
  }

  it('accept every shipped variant and feature file, each of which names its schema', async () => {
    const ajv = new AjvModule.default({ strict: true, allowUnionTypes: true });
    const validate = {
      variant: ajv.compile(JSON.parse(await readFile(schemaPath('variant'), 'utf8'))),
      feature: ajv.compile(JSON.parse(await readFile(schemaPath('feature'), 'utf8'))),
    };
    const files = [...(await yamlFiles(path.join(ROOT_OF_REPO, 'variants'))), ...(await yamlFiles(path.join(ROOT_OF_REPO, 'features')))];
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const file of files) {
      const kind = file.includes(`${path.sep}features${path.sep}`) ? 'feature' : 'variant';
      const text = await readFile(file, 'utf8');
      const modeline = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text);
      expect(modeline, file).not.toBeNull();
      expect(path.resolve(path.dirname(file), modeline![1]!), file).toBe(schemaPath(kind));
      const ok = validate[kind](parse(text));
      expect(ok, `${file}: ${JSON.stringify(validate[kind].errors)}`).toBe(true);
    }
  });
});
