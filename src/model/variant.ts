import type { SourceLocation } from '../findings/finding.js';
import type { RpmArch } from './arch.js';
import type { NameRef } from './feature.js';
import type { ConfigRequest, Targets } from './types.js';

export type BaseConfig =
  | { kind: 'target'; target: string; where: SourceLocation }
  | { kind: 'file'; path: string; display: string; where: SourceLocation }
  | { kind: 'url'; url: string; sha256: string; fileName?: string; where: SourceLocation };

export interface BaseSource {
  url: string;
  sha256?: string;
  /** Folder the tarball unpacks to. */
  topdir: string;
  /** The file name the variant gives (`file-name:`); else the URL's last segment, checked by the rendering boundary. */
  fileName?: string;
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

/** Where a distribution's kernel package comes from: a dist-git clone, a local checkout or an SRPM. */
export type DistGitOrigin =
  | { kind: 'git'; url: string; ref: string; where: SourceLocation }
  | { kind: 'path'; path: string; display: string; where: SourceLocation }
  | { kind: 'srpm'; path: string; display: string; where: SourceLocation };

/** `base.kind: fedora | centos-stream`: an overlay on the distribution's own kernel package. */
export interface OverlayBase {
  kind: 'fedora' | 'centos-stream';
  /** Declared in the variant, else read from the spec at compose time ('' until then). */
  version: string;
  versionWhere: SourceLocation;
  origin: DistGitOrigin;
  /** dist-git package name (lookaside path): `kernel`. */
  package: string;
  /** New package name (`Name:`), when the variant renames the package. */
  rename?: string;
  /** Build switches baked into the spec with `%global _without_<x> 1`. */
  without: Array<'debug' | 'debuginfo'>;
  /** Patches of 9 lines or fewer, which ApplyOptionalPatch skips: pad them, or refuse them. */
  shortPatches: 'pad' | 'refuse';
  where: SourceLocation;
}

/** `type: kmod`: out-of-tree module packages built against one kernel-devel. */
export interface KmodBase {
  kind: 'kernel-devel';
  /** Upstream version part of kernelVersion (5.14.0), for feature kernel ranges. */
  version: string;
  versionWhere: SourceLocation;
  /** `kmod_kernel_version`, e.g. 5.14.0-570.el9. */
  kernelVersion: string;
  /** The kernel keeps a stable kABI: install through weak-modules. */
  stableKabi: boolean;
  /**
   * kmods-sig (default): pinned to the exact kernel (`Requires: (kernel = V if kernel)`,
   * `Supplements`), xz-compressed under extra/<folder>, rebuilt per kernel; elrepo: weak-modules.
   */
  packaging: 'kmods-sig' | 'elrepo';
  /** The driver's own version (RPM Version); default the kernel's upstream version. */
  driverVersion?: string;
  /** Upstream URL of the driver for the spec's URL tag. */
  url?: string;
  /** Tarball holding the module sources (the kernel source of that release). */
  source: BaseSource;
  /** Per feature, the folders of the tree that build its modules. */
  modules: Record<string, { dirs: string[]; where: SourceLocation }>;
  /** kmods-sig: where the built modules go under /lib/modules/<kver>/ (default extra/<folder>). */
  installDir?: string;
  /** Extra dependencies of the package, each with its line. */
  dependencies?: Array<{ tag: 'Requires' | 'Supplements' | 'Recommends'; value: string; where: SourceLocation }>;
  /** Source files packaged as %license / %doc, and firmware installed to /lib/firmware. */
  licenseFiles?: string[];
  docFiles?: string[];
  firmware?: string[];
  filesWhere?: SourceLocation;
  providesKernelModules?: boolean;
}

export type VariantBase = VanillaBase | OverlayBase | KmodBase;

/** A variant's `signing:`: the SIG certificate the kernel trusts. Never a private key. */
export interface SigningSettings {
  certificate: string;
  display: string;
  /** The certificate(s), PEM, checked to hold no private key. */
  pem: string;
  hash: 'sha256' | 'sha384' | 'sha512';
  where: SourceLocation;
}

export interface ChangelogEntry {
  date: string;
  author: string;
  text: string;
  /** kmod variants: the kernel-devel version-release this entry's package was built for. */
  kernel?: string;
}

/** A loaded variant with its `extends` chain applied. */
export interface Variant<B extends VariantBase = VariantBase> {
  name: string;
  file: string;
  /** Variant files read, the variant itself first, then what it extends. */
  chain: string[];
  summary: string;
  description?: string;
  /** `kernel` (default) or `kmod` (out-of-tree module packages). */
  type: 'kernel' | 'kmod';
  base: B;
  arches: { list: RpmArch[]; where: SourceLocation };
  features: NameRef[];
  /** Variant overrides: `config` (every arch) then `arch-config` (one arch each). */
  requests: ConfigRequest[];
  release: number;
  buildid?: string;
  changelog: ChangelogEntry[];
  targets: Targets;
  /** Where the free-text fields were set (for findings of the rendering boundary). */
  textWhere?: { summary?: SourceLocation; description?: SourceLocation; buildid?: SourceLocation; changelog?: SourceLocation };
  /** `signing:`: the SIG certificate the kernel trusts (docs/signing.md). */
  signing?: SigningSettings;
}

export type VanillaVariant = Variant<VanillaBase>;
