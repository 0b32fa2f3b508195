import { UsageError } from '../findings/finding.js';
import { createXmlRpcClient, type XmlRpcClient } from '../xmlrpc/xmlrpc-client.js';
import { isXmlRpcStruct, withKeywordArgs } from '../xmlrpc/xmlrpc-value.js';
import { isKernelVersionRelease, type DistributionKernel, type DistributionKernelSource } from './distribution-kernels.js';

/**
 * The builds of a package in a Koji tag (CBS, Fedora's Koji): anonymous `listTagged(tag,
 * package=…, inherit=True)` over XML-RPC. kernel-devel is a subpackage of the `kernel` build, so
 * the build's version-release is the kernel-devel's.
 */
export class KojiTagSource implements DistributionKernelSource {
  readonly label: string;
  refused: string[] = [];
  private readonly client: XmlRpcClient;
  constructor(
    hubUrl: string,
    private readonly tag: string,
    private readonly pkg = 'kernel',
    client?: XmlRpcClient,
  ) {
    this.label = `koji ${hubUrl} tag ${tag}`;
    this.client = client ?? createXmlRpcClient({ url: hubUrl, timeoutMs: 60_000, maxRetries: 2, retryIntervalMs: 1_000 });
  }

  async kernels(): Promise<DistributionKernel[]> {
    let answer;
    try {
      answer = await this.client.call('listTagged', withKeywordArgs([this.tag], { package: this.pkg, inherit: true }));
    } catch (err) {
      throw new UsageError(`${this.label}: listTagged failed: ${(err as Error).message}`);
    }
    if (!Array.isArray(answer)) throw new UsageError(`${this.label}: listTagged did not answer a list`);
    const out: DistributionKernel[] = [];
    this.refused = [];
    for (const b of answer) {
      if (!isXmlRpcStruct(b) || typeof b.version !== 'string' || typeof b.release !== 'string') continue;
      if (typeof b.name === 'string' && b.name !== this.pkg) continue;
      const versionRelease = `${b.version}-${b.release}`;
      // checked before anything uses it: it becomes {kernel} in paths and kmod.kernel-version
      if (!isKernelVersionRelease(versionRelease)) {
        if (this.refused.length < 20) this.refused.push(versionRelease.slice(0, 120));
        continue;
      }
      const epoch = typeof b.epoch === 'number' && Number.isSafeInteger(b.epoch) && b.epoch > 0 ? b.epoch : undefined;
      out.push({ versionRelease, ...(epoch ? { epoch } : {}) });
    }
    return out;
  }
}
