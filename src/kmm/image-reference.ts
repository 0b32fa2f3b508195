import type { Finding } from '../findings/finding.js';

/**
 * A driver image reference without a tag: REGISTRY[:PORT]/NAME[/NAME...] in the grammar of
 * distribution/reference (lower-case path components; kplay adds one tag per kernel). The
 * registry host is required: nodes pull it with podman, outside any cluster default.
 */
const DOMAIN =
  /^(?:localhost|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+|[A-Za-z0-9-]+:[0-9]+|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+:[0-9]+)$/;
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

export interface ImageReference {
  registry: string;
  repository: string;
  /** registry/repository, the name every tag is added to. */
  name: string;
}

function bad(value: string, col: number, message: string, hint?: string): Finding {
  return {
    code: 'E_KMM_IMAGE',
    severity: 'error',
    message: `--image '${value}': ${message}`,
    where: { file: '--image', line: 1, col },
    ...(hint ? { hint } : {}),
  };
}

export function parseImageReference(value: string): { image?: ImageReference; finding?: Finding } {
  if (!value) return { finding: bad(value, 0, 'empty', 'give REGISTRY/NAME, e.g. quay.io/example/wireguard-kmod') };
  const tagAt = value.search(/[@]|:(?=[^/]*$)/);
  if (tagAt > 0 && value.indexOf('/') >= 0 && tagAt > value.indexOf('/')) {
    return {
      finding: bad(
        value,
        tagAt + 1,
        'carries a tag or digest',
        'give the image without a tag: kplay tags it with each kernel version (KMM looks it up by `uname -r`)',
      ),
    };
  }
  const slash = value.indexOf('/');
  if (slash < 0) return { finding: bad(value, 1, 'has no registry host', 'give REGISTRY/NAME, e.g. quay.io/example/wireguard-kmod') };
  const registry = value.slice(0, slash);
  if (!DOMAIN.test(registry))
    return { finding: bad(value, 1, `'${registry}' is not a registry host (a DNS name with a dot, localhost, or host:port)`) };
  let col = slash + 2;
  for (const part of value.slice(slash + 1).split('/')) {
    if (!COMPONENT.test(part))
      return {
        finding: bad(
          value,
          col,
          `'${part}' is not a valid repository name component (lower-case letters, digits, and . _ __ - between them)`,
        ),
      };
    col += part.length + 1;
  }
  if (value.length > 255) return { finding: bad(value, 256, 'is longer than 255 characters') };
  return { image: { registry, repository: value.slice(slash + 1), name: value } };
}
