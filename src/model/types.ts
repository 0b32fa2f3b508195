import type { SourceLocation } from '../findings/finding.js';
import type { RpmArch } from './arch.js';

/**
 * The loaded, validated model of variants and features: plain data that every later stage
 * (resolve, merge, check, render, package, submit) reads. Every user value keeps where it came from.
 */

/** A Kconfig value as written in a fragment: y, m, n, "string", 123, 0x1f. */
export type ConfigValue =
  | { type: 'tristate'; value: 'y' | 'm' | 'n' }
  | { type: 'string'; value: string }
  | { type: 'int'; value: string }
  | { type: 'hex'; value: string };

/** Who asked for a config value. */
export interface ConfigOrigin {
  kind: 'base' | 'feature' | 'variant';
  /** Feature name, variant name, or base label. */
  name: string;
}

/** One requested symbol value, with provenance. `symbol` has no CONFIG_ prefix. */
export interface ConfigRequest {
  symbol: string;
  value: ConfigValue;
  where: SourceLocation;
  origin: ConfigOrigin;
  /** Feature declared y-or-m acceptable (W_KCONFIG_PROMOTED becomes silent for m→y). */
  acceptPromotion?: boolean;
  /** Restricted to one arch (from `config.<arch>` fragments); undefined = every arch. */
  arch?: RpmArch;
}

export interface CoprTarget {
  /** `owner/project`; owner may be `@group`. */
  project: string;
  chroots: string[];
  /** Seconds; kernel builds need far more than Copr's 5 h default. */
  timeout?: number;
  enable_net?: boolean;
  description?: string;
  instructions?: string;
  isolation?: 'default' | 'simple' | 'nspawn';
  bootstrap?: 'default' | 'on' | 'off' | 'image';
  follow_fedora_branching?: boolean;
  auto_prune?: boolean;
  delete_after_days?: number;
  additional_repos?: string[];
  /** rpmbuild `--without` options of each chroot (Copr's `without_opts`), e.g. `debug`. */
  without?: string[];
  where: SourceLocation;
}

export interface CbsTarget {
  /** Koji build target, e.g. `kmods9s-packages-main-el9s`. */
  target: string;
  /** koji profile; `cbs` by default. */
  profile?: string;
  scratch?: boolean;
  where: SourceLocation;
}

export interface Targets {
  copr?: CoprTarget;
  cbs?: CbsTarget;
}
