import type { MergedConfig } from '../config/merge-config.js';
import type { Finding, SourceLocation } from '../findings/finding.js';
import type { RpmArch } from '../model/arch.js';
import type { Variant, VariantBase } from '../model/variant.js';
import type { ResolvedFeatures } from '../resolve/resolve-features.js';
import type { CollectedSource } from '../rpm/srpm-sources.js';
import type { OutputPatch } from '../render/spec-context.js';
import type { ConfigResolver, ObservedResolution } from './overlay/resolved-config.js';

/** Another kernel.org release for a variant's base: what `kplay matrix` and `kplay track` compose against. */
export interface BaseOverride {
  version: string;
  source?: { url: string; sha256?: string; topdir?: string };
}

export interface ComposeOptions {
  /** Output folder; default <root>/out/<variant>. */
  out?: string;
  /** Repository root (holding features/); default: found from the variant's folder. */
  root?: string;
  /** Write the output (default true). */
  write?: boolean;
  /**
   * Render the spec and manifest (default true). Commands that only need the resolved features
   * and merged config (explain, diff) skip it, and with it loading the template engine.
   */
  render?: boolean;
  /** Overlay bases: a local dist-git checkout or a git URL used instead of the variant's. */
  distGit?: string;
  /** Overlay bases: turns a config Source plus requested values into a fully resolved config (the Kconfig engine). */
  resolveConfig?: ConfigResolver;
  /**
   * Overlay bases with kernelSource: called with each config Source as the Kconfig engine resolved
   * it (`kplay explain` reads the chain of one symbol from it).
   */
  observeResolution?: (r: ObservedResolution) => void;
  /** Kernel tree folder or source tarball of the base: enables the Kconfig and patch checks. */
  kernelSource?: string;
  /** With kernelSource: also run the kernel's own conf --olddefconfig per arch and report any difference (E_KCONFIG_VERIFY). */
  verifyKconfig?: boolean;
  /** Bases that follow kernel.org: compose against this release instead of the variant's base (kplay matrix, kplay track). */
  baseOverride?: BaseOverride;
  /** kmod variants: the target kernel's kernel-devel (folder or RPM): Kconfig check on its .config, compile test, kABI check. */
  kernelDevel?: string;
  /** kmod variants without a kernel-devel: the target kernel's distribution config for the Kconfig check. */
  kernelConfig?: string;
  /** kmod variants: other kernels' Module.symvers the built modules must load into (kABI check). */
  kabiSymvers?: string[];
  /** kmod variants: the distribution's kABI stablelist. */
  kabiStablelist?: string;
  /** kmod variants: build against this kernel-devel version-release instead of kmod.kernel-version (kplay track). */
  kmodKernelVersion?: string;
  /** kmod variants with kmodKernelVersion: the changelog entry of that rebuild (kplay track's bump), put on top. */
  kmodChangelogText?: string;
}

export interface ComposeResult {
  findings: Finding[];
  exitCode: 0 | 1 | 2;
  variant?: Variant;
  resolved?: ResolvedFeatures;
  merged?: MergedConfig[];
  patches?: OutputPatch[];
  root?: string;
  outDir?: string;
  /** Files of the output, by name relative to outDir. */
  files?: Map<string, Buffer | string>;
  specFile?: string;
  written: boolean;
  /** What was checked and what was skipped (and why), for the summary and the manifest. */
  checks: Record<string, string>;
}

/** What the variant loader lends a base kind's settings loader: the merged data, locations, folders. */
export interface BaseSettingContext {
  /** The variant's keys with `extends` applied (the child wins). */
  data: Record<string, unknown>;
  /** The arches the variant builds. */
  arches: RpmArch[];
  /** Where a key path was set (the child variant wins). */
  whereSet(keyPath: Array<string | number>): SourceLocation;
  /** Folder of the variant file that set a key path (relative paths are relative to it). */
  folderOf(keyPath: Array<string | number>): string;
  /** The variant file (as displayed) that set a key path. */
  fileOf(keyPath: Array<string | number>): string;
  variantName: string;
  findings: Finding[];
}

/** How a base's releases are followed, and so which release-moving commands work on it. */
export type ReleaseFollowing =
  /** kernel.org releases: `kplay track` bumps it, `kplay matrix` composes it on other releases, `kplay explain` resolves it. */
  | { by: 'kernel.org' }
  /** The base has its own release (a distribution package, a kernel-devel build): kplay does not move it. */
  | { by: 'own'; what: string };

/**
 * One kind of base a variant can build on: vanilla kernel.org, a distribution's kernel package
 * (overlay), or kernel-devel for out-of-tree modules (kmod). Everything that differs by base lives
 * behind this interface, in src/bases/<kind>/; the rest of kplay asks the kind instead of testing
 * `base.kind`. Adding a base kind is one folder plus one line in src/bases/index.ts.
 */
export interface BaseKind<B extends VariantBase = VariantBase> {
  /** Short name for messages and docs: vanilla, overlay, kmod. */
  readonly name: string;
  /** The `base.kind` values of loaded variants this kind owns. */
  readonly baseKinds: ReadonlyArray<B['kind']>;
  /** The `type` of a variant of this kind. */
  readonly variantType: Variant['type'];
  /** Keys a variant file of this kind must have (set there or in a variant it extends). */
  readonly requiredKeys: readonly string[];
  /** Does a variant file (its keys with `extends` applied) select this kind? */
  selects(data: Record<string, unknown>): boolean;
  /** Read and check the base settings of a variant file; undefined after pushing findings. */
  loadSettings(ctx: BaseSettingContext): Promise<B | undefined>;
  /** How releases of this base are followed. */
  readonly releases: ReleaseFollowing;
  /** The variant on another release (kernel.org bases only; others are returned as they are). */
  withRelease(variant: Variant<B>, override: BaseOverride): Variant<B>;
  /** resolve → check → merge → render → write for a loaded variant of this kind. */
  compose(variant: Variant<B>, root: string, opts: ComposeOptions, findings: Finding[]): Promise<ComposeResult>;
  /**
   * The SRPM's sources known before composing (URL sources: the kernel tarball, base configs),
   * found in sourcesDir or downloaded and verified; `base` marks the tarball the checks run
   * against. Undefined when they are known only from the composed output (a dist-git `sources` file).
   */
  collectSrpmSources(variant: Variant<B>, sourcesDir: string | undefined): Promise<CollectedSource[] | undefined>;
  /**
   * The checks `kplay srpm` runs against the `base` tarball only read it (file lists, Kconfig
   * declarations, patches applied in memory; no Kconfig macro, no build), so any tarball verified
   * by its digest may be checked against, not only a kernel.org release.
   */
  readonly srpmChecksOnlyRead?: boolean;
  /**
   * Put every source the composed spec names into outDir (`collected` from collectSrpmSources).
   * Returns the kernel tarball among them when it became known only now, for a late check, and
   * whether its bytes came from a source kplay may run Kconfig macros of (the distribution's own
   * lookaside cache, downloaded by digest; not a file from the variant's folders).
   */
  placeSrpmSources(
    variant: Variant<B>,
    outDir: string,
    sourcesDir: string | undefined,
    collected: CollectedSource[] | undefined,
  ): Promise<{ tarball?: string; tarballTrusted?: boolean }>;
  /** The base as `kplay diff` shows it: the kernel version it builds and where it comes from. */
  describeBase(base: B): { version: string; from: string };
  /**
   * How the SRPM's own %prep runs for this kind (kplay srpm's proof): `sh` as bash, and the
   * release macros (`rhel 10`, `fedora 43`) the distribution's build root defines. Undefined: as rpm does.
   */
  prepOptions?(specText: string, base: B): { shAsBash: boolean; defines: string[] };
  /** Module signing (`signing:`) is built into this kind's spec; otherwise the built RPMs are signed with `kplay sign`. */
  readonly signsInSpec: boolean;
  /** A note when `kplay check` loads the variant but cannot compose it (e.g. a remote dist-git), else undefined. */
  notComposedByCheck(variant: Variant<B>, file: string): Finding | undefined;
}
