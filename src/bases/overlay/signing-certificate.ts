import type { Finding } from '../../findings/finding.js';
import { overlayBlock } from './overlay-markers.js';
import { readSpecSources } from './spec-sources.js';

/**
 * The SIG certificate in an overlay kernel, through the distribution spec's own mechanism: Fedora
 * (ARK), CentOS Stream and RHEL 9/10 specs collect the certificates the kernel trusts into one PEM
 * file in %prep (`cat rheldup3.pem ... > ../certs/rhel.pem`, `cat imaca.pem >> ../certs/rhel.pem`)
 * and point every config at it (`sed -i 's@CONFIG_SYSTEM_TRUSTED_KEYS=""@CONFIG_SYSTEM_TRUSTED_KEYS="certs/rhel.pem"@'`);
 * RHEL 8-era specs copy one Source there (`cp -v %{SOURCE9000} linux-.../certs/rhel.pem`). kplay
 * ships the certificate as a Source and appends it to that file, right where the distribution's
 * certificates go, under the same conditions (%{signkernel}%{signmodules}, %{?rhel}). The image
 * itself is signed by the spec's `%pesign ... -n %{pesign_name_0}` on the distribution's build
 * servers only; a SIG signs the built image with `kplay sign`.
 */
export const OVERLAY_CERTIFICATE_SOURCE = 'kplay-signing.crt.pem';

export interface WiredCertificate {
  text: string;
  /** What was wired, for the manifest's checks; undefined with a finding when the spec has no mechanism. */
  check?: string;
  findings: Finding[];
}

const TRUSTED_KEYS_SED = /CONFIG_SYSTEM_TRUSTED_KEYS=""@CONFIG_SYSTEM_TRUSTED_KEYS="(certs\/[\w.-]+\.pem)"/;
const LOOP_START = /^\s*for\s+\w+\s+in\s+.*;\s*do\s*$/;
const SOURCE0 = /^Source0?\s*:/i;

/** Wire `OVERLAY_CERTIFICATE_SOURCE` into the spec's trusted-keys file, or say why not. */
export function wireSigningCertificate(specText: string, variantName: string, specLabel: string): WiredCertificate {
  const trailingNewline = specText.endsWith('\n');
  // the overlaid spec: overlaySpec() removed every earlier kplay block, this one included
  const lines = specText.replace(/\n$/, '').split('\n');
  const none = (message: string): WiredCertificate => ({
    text: specText,
    findings: [
      {
        code: 'W_SIGNING_NO_SPEC_MECHANISM',
        severity: 'warning',
        message,
        where: { file: specLabel, line: 0, col: 0 },
        hint: 'sign the built RPMs with kplay sign and have users enrol the certificate as a MOK (distribution kernels trust .platform for modules)',
      },
    ],
  });
  const source0 = lines.findIndex((l) => SOURCE0.test(l));
  if (source0 < 0) return none('the spec has no Source0 line: the SIG certificate is not built in');
  const number = Math.max(...readSpecSources(lines).map((s) => s.number)) + 1;
  const block = (lines: string[]) => overlayBlock(`SIG certificate of ${variantName}`, lines);
  const sourceLines = block([`Source${number}: ${OVERLAY_CERTIFICATE_SOURCE}`]);

  let insertAt: number;
  let append: string;
  const sedAt = lines.findIndex((l) => TRUSTED_KEYS_SED.test(l));
  if (sedAt >= 0) {
    // the file as the %prep lines before the sed write it (relative to their folder)
    const file = TRUSTED_KEYS_SED.exec(lines[sedAt]!)![1]!;
    let target: string | undefined;
    for (let i = sedAt - 1; i >= 0 && !target; i--) {
      const m = new RegExp(`>>?\\s*(\\S*${file.replace(/[.]/g, '\\.')})\\s*$`).exec(lines[i]!);
      if (m) target = m[1];
    }
    if (!target)
      return none(`the spec sets CONFIG_SYSTEM_TRUSTED_KEYS="${file}" but writes no ${file} before: the SIG certificate is not built in`);
    insertAt = sedAt > 0 && LOOP_START.test(lines[sedAt - 1]!) ? sedAt - 1 : sedAt;
    append = target;
  } else {
    const cpAt = lines.findIndex((l) => /^cp\s+(-\w+\s+)*%\{SOURCE\d+\}\s+\S*certs\/[\w.-]+\.pem\s*$/.test(l));
    if (cpAt < 0)
      return none(
        'the spec has no trusted-keys certificate file (CONFIG_SYSTEM_TRUSTED_KEYS="certs/....pem" set in %prep, or a Source copied to certs/): the SIG certificate is not built in',
      );
    append = /(\S*certs\/[\w.-]+\.pem)\s*$/.exec(lines[cpAt]!)![1]!;
    insertAt = cpAt + 1;
  }
  const prepLines = block([
    '# the SIG certificate joins the certificates the kernel trusts for modules (CONFIG_SYSTEM_TRUSTED_KEYS)',
    `cat %{SOURCE${number}} >> ${append}`,
  ]);
  const out = [...lines];
  out.splice(insertAt, 0, ...prepLines);
  out.splice(source0 + 1, 0, ...sourceLines);
  return {
    text: `${out.join('\n')}${trailingNewline ? '\n' : ''}`,
    check: `the SIG certificate is Source${number} (${OVERLAY_CERTIFICATE_SOURCE}), appended to ${append} where the spec collects its trusted keys; the image is signed by the spec's %pesign on the distribution's servers only: sign built RPMs with kplay sign`,
    findings: [],
  };
}
