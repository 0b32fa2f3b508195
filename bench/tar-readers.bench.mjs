// Benchmark (issue 19 item 4): the two tar readers side by side on Debian's real 6.12 tarball,
// keeping the Kconfig-relevant files (what `kplay kconfig resolve` extracts from a tarball).
//   tar-stream: the npm `tar-stream` extractor (Writable stream, one callback per entry)
//   own parser: src/sources/tar-entry-parser.ts (push parser over the decompressed chunks,
//               skips unwanted entries by offset)
// Both read the same decompressed stream: to compare the parsers and not xz, the tarball is
// decompressed once into a temporary .tar and each reader streams that file; the node process's
// CPU time (process.cpuUsage) is the parser's cost. Prints medians; asserts nothing.
// Run: npm run build && node bench/tar-readers.bench.mjs   (KPLAY_BENCH_RUNS, default 3)
// tar-stream was removed from the dependencies after this comparison (own parser: 0.47x wall,
// 0.58x CPU); `npm i --no-save tar-stream` brings it back to rerun the side-by-side.
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, '..', 'dist');
const tarball = process.env.KPLAY_BENCH_TARBALL ?? '/usr/src/linux-source-6.12.tar.xz';
const runs = Number(process.env.KPLAY_BENCH_RUNS ?? 3);
if (!existsSync(tarball)) {
  console.log(`bench:tar needs ${tarball} (Debian linux-source-6.12); skipping`);
  process.exit(0);
}
const { isKconfigRelevant } = await import(path.join(dist, 'sources/kconfig-cache.js'));
const { TarEntryParser } = await import(path.join(dist, 'sources/tar-entry-parser.js'));
const { stripTopFolder } = await import(path.join(dist, 'sources/tarball-entries.js'));
let tarStream;
try {
  tarStream = (await import('tar-stream')).default;
} catch {
  tarStream = undefined;
}

const work = mkdtempSync(path.join(os.tmpdir(), 'kplay-bench-tar-'));
const plain = path.join(work, 'linux.tar');
try {
  execFileSync('sh', ['-c', `xz -dc -T0 '${tarball}' > '${plain}'`]);
  console.log(`${tarball}: ${(statSync(plain).size / 1e6).toFixed(0)} MB decompressed`);

  const wanted = (name) => {
    const rel = stripTopFolder(name);
    return rel !== '' && isKconfigRelevant(rel);
  };

  async function ownParser() {
    let kept = 0;
    const parser = new TarEntryParser(wanted, () => kept++);
    await new Promise((resolve, reject) => {
      const s = createReadStream(plain, { highWaterMark: 1 << 20 });
      s.on('data', (c) => parser.push(c));
      s.on('end', resolve);
      s.on('error', reject);
    });
    parser.end();
    return kept;
  }

  async function tarStreamReader() {
    let kept = 0;
    const extract = tarStream.extract();
    await new Promise((resolve, reject) => {
      extract.on('entry', (header, stream, next) => {
        if (header.type === 'file' && wanted(header.name)) {
          const chunks = [];
          stream.on('data', (c) => chunks.push(c));
          stream.on('end', () => {
            Buffer.concat(chunks);
            kept++;
            next();
          });
        } else {
          stream.on('end', next);
          stream.resume();
        }
      });
      extract.on('finish', resolve);
      extract.on('error', reject);
      createReadStream(plain, { highWaterMark: 1 << 20 }).pipe(extract);
    });
    return kept;
  }

  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const results = {};
  const readers = [['own parser (tar-entry-parser.ts)', ownParser]];
  if (tarStream) readers.push(['tar-stream', tarStreamReader]);
  else console.log('tar-stream is not installed (removed after this benchmark chose the own parser)');
  for (let i = 0; i < runs; i++) {
    for (const [name, fn] of readers) {
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      const kept = await fn();
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      const c = process.cpuUsage(c0);
      (results[name] ??= { wall: [], cpu: [], kept }).wall.push(wall);
      results[name].cpu.push((c.user + c.system) / 1e6);
    }
  }
  for (const [name, r] of Object.entries(results)) {
    console.log(
      `${name.padEnd(34)} wall ${median(r.wall).toFixed(2)} s, node CPU ${median(r.cpu).toFixed(2)} s, ${r.kept} files kept (median of ${runs})`,
    );
  }
  const own = results['own parser (tar-entry-parser.ts)'];
  const ts = results['tar-stream'];
  if (own && ts)
    console.log(
      `own parser / tar-stream: wall ${(median(own.wall) / median(ts.wall)).toFixed(2)}×, CPU ${(median(own.cpu) / median(ts.cpu)).toFixed(2)}×`,
    );
} finally {
  rmSync(work, { recursive: true, force: true });
}
