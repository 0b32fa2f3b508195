import { execa } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import { inputReadFinding, MAX_INPUT_BYTES, readInputFileSync } from '../model/read-input-file.js';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { UsageError } from '../findings/finding.js';
import { isDirectory, pathExists } from '../fs/path-kind.js';
import { displayPath } from '../model/safe-path.js';
import { extractPayload, isModulePath, payloadFiles, PayloadRefused } from '../signing/rpm-payload.js';

/** Unpacked RPMs live here until `dispose()`. */
export class KabiInputs {
  private readonly temps: string[] = [];

  /** An RPM's payload, through the checked unpacker of `kplay sign` (no entry may leave the folder). */
  private async unpack(rpm: string): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kplay-kabi-'));
    this.temps.push(dir);
    try {
      await extractPayload(rpm, dir);
    } catch (err) {
      if (err instanceof PayloadRefused) throw new UsageError(`${displayPath(rpm)}: refused to unpack: ${err.message}`);
      throw err;
    }
    return dir;
  }

  /**
   * `--symvers`: a Module.symvers (plain, .xz or .gz), a kernel-devel folder holding one, or a
   * kernel-devel RPM (its usr/src/kernels/<kver>/Module.symvers) or kernel-core RPM (its
   * lib/modules/<kver>/symvers*.gz|xz).
   */
  async symvers(location: string): Promise<string> {
    if (!(await pathExists(location))) throw new UsageError(`--symvers ${location} does not exist`);
    if (await isDirectory(location)) {
      const file = path.join(location, 'Module.symvers');
      if (!(await pathExists(file))) {
        const f = inputReadFinding(path.resolve(location), { ok: false, reason: 'directory' }, '--symvers');
        f.message = `--symvers ${displayPath(path.resolve(location))} is a folder without Module.symvers`;
        f.hint = 'give a kernel-devel tree (e.g. /usr/src/kernels/<kver>), a Module.symvers file or a kernel-devel RPM';
        throw new UsageError(f.message, [f]);
      }
      return this.symversFile(file, location);
    }
    if (location.endsWith('.rpm')) {
      const dir = await this.unpack(location);
      const files = (await payloadFiles(dir)).filter((f) =>
        /^\/usr\/src\/kernels\/[^/]+\/Module\.symvers$|^\/lib\/modules\/[^/]+\/symvers[^/]*\.(gz|xz)$/.test(f),
      );
      if (files.length !== 1)
        throw new UsageError(
          `--symvers ${location}: expected one Module.symvers (kernel-devel) or symvers.gz/.xz (kernel-core) in the RPM, found ${files.length}`,
        );
      return this.symversFile(path.join(dir, files[0]!), location);
    }
    return this.symversFile(location, location);
  }

  private async symversFile(file: string, label: string): Promise<string> {
    // the one input reader: a FIFO, device, folder or oversize file is a finding, not a hang
    const read = readInputFileSync(path.resolve(file));
    if (!read.ok) {
      const f = inputReadFinding(path.resolve(file), read, '--symvers');
      throw new UsageError(f.message, [f]);
    }
    const bytes = read.bytes;
    try {
      if (file.endsWith('.gz')) return gunzipSync(bytes, { maxOutputLength: MAX_INPUT_BYTES }).toString('utf8');
      if (file.endsWith('.xz')) return (await execa('xz', ['-dc'], { input: bytes, encoding: 'utf8', stripFinalNewline: false })).stdout;
    } catch (err) {
      throw new UsageError(`--symvers ${label}: cannot decompress: ${(err as Error).message.split('\n')[0]}`);
    }
    return bytes.toString('utf8');
  }

  /** A module (.ko, .ko.xz) as it is, or every module a kmod RPM installs. */
  async modules(location: string): Promise<Array<{ file: string; label: string }>> {
    if (!(await pathExists(location))) throw new UsageError(`module ${location} does not exist`);
    if (await isDirectory(location)) {
      const f = inputReadFinding(path.resolve(location), { ok: false, reason: 'directory' }, 'module');
      f.hint = 'give the modules (.ko, .ko.xz) or a kmod RPM';
      throw new UsageError(f.message, [f]);
    }
    if (!location.endsWith('.rpm')) return [{ file: location, label: displayPath(location) }];
    const dir = await this.unpack(location);
    const found = (await payloadFiles(dir)).filter((f) => isModulePath(f) && !f.endsWith('.zst') && !f.endsWith('.gz'));
    if (!found.length) throw new UsageError(`${location}: the RPM installs no kernel module (.ko, .ko.xz)`);
    return found.map((f) => ({ file: path.join(dir, f), label: `${displayPath(location)}:${f}` }));
  }

  async dispose(): Promise<void> {
    for (const t of this.temps) await rm(t, { recursive: true, force: true });
  }
}
