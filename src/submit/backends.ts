import type { SubmitBackend } from './submit-backend.js';

/** The build services `kplay submit` can send an SRPM to; each backend adds one line here. */
export const submitBackends: Array<() => Promise<SubmitBackend>> = [
  () => import('./cbs/cbs-backend.js').then((m) => m.cbsBackend),
];
