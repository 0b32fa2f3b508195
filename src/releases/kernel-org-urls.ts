/** Where kernel.org publishes its release list; tests point it at a local server with KPLAY_RELEASES_URL. */
export function releasesUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.KPLAY_RELEASES_URL || 'https://www.kernel.org/releases.json';
}

/** The kernel tarball tree (`.../pub/linux/kernel`); KPLAY_KERNEL_CDN overrides it. */
export function kernelCdn(env: NodeJS.ProcessEnv = process.env): string {
  return (env.KPLAY_KERNEL_CDN || 'https://cdn.kernel.org/pub/linux/kernel').replace(/\/+$/, '');
}

/** `<cdn>/v6.x/linux-6.12.117.tar.xz` */
export function tarballUrl(version: string, cdn = kernelCdn()): string {
  return `${cdn}/v${version.split('.')[0]}.x/linux-${version}.tar.xz`;
}

/** `<cdn>/v6.x/sha256sums.asc` */
export function checksumListUrl(version: string, cdn = kernelCdn()): string {
  return `${cdn}/v${version.split('.')[0]}.x/sha256sums.asc`;
}
