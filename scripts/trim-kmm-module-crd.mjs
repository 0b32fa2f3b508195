#!/usr/bin/env node
// Writes schemas/kmm-module.crd.trimmed.yaml from KMM's Module CRD
// (rh-ecosystem-edge/kernel-module-management config/crd/bases/kmm.sigs.x-k8s.io_modules.yaml,
// 399 KB; origin and commit in schemas/ORIGIN.md). The original's `spec.devicePlugin` and
// `spec.dra` (the device-plugin and DRA pod templates: full Kubernetes container and volume
// schemas, 95% of the file) become open objects; everything else, `spec.moduleLoader` included,
// is kept as it is. kplay's Module CRs set neither of the two fields.
//
//   node scripts/trim-kmm-module-crd.mjs ORIGINAL.yaml [--check]
//
// --check compares with the committed file instead of writing it (exit 1 when they differ).
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const target = path.join(root, 'schemas', 'kmm-module.crd.trimmed.yaml');
/** The original this script was written for; another one is refused (the trim names its paths). */
const ORIGINAL_SHA256 = 'a3b78580ac832b3cbb9042f8080fb111072e89fd564396512b07b62f6ad6f1d7';
const TRIMMED = ['devicePlugin', 'dra'];

const [source, flag] = process.argv.slice(2);
if (!source) {
  console.error('usage: node scripts/trim-kmm-module-crd.mjs ORIGINAL.yaml [--check]');
  process.exit(2);
}
const bytes = readFileSync(source);
const sha = createHash('sha256').update(bytes).digest('hex');
if (sha !== ORIGINAL_SHA256) {
  console.error(`${source}: sha256 ${sha} is not the original this trim was written for (${ORIGINAL_SHA256})`);
  process.exit(1);
}
const doc = parseDocument(bytes.toString('utf8'));
const versions = doc.getIn(['spec', 'versions']);
for (const version of versions.items) {
  const spec = ['schema', 'openAPIV3Schema', 'properties', 'spec', 'properties'];
  for (const field of TRIMMED) {
    if (!version.hasIn([...spec, field])) throw new Error(`${source}: no spec.${field} in version ${version.get('name')}`);
    version.setIn(
      [...spec, field],
      doc.createNode({
        description: `Trimmed by kplay (scripts/trim-kmm-module-crd.mjs): the original schema of spec.${field} is not vendored.`,
        type: 'object',
        'x-kubernetes-preserve-unknown-fields': true,
      }),
    );
  }
}
doc.commentBefore = [
  ` KMM's Module CRD, trimmed by kplay (scripts/trim-kmm-module-crd.mjs) from`,
  ` rh-ecosystem-edge/kernel-module-management config/crd/bases/kmm.sigs.x-k8s.io_modules.yaml`,
  ` (sha256 ${ORIGINAL_SHA256}; commit in schemas/ORIGIN.md).`,
  ` Removed: the schemas of ${TRIMMED.map((f) => `spec.${f}`).join(' and ')} (open objects here). Everything else is the original.`,
].join('\n');
const text = doc.toString({ lineWidth: 0 });
if (flag === '--check') {
  const committed = readFileSync(target, 'utf8');
  if (committed !== text) {
    console.error(`${path.relative(root, target)} differs from the trim of ${source}`);
    process.exit(1);
  }
  console.log(`${path.relative(root, target)} is the trim of ${source}`);
} else {
  writeFileSync(target, text);
  console.log(`wrote ${path.relative(root, target)} (${text.length} bytes)`);
}
