// Side-by-side: kplay's own XML element reader (src/submit/cbs/parse-xml-elements.ts) vs
// fast-xml-parser 5, and its own multipart body (src/submit/copr/multipart-body.ts) vs
// form-data-encoder 4 over fs.openAsBlob, streaming a file with the Content-Length known up front.
// Both libraries are devDependencies for this benchmark only: they lost, so kplay keeps its code.
// Run: npm run build && node bench/submit-codecs.bench.mjs   (BENCH_MP_MIB=200 by default)
// Prints one JSON line per case: median ms of N runs, and for multipart whether the
// Content-Length is known before sending and the peak RSS growth while streaming.
import { randomBytes } from 'node:crypto';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { FormDataEncoder } from 'form-data-encoder';
import { openAsBlob } from 'node:fs';
import { parseXmlElements } from '../dist/submit/cbs/parse-xml-elements.js';
import { multipartBody, filePart } from '../dist/submit/copr/multipart-body.js';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function time(fn, runs) {
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    fn();
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(ms);
}

// an XML-RPC answer like getTaskChildren / listTagged: N structs of 12 members
function answer(n) {
  const member = (k, v) => `<member><name>${k}</name><value>${v}</value></member>`;
  const items = Array.from(
    { length: n },
    (_, i) =>
      `<value><struct>${member('id', `<int>${1000 + i}</int>`)}${member('state', '<int>2</int>')}${member('method', '<string>buildArch</string>')}${member('arch', 'x86_64')}${member('label', '<string>kernel &amp; co &#x2014; x86_64</string>')}${member('parent', '<int>1000</int>')}${member('owner', '<i8>3000000001</i8>')}${member('create_ts', '<double>1700000000.25</double>')}${member('start_ts', '<nil/>')}${member('completion_ts', '<nil/>')}${member('priority', '<int>20</int>')}${member('weight', '<double>1.5</double>')}</struct></value>`,
  ).join('\n');
  return `<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><array><data>\n${items}\n</data></array></value>\n</param>\n</params>\n</methodResponse>\n`;
}

// the library, configured to give the same tree kplay's decoder reads (order kept, text untrimmed)
const lib = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: true,
  trimValues: false,
  parseTagValue: false,
  processEntities: true,
  htmlEntities: true,
  ignoreDeclaration: true,
});
function viaLibrary(xml) {
  const ok = XMLValidator.validate(xml);
  if (ok !== true) throw new Error(ok.err.msg);
  return lib.parse(xml);
}

const results = [];
for (const n of [20, 2000]) {
  const xml = answer(n);
  const runs = n > 100 ? 30 : 2000;
  results.push({
    case: `xml ${n} structs (${Math.round(xml.length / 1024)} KiB)`,
    own_ms: time(() => parseXmlElements(xml), runs),
    fast_xml_parser_ms: time(() => viaLibrary(xml), runs),
    fast_xml_parser_unvalidated_ms: time(() => lib.parse(xml), runs),
  });
}

// multipart: a file streamed from disk, Content-Length known up front
const dir = mkdtempSync(path.join(os.tmpdir(), 'kplay-bench-mp-'));
const file = path.join(dir, 'kernel-1.0-1.src.rpm');
const size = Number(process.env.BENCH_MP_MIB ?? 200) * 1048576;
writeFileSync(file, randomBytes(1048576));
for (let i = 1; i < size / 1048576; i++) writeFileSync(file, randomBytes(1048576), { flag: 'a' });
const sink = () =>
  new Writable({
    write(_c, _e, cb) {
      cb();
    },
  });
/** One streaming of the body into a sink: ms, announced length, peak RSS growth (MiB). */
async function once(make) {
  const before = process.memoryUsage().rss;
  const t = process.hrtime.bigint();
  const { length, stream } = await make();
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  await pipeline(stream, sink());
  clearInterval(timer);
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, length, growth: (peak - before) / 1048576 };
}
const json = Buffer.from(
  JSON.stringify({ ownername: 'me', projectname: 'p', chroots: ['fedora-rawhide-x86_64'], timeout: 108000, enable_net: false }),
);
const parts = async () => [
  await filePart('pkgs', file, path.basename(file), 'application/x-rpm'),
  { name: 'json', filename: 'json', contentType: 'application/json', source: { data: json } },
];
const makers = {
  hand_written: async () => {
    const body = multipartBody(await parts());
    return { length: body.contentLength, stream: body.open() };
  },
  form_data_encoder: async () => {
    const form = new FormData();
    form.append('pkgs', new File([await openAsBlob(file)], path.basename(file), { type: 'application/x-rpm' }));
    form.append('json', new File([json], 'json', { type: 'application/json' }));
    const enc = new FormDataEncoder(form);
    return { length: Number(enc.contentLength), stream: Readable.from(enc) };
  },
};
// alternate the two, several rounds, so page cache and a busy machine hit both alike
const runs = { hand_written: [], form_data_encoder: [] };
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
for (let r = 0; r < ROUNDS; r++) {
  for (const k of r % 2 ? ['form_data_encoder', 'hand_written'] : ['hand_written', 'form_data_encoder'])
    runs[k].push(await once(makers[k]));
}
const summary = Object.fromEntries(
  Object.entries(runs).flatMap(([k, xs]) => [
    [`${k}_ms`, Math.round(median(xs.map((x) => x.ms)))],
    [`${k}_content_length`, xs[0].length],
    [`${k}_rss_growth_mib`, Math.round(Math.max(...xs.map((x) => x.growth)))],
  ]),
);
results.push({ case: `multipart ${size / 1048576} MiB file, median of ${ROUNDS}`, ...summary });
rmSync(dir, { recursive: true, force: true });
for (const r of results) console.log(JSON.stringify(r));
