// Part of the build (npm run build, npm test's build step): writes ajv's standalone validators for
// the variant and feature schemas into dist/model/validators/, so no command compiles a schema at
// start. src/model/schemas.ts uses them only when they match the schema text, else compiles.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const { SCHEMA_NAMES, VALIDATOR_DIR, standaloneValidatorSource } = await import(path.join(root, 'dist', 'model', 'schemas.js'));
mkdirSync(VALIDATOR_DIR, { recursive: true });
for (const name of SCHEMA_NAMES) writeFileSync(path.join(VALIDATOR_DIR, `${name}.cjs`), await standaloneValidatorSource(name));
