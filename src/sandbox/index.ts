export {
  allowUnsandboxed,
  bwrapArgs,
  DEFAULT_LIMITS,
  runSandboxed,
  SANDBOX_INSTALL,
  sandboxAvailable,
  SandboxUnavailableError,
  UNSANDBOXED_FLAG,
  UNSANDBOXED_GIVES_AWAY,
  type SandboxLimits,
  type SandboxRequest,
  type SandboxResult,
} from './run-sandboxed.js';
