import AjvModule from 'ajv';
import type { ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { SCHEMA_DIR } from '../model/schemas.js';

const Ajv = AjvModule.default;

let validators:
  { ignition: ValidateFunction; machineConfig: ValidateFunction; bootModuleConfig: ValidateFunction; module: ValidateFunction } | undefined;

/**
 * Validators from the vendored schemas (schemas/ORIGIN.md): Ignition v3.2.0's JSON schema for
 * spec.config, the MachineConfig CRD's openAPIV3Schema for the whole object, KMM's BootModuleConfig
 * CRD and KMM's Module CRD (trimmed: spec.devicePlugin and spec.dra are open objects there).
 */
function compile() {
  if (validators) return validators;
  const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
  ajv.addKeyword({ keyword: 'x-kubernetes-preserve-unknown-fields', schemaType: 'boolean' });
  // the CRDs' OpenAPI integer formats (without them Ajv prints "unknown format" on every run)
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  const ignition = JSON.parse(readFileSync(path.join(SCHEMA_DIR, 'ignition-3.2.0.schema.json'), 'utf8')) as Record<string, unknown>;
  // draft-04 declared; its keywords (type, $ref, properties, items, required, allOf) mean the same in draft-07
  ignition.$schema = 'http://json-schema.org/draft-07/schema#';
  const crd = parse(readFileSync(path.join(SCHEMA_DIR, 'machineconfig.crd.yaml'), 'utf8')) as {
    spec: { versions: Array<{ name: string; schema: { openAPIV3Schema: object } }> };
  };
  const v1 = crd.spec.versions.find((v) => v.name === 'v1')!;
  const bmc = parse(readFileSync(path.join(SCHEMA_DIR, 'bootmoduleconfig.crd.yaml'), 'utf8')) as typeof crd;
  const v1beta1 = bmc.spec.versions.find((v) => v.name === 'v1beta1')!;
  const moduleCrd = parse(readFileSync(path.join(SCHEMA_DIR, 'kmm-module.crd.trimmed.yaml'), 'utf8')) as typeof crd;
  const moduleV1beta1 = moduleCrd.spec.versions.find((v) => v.name === 'v1beta1')!;
  validators = {
    ignition: ajv.compile(ignition),
    machineConfig: ajv.compile(v1.schema.openAPIV3Schema),
    bootModuleConfig: ajv.compile(v1beta1.schema.openAPIV3Schema),
    module: ajv.compile(moduleV1beta1.schema.openAPIV3Schema),
  };
  return validators;
}

/** Every schema violation of a MachineConfig, as `schema: path message` lines (empty: valid). */
export function machineConfigProblems(mc: unknown): string[] {
  const v = compile();
  const out: string[] = [];
  if (!v.machineConfig(mc))
    for (const e of v.machineConfig.errors ?? []) out.push(`MachineConfig CRD: ${e.instancePath || '/'} ${e.message ?? ''}`);
  const config = (mc as { spec?: { config?: unknown } })?.spec?.config;
  if (!v.ignition(config))
    for (const e of v.ignition.errors ?? []) out.push(`Ignition 3.2.0: /spec/config${e.instancePath} ${e.message ?? ''}`);
  const version = (config as { ignition?: { version?: string } } | undefined)?.ignition?.version;
  if (version !== '3.2.0') out.push(`Ignition 3.2.0: /spec/config/ignition/version is ${String(version)}, not 3.2.0`);
  return out;
}

/** Every violation of KMM's BootModuleConfig CRD (schemas/bootmoduleconfig.crd.yaml). */
export function bootModuleConfigProblems(bmc: unknown): string[] {
  const v = compile();
  if (v.bootModuleConfig(bmc)) return [];
  return (v.bootModuleConfig.errors ?? []).map((e) => `BootModuleConfig CRD: ${e.instancePath || '/'} ${e.message ?? ''}`);
}

/** Every violation of KMM's Module CRD (schemas/kmm-module.crd.trimmed.yaml). */
export function moduleProblems(mod: unknown): string[] {
  const v = compile();
  if (v.module(mod)) return [];
  return (v.module.errors ?? []).map((e) => `Module CRD: ${e.instancePath || '/'} ${e.message ?? ''}`);
}

/** The scripts a MachineConfig installs, decoded from their data: URLs. */
export function embeddedScripts(mc: {
  spec: { config: { storage?: { files?: Array<{ path: string; contents?: { source?: string } }> } } };
}): Array<{ path: string; text: string }> {
  return (mc.spec.config.storage?.files ?? []).map((f) => {
    const m = /^data:[^,]*;base64,(.*)$/.exec(f.contents?.source ?? '');
    return { path: f.path, text: m ? Buffer.from(m[1]!, 'base64').toString('utf8') : '' };
  });
}
