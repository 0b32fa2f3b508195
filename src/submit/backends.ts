import type { SubmitBackend } from './submit-backend.js';

/** The build services `kplay submit` can send an SRPM to; each backend adds one line here. */
export const submitBackends: Array<() => Promise<SubmitBackend>> = [
  async () => (await import('./copr/copr-backend.js')).coprBackend,
  async () => (await import('./cbs/cbs-backend.js')).cbsBackend,
];
