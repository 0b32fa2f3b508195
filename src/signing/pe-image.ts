import { open, rename, rm } from 'node:fs/promises';
import { execa } from 'execa';
import { UsageError } from '../findings/finding.js';

/** A PE/COFF image (what shim verifies): "MZ", then "PE\0\0" at the offset stored at 0x3c. */
export async function isPeImage(file: string): Promise<boolean> {
  const h = await open(file, 'r');
  try {
    const head = Buffer.alloc(64);
    const { bytesRead } = await h.read(head, 0, 64, 0);
    if (bytesRead < 64 || head.toString('latin1', 0, 2) !== 'MZ') return false;
    const peAt = head.readUInt32LE(0x3c);
    const sig = Buffer.alloc(4);
    const r = await h.read(sig, 0, 4, peAt);
    return r.bytesRead === 4 && sig.equals(Buffer.from('PE\0\0', 'latin1'));
  } finally {
    await h.close();
  }
}

async function sbtool(cmd: 'sbsign' | 'sbverify', args: string[]): Promise<{ ok: boolean; out: string }> {
  try {
    const r = await execa(cmd, args, { all: true, reject: false });
    if ((r as { code?: string }).code === 'ENOENT') throw Object.assign(new Error('missing'), { code: 'ENOENT' });
    return { ok: r.exitCode === 0, out: String(r.all ?? '') };
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT')
      throw new UsageError(`${cmd} is not installed (Debian package sbsigntool; Fedora sbsigntools)`);
    throw err;
  }
}

/**
 * Sign a PE image for UEFI Secure Boot with sbsign (Authenticode). sbsign APPENDS to an existing
 * signature ("Image was already signed; adding additional signature"): callers that re-sign remove
 * the old ones first (kernel-image.ts signKernelImage, sbattach --remove).
 */
export async function signPeImage(file: string, key: { key: string; cert: string }, what = file): Promise<void> {
  const out = `${file}.kplay-signed`;
  const r = await sbtool('sbsign', ['--key', key.key, '--cert', key.cert, '--output', out, file]);
  if (!r.ok) {
    await rm(out, { force: true });
    throw new UsageError(`${what}: sbsign failed: ${r.out.trim().split('\n').pop() ?? ''}`);
  }
  await rename(out, file);
}

export interface PeSignatureReport {
  signatures: Array<{ subject: string; issuer: string }>;
  validWith?: boolean;
}

/** The Authenticode signatures of a PE image (`sbverify --list`) and whether one checks with `cert`. */
export async function inspectPeImage(file: string, cert?: string): Promise<PeSignatureReport> {
  const list = await sbtool('sbverify', ['--list', file]);
  const signatures: PeSignatureReport['signatures'] = [];
  let current: { subject: string; issuer: string } | undefined;
  for (const line of list.out.split('\n')) {
    const m = /^\s*(?:-\s*)?(subject|issuer):\s*(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === 'subject') {
      current = { subject: m[2]!.trim(), issuer: '' };
      signatures.push(current);
    } else if (current) current.issuer = m[2]!.trim();
  }
  if (!cert) return { signatures };
  const v = await sbtool('sbverify', ['--cert', cert, file]);
  return { signatures, validWith: v.ok };
}
