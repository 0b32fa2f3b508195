import type { SourceLocation } from '../findings/finding.js';
import type { RpmArch } from './arch.js';
import type { ConfigRequest } from './types.js';
import type { VersionComparator } from './kernel-version.js';

/** A name written somewhere (requires, conflicts, provides, features lists), with its location. */
export interface NameRef {
  name: string;
  where: SourceLocation;
}

export interface FeaturePatch {
  /** Path relative to the repository root, e.g. features/overlayfs/patches/0001-x.patch. */
  path: string;
  /** Path for messages (relative to the working directory). */
  display: string;
  text: Buffer;
  /** The series line naming it, or the patch file itself when there is no series. */
  where: SourceLocation;
  /**
   * Kernel versions this patch is for (a `kernel: RANGE` series option, or a `patches/6.1/`,
   * `patches/6.12+/` folder); undefined: every version the feature supports.
   */
  kernel?: { text: string; range: VersionComparator[] };
}

/** A feature's `test:` block: shell lines `kplay try --boot` runs in the guest (never on the host). */
export interface FeatureTest {
  /** Each line with where it is written in feature.yml. */
  run: Array<{ line: string; where: SourceLocation }>;
  /** Seconds each line may run. */
  timeout: number;
  /** Modules loaded first; undefined: the modules the feature's =m requests build. */
  modules?: string[];
  where: SourceLocation;
}

/** Seconds a smoke test line may run when its feature does not say. */
export const DEFAULT_TEST_TIMEOUT = 60;

/** A loaded feature folder: features/<name>/. */
export interface Feature {
  name: string;
  /** Folder relative to the repository root. */
  dir: string;
  /** feature.yml for messages. */
  file: string;
  where: SourceLocation;
  summary: string;
  description?: string;
  kernel?: { text: string; range: VersionComparator[]; where: SourceLocation };
  arches?: { list: RpmArch[]; where: SourceLocation };
  requires: NameRef[];
  conflicts: NameRef[];
  provides: NameRef[];
  /** Inline config, then `config`, then `config.<arch>` fragments (arch-tagged). */
  requests: ConfigRequest[];
  patches: FeaturePatch[];
  hasReadme: boolean;
  test?: FeatureTest;
}
