/**
 * Koji's fault codes (koji/__init__.py exception classes) with what a kplay user can do about
 * each. Faults arrive as XML-RPC `<fault>` answers with HTTP 200.
 */
export interface KojiFaultKind {
  name: string;
  /** What to do, for the user; undefined when the fault text says it all. */
  advice?: string;
}

const CERT_ADVICE = 'run `centos-cert` to renew ~/.centos.cert (after `kinit` for the CentOS account), then try again';

export const KOJI_FAULTS: Readonly<Record<number, KojiFaultKind>> = {
  1000: { name: 'GenericError' },
  1001: { name: 'LockError', advice: 'another operation holds a lock on this object; try again in a minute' },
  1002: { name: 'AuthError', advice: CERT_ADVICE },
  1003: { name: 'TagError' },
  1004: {
    name: 'ActionNotAllowed',
    advice: 'the hub policy refused this; check that your account may build into this tag (ask the SIG) or use --scratch',
  },
  1005: { name: 'BuildError' },
  1006: { name: 'AuthLockError', advice: 'your account is locked on the hub; contact the CBS admins' },
  1007: { name: 'AuthExpired', advice: CERT_ADVICE },
  1008: { name: 'SequenceError', advice: 'the session got out of step; run the command again' },
  1009: { name: 'RetryError', advice: 'the hub saw the same call twice; run the command again' },
  1010: { name: 'PreBuildError' },
  1011: { name: 'PostBuildError' },
  1012: { name: 'BuildrootError' },
  1013: { name: 'FunctionDeprecated', advice: 'the hub no longer offers this call; kplay needs an update' },
  1014: { name: 'ServerOffline', advice: 'the hub is offline (maintenance); run the same command later to resume' },
  1015: { name: 'LiveCDError' },
  1016: { name: 'PluginError' },
  1017: { name: 'CallbackError' },
  1018: { name: 'ApplianceError' },
  1019: { name: 'ParameterError', advice: 'the hub rejected the call arguments; the hub may run another Koji version' },
  1020: { name: 'ImportError' },
  1021: { name: 'ConfigurationError' },
  1022: { name: 'LiveMediaError' },
  1023: { name: 'GSSAPIAuthError', advice: CERT_ADVICE },
  1024: { name: 'NameValidationError' },
};

export const FAULT_SERVER_OFFLINE = 1014;

/** A fault answered by the hub for one call. */
export class KojiFault extends Error {
  readonly kind: KojiFaultKind;
  constructor(
    readonly method: string,
    readonly faultCode: number,
    readonly faultString: string,
  ) {
    const kind = KOJI_FAULTS[faultCode] ?? { name: `fault ${faultCode}` };
    super(describeFault(method, faultCode, faultString));
    this.name = 'KojiFault';
    this.kind = kind;
  }
}

/**
 * The first meaningful line of a fault string: hubs may send a whole Python traceback, whose
 * last line is the message.
 */
export function faultSummary(faultString: string): string {
  const lines = faultString
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines[0]?.startsWith('Traceback')) return lines[lines.length - 1] ?? '';
  return lines[0] ?? '';
}

/** `getTaskInfo: ActionNotAllowed (1004): policy violation — advice`. */
export function describeFault(method: string, faultCode: number, faultString: string): string {
  const kind = KOJI_FAULTS[faultCode];
  const label = kind ? `${kind.name} (${faultCode})` : `fault ${faultCode}`;
  const summary = faultSummary(faultString);
  const advice = kind?.advice ? `; ${kind.advice}` : '';
  return `${method}: ${label}${summary ? `: ${summary}` : ''}${advice}`;
}
