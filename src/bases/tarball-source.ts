import type { BaseSource } from '../model/variant.js';
import { tarballUrl } from '../releases/kernel-org-urls.js';
import { KernelOrg } from '../releases/resolve-base.js';
import type { UrlSource } from '../rpm/srpm-sources.js';

/** A base's source tarball; a kernel.org release without a digest in the variant: kernel.org's checksum list has it. */
export function tarballSource(source: BaseSource, version: string, checkedAgainst: boolean): UrlSource {
  const { url, sha256, where, fileName } = source;
  const published = !sha256 && url === tarballUrl(version) ? () => new KernelOrg().sha256Of(version) : undefined;
  return {
    url,
    ...(sha256 ? { sha256 } : {}),
    ...(fileName !== undefined ? { fileName } : {}),
    ...(published ? { published } : {}),
    where,
    base: checkedAgainst,
  };
}
