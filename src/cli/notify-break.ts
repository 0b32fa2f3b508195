import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { breakReport, type BreakReport } from '../notify/break-report.js';
import { postWebhook } from '../notify/post-webhook.js';
import type { TrackResult } from '../track/track-variant.js';

/**
 * kplay track found a break: build the report (JSON + ready-to-paste text), write it to
 * --report, POST it to --webhook. A webhook that fails is reported on stderr, not fatal.
 */
export async function notifyBreak(result: TrackResult & { modules?: string[] }, variantPath: string, opts: { report?: string; webhook?: string; kernelSource?: string; kernelDevel?: string }): Promise<BreakReport | undefined> {
  if (!result.findings.length) return undefined;
  const kmod = result.modules !== undefined;
  const args = [
    `kplay compose ${variantPath}`,
    ...(opts.kernelSource ? [`--kernel-source ${opts.kernelSource.split('{kernel}').join(result.release)}`] : []),
    ...(opts.kernelDevel ? [`--kernel-devel ${opts.kernelDevel.split('{kernel}').join(result.release)}`] : []),
  ];
  const report = breakReport({
    variant: result.variant,
    variantFile: result.variantFile,
    ...(kmod ? { package: `kmod-${result.variant.replace(/^kmod-/, '')}` } : {}),
    modules: result.modules ?? [],
    currentKernel: result.current,
    newKernel: result.release,
    source: result.follow,
    findings: result.findings,
    reproduce: `${args.join(' ')}${kmod ? `  # after setting kmod.kernel-version: "${result.release}"` : ''}`,
  });
  if (opts.report) {
    await mkdir(path.dirname(path.resolve(opts.report)), { recursive: true });
    await writeFile(opts.report, `${JSON.stringify(report, null, 2)}\n`);
    process.stderr.write(`wrote the break report to ${opts.report}\n`);
  }
  if (opts.webhook) {
    const r = await postWebhook(opts.webhook, report);
    process.stderr.write(r.ok ? `posted the break report to the webhook (HTTP ${r.status})\n` : `warning: could not post the break report: ${r.error}\n`);
  }
  return report;
}
