/**
 * The one catalogue of finding codes: every code kplay reports, with its severity, its exit class
 * and one line saying what it means. `Finding.code` is typed from it, so a code that is not here
 * fails the typecheck; the code tables of docs/findings.md are generated from it
 * (`npm run docs:codes`, checked by test/unit/findings/catalogue.test.ts).
 *
 * Exit classes: `conflict` (exit 1: the input is fine but does not work together), `input`
 * (exit 2: the input is unusable), `internal` (exit 3: a bug in kplay), `none` (warnings and notes:
 * the exit status does not change).
 */
/** How much a finding weighs: errors decide the exit status, warnings and notes never do. */
export type Severity = 'error' | 'warning' | 'note';

export type ExitClass = 'conflict' | 'input' | 'internal' | 'none';

export const EXIT_CODE_OF_CLASS = { none: 0, conflict: 1, input: 2, internal: 3 } as const satisfies Record<ExitClass, number>;

/** The groups of the generated tables, in order, with their headings. */
export const FINDING_GROUPS = {
  load: 'Loading and resolving',
  config: 'Config',
  patches: 'Patches',
  overlay: 'Distribution overlays and kmods ([overlay.md](overlay.md))',
  output: 'Rendering and output',
  sources: 'Sources, SRPM and submission ([copr.md](copr.md), [cbs.md](cbs.md))',
  signing: 'Signing and KMM ([signing.md](signing.md), [kmm.md](kmm.md))',
  try: 'Building and booting (`kplay try`, [try.md](try.md))',
} as const;

export interface FindingCodeInfo {
  severity: Severity;
  exit: ExitClass;
  group: keyof typeof FINDING_GROUPS;
  description: string;
}

export const FINDING_CODES = {
  // Loading and resolving
  E_YAML_SYNTAX: { severity: 'error', exit: 'input', group: 'load', description: 'a variant or feature file is not valid YAML' },
  E_SCHEMA: {
    severity: 'error',
    exit: 'input',
    group: 'load',
    description: 'a key is unknown, missing or of the wrong type (the message names it)',
  },
  E_VARIANT_EMPTY: { severity: 'error', exit: 'input', group: 'load', description: 'the variant file is empty' },
  E_VARIANT_MISSING: { severity: 'error', exit: 'input', group: 'load', description: 'a variant file (or one it extends) does not exist' },
  E_EXTENDS_CYCLE: { severity: 'error', exit: 'input', group: 'load', description: 'variants extend each other in a cycle' },
  E_PATH_ESCAPE: {
    severity: 'error',
    exit: 'input',
    group: 'load',
    description: 'a path (extends, base config file, series entry, symlink) leaves its folder',
  },
  E_BASE_CONFIG_MISSING: {
    severity: 'error',
    exit: 'input',
    group: 'load',
    description: 'a base config file named by the variant does not exist',
  },
  E_VERSION_SYNTAX: { severity: 'error', exit: 'input', group: 'load', description: 'a kernel version or range cannot be read' },
  E_FEATURE_NAME: { severity: 'error', exit: 'input', group: 'load', description: 'a feature name is not a valid folder name' },
  E_FEATURE_MISSING: {
    severity: 'error',
    exit: 'input',
    group: 'load',
    description: 'a listed feature has no `features/<name>/feature.yml`',
  },
  E_REQUIRES_MISSING: {
    severity: 'error',
    exit: 'input',
    group: 'load',
    description: 'a feature requires a name no feature is or provides',
  },
  E_REQUIRES_CYCLE: { severity: 'error', exit: 'input', group: 'load', description: 'features require each other in a cycle' },
  E_FEATURE_CONFLICT: {
    severity: 'error',
    exit: 'conflict',
    group: 'load',
    description: 'two features conflict (declared by either), or both provide one name',
  },
  E_VERSION_RANGE: {
    severity: 'error',
    exit: 'conflict',
    group: 'load',
    description: "a feature's kernel range excludes the base version",
  },
  W_FEATURE_NO_ARCH: { severity: 'warning', exit: 'none', group: 'load', description: "a feature supports none of the variant's arches" },
  W_FEATURE_README: { severity: 'warning', exit: 'none', group: 'load', description: 'a feature folder has no README.md (`kplay check`)' },
  W_CONFLICTS_UNKNOWN: {
    severity: 'warning',
    exit: 'none',
    group: 'load',
    description: 'a feature conflicts with a name no feature folder is or provides (`kplay check`)',
  },
  E_ENCODING: {
    severity: 'error',
    exit: 'input',
    group: 'load',
    description: 'an input file is not UTF-8 (the first invalid byte and its offset)',
  },
  E_INPUT_KIND: {
    severity: 'error',
    exit: 'input',
    group: 'load',
    description: 'an input path is not a regular file (a folder, device, FIFO or socket)',
  },
  E_INPUT_UNREADABLE: {
    severity: 'error',
    exit: 'input',
    group: 'load',
    description: 'an input file exists but cannot be read (permissions, I/O error)',
  },
  E_YAML_TAG: {
    severity: 'error',
    exit: 'input',
    group: 'load',
    description: 'a YAML tag outside the core schema (`!!binary`, `!custom`, ...)',
  },
  E_YAML_ALIAS: {
    severity: 'error',
    exit: 'input',
    group: 'load',
    description: 'a YAML document expands aliases (`*name`) too often (an alias bomb), or holds several documents',
  },
  W_FEATURE_SELF_CONFLICT: {
    severity: 'warning',
    exit: 'none',
    group: 'load',
    description: 'a feature lists itself under `conflicts` (ignored)',
  },
  // Config
  E_FRAGMENT_SYNTAX: {
    severity: 'error',
    exit: 'input',
    group: 'config',
    description: 'a fragment line is neither `CONFIG_X=v` nor `# CONFIG_X is not set` (e.g. spaces around `=`)',
  },
  E_FRAGMENT_ARCH: {
    severity: 'error',
    exit: 'input',
    group: 'config',
    description: 'a `config.<name>` file whose name is not an RPM arch',
  },
  W_FRAGMENT_DUPLICATE: {
    severity: 'warning',
    exit: 'none',
    group: 'config',
    description: 'a symbol set twice in one fragment (the later line wins)',
  },
  W_FRAGMENT_N: {
    severity: 'warning',
    exit: 'none',
    group: 'config',
    description: "`CONFIG_X=n`: write `# CONFIG_X is not set` (Fedora's process_configs rejects `=n`)",
  },
  E_CONFIG_VALUE: {
    severity: 'error',
    exit: 'input',
    group: 'config',
    description: 'a value is not y, m, n, a quoted string, a number or 0x-hex',
  },
  E_VALUE_CONFLICT: {
    severity: 'error',
    exit: 'conflict',
    group: 'config',
    description: 'two features (or two files of one feature) set a symbol differently and the variant does not decide',
  },
  E_KCONFIG_UNKNOWN: {
    severity: 'error',
    exit: 'conflict',
    group: 'config',
    description: 'the requested symbol does not exist in this kernel; the hint lists close names',
  },
  E_KCONFIG_UNMET: {
    severity: 'error',
    exit: 'conflict',
    group: 'config',
    description: 'the requested value is unreachable: the blocking expression, and each blocking symbol with the line that set it',
  },
  E_KCONFIG_CHOICE: { severity: 'error', exit: 'conflict', group: 'config', description: 'two members of one choice requested `y`' },
  E_KCONFIG_TYPE: {
    severity: 'error',
    exit: 'conflict',
    group: 'config',
    description: "the value does not fit the symbol's type (`m` for a bool, text for an int)",
  },
  E_KCONFIG_PARSE: {
    severity: 'error',
    exit: 'conflict',
    group: 'config',
    description: "the kernel's Kconfig cannot be parsed (file:line), or `$(error-if)` fired",
  },
  W_KCONFIG_PROMOTED: {
    severity: 'warning',
    exit: 'none',
    group: 'config',
    description: '`m` became `y` through a select (named, with who enabled it) or MODULES=n; silent for `accept-promotion`',
  },
  W_KERNEL_SOURCE_VERSION: {
    severity: 'warning',
    exit: 'none',
    group: 'config',
    description: "`--kernel-source` is another release than the variant's base",
  },
  E_KCONFIG_DIALECT: {
    severity: 'error',
    exit: 'input',
    group: 'config',
    description: "the tree's Kconfig uses syntax or semantics kplay does not implement (file:line of the use)",
  },
  E_KCONFIG_SHELL: {
    severity: 'error',
    exit: 'input',
    group: 'config',
    description:
      'a Kconfig file changed by patches runs a macro command (`$(shell,...)`, `$(cc-option,...)`, ...) the unpatched source does not: kplay does not run it (file:line)',
  },
  E_KCONFIG_VERIFY: {
    severity: 'error',
    exit: 'internal',
    group: 'config',
    description: "`--verify-kconfig`: the kernel's own `conf --olddefconfig` wrote a different .config (the first differing symbols)",
  },
  W_KCONFIG_NOT_VERIFIED: {
    severity: 'warning',
    exit: 'none',
    group: 'config',
    description:
      '`--verify-kconfig` did not run: patches change Kconfig files (conf would run their macros), or a kmod variant (nothing resolved)',
  },
  // Patches
  E_SERIES_SYNTAX: { severity: 'error', exit: 'input', group: 'patches', description: 'a `series` line carries options' },
  E_PATCH_MISSING: { severity: 'error', exit: 'input', group: 'patches', description: '`series` names a patch that does not exist' },
  W_PATCH_NOT_IN_SERIES: {
    severity: 'warning',
    exit: 'none',
    group: 'patches',
    description: 'a file in `patches/` that `series` does not list (never applied)',
  },
  E_PATCH_UNSAFE_PATH: {
    severity: 'error',
    exit: 'input',
    group: 'patches',
    description: 'a patch touches an absolute path, `..` or `.git`',
  },
  E_PATCH_BINARY: { severity: 'error', exit: 'input', group: 'patches', description: 'a binary patch (refused)' },
  E_PATCH_CORRUPT: {
    severity: 'error',
    exit: 'input',
    group: 'patches',
    description: 'a hunk that does not match its header, a header without changes, inconsistent git headers',
  },
  E_PATCH_EMPTY: { severity: 'error', exit: 'input', group: 'patches', description: 'no file change in the patch file' },
  E_PATCH_OVERLAP: {
    severity: 'error',
    exit: 'conflict',
    group: 'patches',
    description: "two features' patches change overlapping lines of one file (both patches, hunks, lines)",
  },
  W_PATCH_OVERLAP: {
    severity: 'warning',
    exit: 'none',
    group: 'patches',
    description: 'the same, but the later patch was made on top of the earlier: works only in this order',
  },
  E_PATCH_APPLY: {
    severity: 'error',
    exit: 'conflict',
    group: 'patches',
    description: "a hunk does not apply to the base: expected vs found lines, and the earlier feature's patch that changed them",
  },
  E_PATCH_ALREADY_APPLIED: {
    severity: 'error',
    exit: 'conflict',
    group: 'patches',
    description: 'the base already contains the change (went upstream): drop it or narrow the range',
  },
  W_PATCH_OFFSET: { severity: 'warning', exit: 'none', group: 'patches', description: 'applied N lines away from where the hunk says' },
  W_PATCH_FUZZ: { severity: 'warning', exit: 'none', group: 'patches', description: 'applied only by ignoring context lines (`--fuzz`)' },
  W_SERIES_DUPLICATE: {
    severity: 'warning',
    exit: 'none',
    group: 'patches',
    description: '`series` lists a patch twice; it is applied once',
  },
  W_PATCH_SYMLINK: {
    severity: 'warning',
    exit: 'none',
    group: 'patches',
    description: 'a patch creates a symbolic link (mode 120000): check where it points',
  },
  // Distribution overlays and kmods
  E_OVERLAY_ANCHOR_MISSING: {
    severity: 'error',
    exit: 'input',
    group: 'overlay',
    description:
      "the dist-git spec lacks an anchor (named): buildid line, `Patch999999`, `ApplyOptionalPatch` line, `%changelog`, `Name:`, `kernel-local`, an arch's config Source",
  },
  E_OVERLAY_DIST_GIT: {
    severity: 'error',
    exit: 'input',
    group: 'overlay',
    description: 'the dist-git cannot be cloned or read, or holds no `<package>.spec`',
  },
  E_OVERLAY_BASE_MISSING: { severity: 'error', exit: 'input', group: 'overlay', description: '`base.path` / `base.srpm` does not exist' },
  E_OVERLAY_SOURCE_MISSING: {
    severity: 'error',
    exit: 'input',
    group: 'overlay',
    description: "a config Source the spec names is not among the package's files",
  },
  E_OVERLAY_SOURCES_LINE: {
    severity: 'error',
    exit: 'input',
    group: 'overlay',
    description: 'a line of the dist-git `sources` file cannot be read',
  },
  E_OVERLAY_SOURCE_DIGEST: {
    severity: 'error',
    exit: 'input',
    group: 'overlay',
    description: 'a lookaside file does not match its `sources` digest',
  },
  E_OVERLAY_PATCH_SHORT: {
    severity: 'error',
    exit: 'input',
    group: 'overlay',
    description: 'a patch of ≤ 9 lines (ApplyOptionalPatch skips it) with `short-patches: refuse`',
  },
  W_OVERLAY_PATCH_PADDED: { severity: 'warning', exit: 'none', group: 'overlay', description: 'such a patch was padded to 10 lines' },
  W_OVERLAY_BUILDID_UNUSED: { severity: 'warning', exit: 'none', group: 'overlay', description: 'the spec never uses `%{?buildid}`' },
  W_OVERLAY_PROVIDES: {
    severity: 'warning',
    exit: 'none',
    group: 'overlay',
    description: 'a renamed package lacks `kernel-uname-r` / `kernel-devel-uname-r` Provides',
  },
  W_OVERLAY_VERSION_UNKNOWN: {
    severity: 'warning',
    exit: 'none',
    group: 'overlay',
    description: 'no version in spec or variant: feature ranges not checked',
  },
  W_OVERLAY_CONFIG_MISMATCH: {
    severity: 'warning',
    exit: 'none',
    group: 'overlay',
    description:
      "with `--kernel-source`: distribution lines `process_configs.sh -c` would have failed the build on because of the variant's values; olddefconfig's value is written in their place",
  },
  E_OVERLAY_CONFIG_CHECK: {
    severity: 'error',
    exit: 'conflict',
    group: 'overlay',
    description:
      "with `--kernel-source`: the config Sources as written would still fail the distribution's `process_configs.sh -n`/`-c` check (symbol, file and who asked named)",
  },
  E_KMOD_NO_MODULES: { severity: 'error', exit: 'input', group: 'overlay', description: 'a kmod feature lists no module folders' },
  W_KMOD_NO_MODULE_OPTION: { severity: 'warning', exit: 'none', group: 'overlay', description: 'no feature asks for `=m` on an arch' },
  N_REMOTE_BASE: {
    severity: 'note',
    exit: 'none',
    group: 'overlay',
    description: "`kplay check` did not clone a variant's remote dist-git",
  },
  E_MATRIX_CELL: {
    severity: 'error',
    exit: 'input',
    group: 'overlay',
    description: 'a matrix cell could not be composed at all (the reason is in the message)',
  },
  W_OVERLAY_ARCH_EXCLUDED: {
    severity: 'warning',
    exit: 'none',
    group: 'overlay',
    description: 'a variant arch is listed by no `ExclusiveArch:` line of the spec: the package will not build it',
  },
  W_OVERLAY_NOT_CHECKED: {
    severity: 'warning',
    exit: 'none',
    group: 'overlay',
    description: "the overlay's config values and patches were not checked against the distribution's kernel source (no `--kernel-source`)",
  },
  E_OVERLAY_SPEC_MACRO: {
    severity: 'error',
    exit: 'input',
    group: 'overlay',
    description: 'a spec value kplay needs (`Name:`, an applied patch) is built from macros it cannot expand',
  },
  E_KMOD_FOLDER_MISSING: {
    severity: 'error',
    exit: 'conflict',
    group: 'overlay',
    description: 'a `kmod.modules` folder does not exist in the base source, or has no Makefile/Kbuild',
  },
  E_KMOD_BUILTIN_REQUEST: {
    severity: 'error',
    exit: 'conflict',
    group: 'overlay',
    description:
      'a kmod feature requests `=y` for an option outside its module folders (built-in kernel code a module package cannot deliver)',
  },
  N_KMOD_ARCH_NOT_CHECKED: {
    severity: 'note',
    exit: 'none',
    group: 'overlay',
    description: "an arch of the kmod's `ExclusiveArch` had no kernel-devel: its Kconfig, compile and kABI checks did not run",
  },
  E_KMOD_BUILD: {
    severity: 'error',
    exit: 'conflict',
    group: 'overlay',
    description: 'the compile test against the kernel-devel failed (the first compiler errors)',
  },
  W_KMOD_NOTHING_BUILT: {
    severity: 'warning',
    exit: 'none',
    group: 'overlay',
    description: 'the compile test built no module from a folder',
  },
  E_KABI_SYMBOL_MISSING: {
    severity: 'error',
    exit: 'conflict',
    group: 'overlay',
    description: "a built module needs a symbol the target kernel's `Module.symvers` does not export",
  },
  E_KABI_CRC_CHANGED: {
    severity: 'error',
    exit: 'conflict',
    group: 'overlay',
    description: 'a symbol a built module uses has another CRC in the target kernel (kABI break)',
  },
  W_KABI_NOT_STABLELISTED: {
    severity: 'warning',
    exit: 'none',
    group: 'overlay',
    description: "a built module uses a symbol that is not on the distribution's kABI stablelist",
  },
  N_MATRIX_NOT_APPLICABLE: {
    severity: 'note',
    exit: 'none',
    group: 'overlay',
    description: 'a matrix cell of a variant on a column of the other kind (kernel.org vs distribution) is not checked',
  },
  E_MATRIX_BASE_UNAVAILABLE: {
    severity: 'error',
    exit: 'input',
    group: 'overlay',
    description: "a matrix column's kernel could not be fetched; its cells fail with the reason, the other columns still run",
  },
  // Sources, SRPM and submission
  E_SOURCE_CHECKSUM: {
    severity: 'error',
    exit: 'input',
    group: 'sources',
    description: 'a fetched source does not match its digest (expected and actual named; nothing cached)',
  },
  E_SOURCE_UNVERIFIED: {
    severity: 'error',
    exit: 'input',
    group: 'sources',
    description: 'a source has no digest, so kplay will not download it: add `sha256` or pass `--sources-dir`',
  },
  E_RPMBUILD_MISSING: {
    severity: 'error',
    exit: 'input',
    group: 'sources',
    description: '`rpmbuild` is not installed (`apt-get install rpm` / `dnf install rpm-build`)',
  },
  E_RPMBUILD_FAILED: {
    severity: 'error',
    exit: 'input',
    group: 'sources',
    description: '`rpmbuild -bs` failed: its own error lines and the spec line',
  },
  E_SANDBOX_UNAVAILABLE: {
    severity: 'error',
    exit: 'input',
    group: 'sources',
    description:
      'a step runs code from the inputs and bubblewrap (`bwrap`) cannot run: install `bubblewrap` or pass `--unsandboxed-i-trust-the-inputs`',
  },
  E_SANDBOX_TIMEOUT: {
    severity: 'error',
    exit: 'input',
    group: 'sources',
    description: 'a sandboxed step (a kernel build of kplay try) ran out of its wall-clock time and its whole process tree was killed',
  },
  W_UNSANDBOXED: {
    severity: 'warning',
    exit: 'none',
    group: 'sources',
    description: 'code from the inputs ran without a sandbox because of `--unsandboxed-i-trust-the-inputs`',
  },
  E_SRPM_SETUP_DIR: {
    severity: 'error',
    exit: 'input',
    group: 'sources',
    description:
      "the tarball's top folder is not the folder the spec's `%setup -n`/`%autosetup -n` enters (checked from the tar index, before anything is built or uploaded)",
  },
  E_PREP_FAILED: {
    severity: 'error',
    exit: 'input',
    group: 'sources',
    description:
      "the SRPM's own %prep (`rpmbuild -bp --nodeps` in the sandbox) failed: the failing line of its log and the file kplay generated that caused it",
  },
  W_PREP_CHECK_SKIPPED: {
    severity: 'warning',
    exit: 'none',
    group: 'sources',
    description: '`--no-prep-check`: the SRPM leaves without its %prep having been run',
  },
  E_CBS_NO_TARGET: { severity: 'error', exit: 'input', group: 'sources', description: 'no `--cbs TARGET` and no `targets.cbs.target`' },
  E_CBS_CONFIG: { severity: 'error', exit: 'input', group: 'sources', description: 'koji profile missing or malformed (file:line)' },
  E_CBS_SRPM_MISSING: { severity: 'error', exit: 'input', group: 'sources', description: 'the SRPM to submit does not exist' },
  E_CBS_NO_CLI: { severity: 'error', exit: 'input', group: 'sources', description: 'neither `cbs` nor `koji` is installed' },
  E_CBS_CERT_MISSING: {
    severity: 'error',
    exit: 'input',
    group: 'sources',
    description: 'no client certificate (`~/.centos.cert`): run `centos-cert`',
  },
  E_CBS_CERT_UNREADABLE: { severity: 'error', exit: 'input', group: 'sources', description: 'the certificate file cannot be read' },
  E_CBS_CERT_INVALID: { severity: 'error', exit: 'input', group: 'sources', description: 'the file holds no PEM certificate' },
  E_CBS_CERT_EXPIRED: { severity: 'error', exit: 'input', group: 'sources', description: 'the certificate expired: run `centos-cert`' },
  E_CBS_CERT_NOT_YET_VALID: {
    severity: 'error',
    exit: 'input',
    group: 'sources',
    description: "the certificate's notBefore is in the future (check the clock)",
  },
  W_CBS_CERT_EXPIRES_SOON: { severity: 'warning', exit: 'none', group: 'sources', description: 'the certificate expires within 7 days' },
  E_CBS_AUTH: { severity: 'error', exit: 'input', group: 'sources', description: 'the CLI could not log in' },
  E_CBS_TARGET_UNKNOWN: {
    severity: 'error',
    exit: 'input',
    group: 'sources',
    description: 'the hub has no such build target (`cbs list-targets`)',
  },
  E_CBS_TARGET_BROKEN: { severity: 'error', exit: 'input', group: 'sources', description: "the target's destination tag does not exist" },
  E_CBS_TAG_LOCKED: {
    severity: 'error',
    exit: 'input',
    group: 'sources',
    description: 'the destination tag is locked; only `--scratch` builds are accepted',
  },
  E_CBS_NOT_ALLOWED: { severity: 'error', exit: 'input', group: 'sources', description: 'ActionNotAllowed: no permission to build' },
  E_CBS_HUB_OFFLINE: { severity: 'error', exit: 'input', group: 'sources', description: 'the hub is offline (ServerOffline)' },
  E_CBS_CLI_FAILED: {
    severity: 'error',
    exit: 'input',
    group: 'sources',
    description: 'the koji CLI failed otherwise (its last line quoted)',
  },
  E_CBS_HUB_UNREACHABLE: {
    severity: 'error',
    exit: 'input',
    group: 'sources',
    description: 'watching ran out of retries; re-run to resume',
  },
  E_CBS_HUB_FAULT: {
    severity: 'error',
    exit: 'input',
    group: 'sources',
    description: 'an XML-RPC fault while watching, e.g. `ActionNotAllowed (1004)`',
  },
  E_NETWORK_UNREACHABLE: {
    severity: 'error',
    exit: 'input',
    group: 'sources',
    description:
      'a URL kplay reads (release list, repository metadata, Koji hub, tarball) gave no answer: DNS, connection, TLS or timeout (the hint says what to check)',
  },
  E_NETWORK_HTTP: {
    severity: 'error',
    exit: 'input',
    group: 'sources',
    description: 'a URL kplay reads answered an HTTP error status (404, 5xx, ...)',
  },
  E_NETWORK_TOO_LARGE: {
    severity: 'error',
    exit: 'input',
    group: 'sources',
    description:
      'a network document (repomd.xml, primary metadata, a Koji or Copr answer, a log, a webhook answer) or its decompressed form is larger than kplay reads',
  },
  E_NETWORK_MALFORMED: {
    severity: 'error',
    exit: 'input',
    group: 'sources',
    description:
      'a network document kplay cannot read: corrupt compression, a tag longer than 64 KiB, a primary location outside the repository',
  },
  E_CBS_HUB_ANSWER: { severity: 'error', exit: 'input', group: 'sources', description: 'the hub answered something that is not a task' },
  E_CBS_TASK_UNKNOWN: {
    severity: 'error',
    exit: 'input',
    group: 'sources',
    description: 'the recorded task is not on this hub (`--force` submits again)',
  },
  E_CBS_BUILD_FAILED: { severity: 'error', exit: 'conflict', group: 'sources', description: 'a task failed: its arch, fault and log URL' },
  E_CBS_TASK_CANCELED: { severity: 'error', exit: 'conflict', group: 'sources', description: 'the task was canceled' },
  E_CBS_WATCH_TIMEOUT: {
    severity: 'error',
    exit: 'input',
    group: 'sources',
    description: 'still running when the watch limit ran out; re-run to resume',
  },
  E_SOURCE_SIZE: {
    severity: 'error',
    exit: 'input',
    group: 'sources',
    description: 'a download is longer than expected; it was stopped and nothing was cached',
  },
  W_SRPM_UNCHECKED: {
    severity: 'warning',
    exit: 'none',
    group: 'sources',
    description:
      'the SRPM was built without the Kconfig and patch checks (`--no-check`, no kernel tarball, or one not downloaded from kernel.org or the lookaside)',
  },
  E_COPR_CONFIG: {
    severity: 'error',
    exit: 'input',
    group: 'sources',
    description: 'the Copr config (`~/.config/copr`) is missing or malformed (file:line)',
  },
  E_COPR_AUTH: {
    severity: 'error',
    exit: 'input',
    group: 'sources',
    description: 'Copr refused the login or token (401): renew the token',
  },
  E_COPR_REFUSED: {
    severity: 'error',
    exit: 'conflict',
    group: 'sources',
    description: 'Copr refused the request (403, 404, 409) with its own text',
  },
  E_COPR_SERVER: { severity: 'error', exit: 'conflict', group: 'sources', description: 'Copr answered with a server error (5xx)' },
  E_COPR_UNREACHABLE: { severity: 'error', exit: 'conflict', group: 'sources', description: 'Copr cannot be reached' },
  E_COPR_UPLOAD_UNCONFIRMED: {
    severity: 'error',
    exit: 'conflict',
    group: 'sources',
    description: 'the upload ended without an answer: Copr may or may not have the build (re-run to find it)',
  },
  E_COPR_CHROOT_UNKNOWN: { severity: 'error', exit: 'input', group: 'sources', description: 'the Copr instance has no such chroot' },
  E_COPR_BUILD_FAILED: {
    severity: 'error',
    exit: 'conflict',
    group: 'sources',
    description: 'a Copr chroot failed: its state and result URL',
  },
  E_COPR_BUILD_CANCELED: { severity: 'error', exit: 'conflict', group: 'sources', description: 'the Copr build was canceled' },
  E_COPR_BUILD_UNKNOWN: { severity: 'error', exit: 'conflict', group: 'sources', description: 'Copr reports an unknown build state' },
  E_COPR_WATCH_STOPPED: {
    severity: 'error',
    exit: 'conflict',
    group: 'sources',
    description: 'watching stopped before the build ended; the build goes on (re-run to resume)',
  },
  E_COPR_CANCEL_FINISHED: {
    severity: 'error',
    exit: 'input',
    group: 'sources',
    description: '`kplay status --cancel`: the Copr build has already ended',
  },
  E_SUBMIT_NOT_RECORDED: {
    severity: 'error',
    exit: 'input',
    group: 'sources',
    description: "no submission is recorded in the output's state folder",
  },
  E_CBS_KERBEROS: {
    severity: 'error',
    exit: 'input',
    group: 'sources',
    description: 'the Kerberos (GSSAPI) login to the hub failed: run `kinit`',
  },
  E_CBS_SERVER_CA: {
    severity: 'error',
    exit: 'input',
    group: 'sources',
    description: "the hub's TLS certificate could not be verified: set `serverca` in the koji profile",
  },
  E_CBS_HUB_CERT: {
    severity: 'error',
    exit: 'input',
    group: 'sources',
    description: "watching: the hub's TLS certificate could not be verified",
  },
  E_CBS_HUB_CHANGED: {
    severity: 'error',
    exit: 'input',
    group: 'sources',
    description: 'the recorded task belongs to another hub than the koji profile now names',
  },
  E_CBS_PROMOTE_SCRATCH: {
    severity: 'error',
    exit: 'input',
    group: 'sources',
    description: 'a scratch build cannot be promoted (scratch builds are never tagged)',
  },
  W_CBS_KERNEL_TO_KMODS: {
    severity: 'warning',
    exit: 'none',
    group: 'sources',
    description: 'a full kernel package is being sent to a kmods target',
  },
  W_CBS_NVR_EXISTS: {
    severity: 'warning',
    exit: 'none',
    group: 'sources',
    description: 'the hub already has a build of this name-version-release',
  },
  E_CBS_NO_BUILD: {
    severity: 'error',
    exit: 'input',
    group: 'sources',
    description: 'the hub has no build made by the recorded task (not finished, failed, or scratch): nothing to promote or download',
  },
  E_COPR_NEEDS_ADMIN: {
    severity: 'error',
    exit: 'input',
    group: 'sources',
    description: 'a Copr project setting only Copr admins may set (auto_prune: false), found before the SRPM is built',
  },
  // Rendering and output
  E_SPEC_TEXT: {
    severity: 'error',
    exit: 'input',
    group: 'output',
    description:
      'free text (summary, description, changelog) that rpm would read as spec syntax: a line starting with `%`, a trailing backslash',
  },
  E_SPEC_VALUE: {
    severity: 'error',
    exit: 'input',
    group: 'output',
    description:
      'a value rendered bare into the spec (name, buildid, version) holds characters other than letters, digits and `. _ + ~ ^ -`',
  },
  E_SOURCE_NAME: {
    severity: 'error',
    exit: 'input',
    group: 'output',
    description: 'a source file name is not a safe plain name (letters, digits and `. _ + -`, no `..`)',
  },
  E_SOURCE_URL: { severity: 'error', exit: 'input', group: 'output', description: 'a source URL is not a valid URL of one line' },
  E_OUT_UNSAFE: {
    severity: 'error',
    exit: 'input',
    group: 'output',
    description: 'the output folder is not one kplay may write (the repository itself, a folder it did not create, ...)',
  },
  E_OUT_LOCKED: { severity: 'error', exit: 'input', group: 'output', description: 'another kplay run is writing the same output folder' },
  // Signing and KMM
  E_SIGNING_CERTIFICATE: {
    severity: 'error',
    exit: 'input',
    group: 'signing',
    description: '`signing.certificate` cannot be read, holds no certificate, or holds a private key',
  },
  W_SIGNING_NOT_BUILT_IN: {
    severity: 'warning',
    exit: 'none',
    group: 'signing',
    description: '`signing:` on a kmod variant: sign its built RPMs with `kplay sign`',
  },
  E_SIGN_HEADER: {
    severity: 'error',
    exit: 'input',
    group: 'signing',
    description:
      '`kplay sign`: a value of the RPM header cannot be carried exactly into the rebuild spec (rpm would read it as spec syntax or change it), or a listed file lies below a symbolic link; nothing is written',
  },
  N_SIGN_IMAGE_NOT_PE: {
    severity: 'note',
    exit: 'none',
    group: 'signing',
    description:
      'an image is not PE/COFF, plain or gzipped, in a package that is not ppc64le/s390x (those get an appended signature): left unsigned',
  },
  N_SIGN_NOTHING: {
    severity: 'note',
    exit: 'none',
    group: 'signing',
    description: 'an RPM holds no kernel image or module: copied to `--out` unchanged',
  },
  W_KEY_IN_REPOSITORY: {
    severity: 'warning',
    exit: 'none',
    group: 'signing',
    description: '`kplay keys new` wrote the private key inside a git repository',
  },
  E_KEY_EXISTS: {
    severity: 'error',
    exit: 'conflict',
    group: 'signing',
    description:
      '`kplay keys new`: a file (or a link) of the key set NAME.key.pem, NAME.crt.pem, NAME.der is already there; nothing is overwritten',
  },
  E_KEY_FOLDER: {
    severity: 'error',
    exit: 'input',
    group: 'signing',
    description: '`kplay keys new`: the key folder is a file, not writable or full; nothing is left there',
  },
  E_KEY_LOCKED: {
    severity: 'error',
    exit: 'input',
    group: 'signing',
    description: '`kplay keys new`: another run is writing the same key name in the folder',
  },
  E_SIGN_OUT_EXISTS: {
    severity: 'error',
    exit: 'conflict',
    group: 'signing',
    description:
      "`kplay sign`: a file (or a link) of the signed RPM's name is already in `--out`; `--force` replaces files (never through links)",
  },
  E_SIGN_MODULE: {
    severity: 'error',
    exit: 'input',
    group: 'signing',
    description:
      '`kplay sign`: a module or image cannot be signed: larger than 128 MiB decompressed, corrupt compression, a malformed signature block, or hard-linked to another file of the payload; nothing is written',
  },
  W_SIGN_HMAC_STALE: {
    severity: 'warning',
    exit: 'none',
    group: 'signing',
    description: 'a `.hmac` file was made for the unsigned image; FIPS mode will reject the signed one',
  },
  W_SIGNING_NO_SPEC_MECHANISM: {
    severity: 'warning',
    exit: 'none',
    group: 'signing',
    description:
      '`signing:` on an overlay whose spec has no trusted-keys certificate file (CONFIG_SYSTEM_TRUSTED_KEYS) to add the SIG certificate to: sign the built RPMs with `kplay sign`',
  },
  N_SIGN_HMAC_UPDATED: {
    severity: 'note',
    exit: 'none',
    group: 'signing',
    description: "`kplay sign` made an image's `.hmac` (FIPS) again for the signed image, with the HMAC key and file name it had",
  },
  E_KMM_ARGUMENT: {
    severity: 'error',
    exit: 'input',
    group: 'signing',
    description: '`kplay kmm`: a role, module, namespace or base image name is not valid',
  },
  E_KMM_IMAGE: {
    severity: 'error',
    exit: 'input',
    group: 'signing',
    description: '`--image` is not `REGISTRY/NAME` (located at the column)',
  },
  E_KMM_KERNEL: { severity: 'error', exit: 'input', group: 'signing', description: 'a `--kernel` the kmod variant cannot build for' },
  E_KMM_NOT_KMOD: { severity: 'error', exit: 'input', group: 'signing', description: '`kplay kmm`: the variant is not `type: kmod`' },
  E_KMM_NAME: {
    severity: 'error',
    exit: 'input',
    group: 'signing',
    description:
      '`kplay kmm`: the variant file name or the module name cannot be a token of the Containerfile, scripts or units (`kmod-` alone, a newline, a space, a quote)',
  },
  E_KMM_SCHEMA: {
    severity: 'error',
    exit: 'internal',
    group: 'signing',
    description: "kplay's MachineConfig fails the vendored schemas (a bug in kplay)",
  },
  E_KMM_SCRIPT: {
    severity: 'error',
    exit: 'internal',
    group: 'signing',
    description: 'an embedded script fails `bash -n` or `shellcheck` (a bug in kplay)',
  },
  N_KMM_MODULES_UNSIGNED: {
    severity: 'note',
    exit: 'none',
    group: 'signing',
    description:
      '`kplay kmm` without `--sign-key`/`--sign-cert`: the modules in the driver image are unsigned (a Secure Boot node refuses them)',
  },
  W_KMM_NO_SHELLCHECK: {
    severity: 'warning',
    exit: 'none',
    group: 'signing',
    description: 'shellcheck is not installed: the scripts were checked with `bash -n` only',
  },
  // kplay try
  E_TRY_BUILD: {
    severity: 'error',
    exit: 'conflict',
    group: 'try',
    description: "the smoke kernel does not build: the compiler's first error, at the patch hunk that touched that line when a patch did",
  },
  E_TRY_BOOT: {
    severity: 'error',
    exit: 'conflict',
    group: 'try',
    description: 'the smoke kernel did not boot to the test script in QEMU (the console tail says why)',
  },
  E_TRY_SMOKE: {
    severity: 'error',
    exit: 'conflict',
    group: 'try',
    description:
      "a feature's module did not load or a line of its `test:` block failed in the guest (the feature, the command and its output)",
  },
  W_TRY_SMOKE_CONFIG: {
    severity: 'warning',
    exit: 'none',
    group: 'try',
    description: 'a value the boot needs (serial console, initramfs, modules) is not possible in this tree: the boot may fail',
  },
  E_TRY_TOOL: {
    severity: 'error',
    exit: 'input',
    group: 'try',
    description: 'a tool `kplay try` needs is missing (make, gcc, a static busybox, qemu-system-<arch>): the message names the package',
  },
  E_TRY_BASE: {
    severity: 'error',
    exit: 'input',
    group: 'try',
    description: '`kplay try` cannot build this variant here: not a kernel.org base, or an arch it does not build on this machine',
  },
} as const satisfies Record<string, FindingCodeInfo>;

export type FindingCode = keyof typeof FINDING_CODES;

export function isFindingCode(code: string): code is FindingCode {
  return Object.hasOwn(FINDING_CODES, code);
}

/** What the catalogue says about a code; a code from outside (a JSON report) is treated as unusable input. */
export function codeInfo(code: string): FindingCodeInfo {
  return isFindingCode(code) ? FINDING_CODES[code] : { severity: 'error', exit: 'input', group: 'load', description: '' };
}
