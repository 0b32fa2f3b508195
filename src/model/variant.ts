import type { SourceLocation } from '../findings/finding.js';
import type { RpmArch } from './arch.js';
import type { NameRef } from './feature.js';
import type { ConfigRequest, Targets } from './types.js';

export type BaseConfig =
  | { kind: 'target'; target: string; where: SourceLocation }
  | { kind: 'file'; path: string; display: string; where: SourceLocation }
  | { kind: 'url'; url: string; sha256: string; where: SourceLocation };

export interface BaseSource {
  url: string;
  sha256?: string;
  /** Folder the tarball unpacks to. */
  topdir: string;
  where: SourceLocation;
}

export interface VanillaBase {
  kind: 'vanilla';
  version: string;
  versionWhere: SourceLocation;
  source: BaseSource;
  /** Base config per arch (defconfig when the variant names none). */
  config: Partial<Record<RpmArch, BaseConfig>>;
}

export interface ChangelogEntry {
  date: string;
  author: string;
  text: string;
}

/** A loaded variant with its `extends` chain applied. */
export interface Variant {
  name: string;
  file: string;
  /** Variant files read, the variant itself first, then what it extends. */
  chain: string[];
  summary: string;
  description?: string;
  base: VanillaBase;
  arches: { list: RpmArch[]; where: SourceLocation };
  features: NameRef[];
  /** Variant overrides: `config` (every arch) then `arch-config` (one arch each). */
  requests: ConfigRequest[];
  release: number;
  buildid?: string;
  changelog: ChangelogEntry[];
  targets: Targets;
}
