import path from 'node:path';
import type { Finding, SourceLocation } from '../findings/finding.js';
import { UsageError } from '../findings/finding.js';
import { displayPath, isInside, realPathInside } from '../model/safe-path.js';
import { readCertificateOnly } from './certificate-facts.js';

// the type lives with the variant model (layers point down); re-exported for the signing code
export type { SigningSettings } from '../model/variant.js';
import type { SigningSettings } from '../model/variant.js';

interface SigningContext {
  whereSet(keyPath: Array<string | number>): SourceLocation;
  folderOf(keyPath: Array<string | number>): string;
  findings: Finding[];
}

/** Resolve `signing.certificate` next to the variant that set it; a key, escape or missing file is a finding. */
export async function loadSigning(raw: Record<string, unknown>, ctx: SigningContext): Promise<SigningSettings | undefined> {
  const where = ctx.whereSet(['signing', 'certificate']);
  const folder = ctx.folderOf(['signing', 'certificate']);
  const given = String(raw.certificate);
  const abs = path.resolve(folder, given);
  const check = await realPathInside(folder, abs);
  if (!isInside(folder, abs) || (check.exists && !check.real)) {
    ctx.findings.push({
      code: 'E_PATH_ESCAPE',
      severity: 'error',
      message: `signing certificate '${given}' leaves the folder of the variant`,
      where,
      hint: 'keep the public certificate next to the variant, e.g. variants/keys/NAME.crt.pem',
    });
    return undefined;
  }
  try {
    const { pem } = await readCertificateOnly(abs);
    return { certificate: abs, display: displayPath(abs), pem, hash: (raw.hash as SigningSettings['hash'] | undefined) ?? 'sha256', where };
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    ctx.findings.push({
      code: 'E_SIGNING_CERTIFICATE',
      severity: 'error',
      message: err.message,
      where,
      hint: 'name the public NAME.crt.pem that kplay keys new wrote; the private key stays with the builder',
    });
    return undefined;
  }
}

/** The spec templates' `signing` context (null: the variant does not sign). */
export function signingSpecContext(signing: SigningSettings | undefined) {
  if (!signing) return null;
  return { certificateSource: 'kplay-signing.crt.pem', hashSymbol: `CONFIG_MODULE_SIG_${signing.hash.toUpperCase()}` };
}
