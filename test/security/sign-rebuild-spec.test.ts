import { execa } from 'execa';
import fc from 'fast-check';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RebuildRefused, rebuildSpec } from '../../src/signing/rebuild-spec.js';
import type { RpmHeader } from '../../src/signing/rpm-header.js';
import { canaryFired, canaryPath } from './support/hostile-repo.js';
import { hostileString } from './support/hostile-strings.js';
import { rpmspecParse, skeletonOf } from './support/spec-skeleton.js';

/**
 * `kplay sign` regenerates a spec from an RPM header that anyone's spec may have filled. Property:
 * for hostile header values, rebuildSpec either refuses (RebuildRefused naming the field) or
 * emits a spec from which the real rpm 4.18 (`rpmspec -q`, `rpmbuild -bb` for file lists) reads
 * back exactly the header's values, the same scriptlets and nothing else; no macro ever runs.
 */
let dir: string;
const canary = canaryPath('sign-spec');

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kplay-sign-spec-'));
  const r = await execa('rpmspec', ['--version'], { reject: false }).catch(() => undefined);
  if (!r || r.exitCode !== 0) throw new Error('rpmspec is needed: apt-get install rpm');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Characters rpm's reader, expander and parsers care about, and words that make sections. */
const RPM_PIECES = [
  '%',
  '%%',
  '\\',
  '\\%',
  '\\\\',
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  '#',
  '*',
  '\n',
  '\n%',
  '\n*',
  '\n#',
  ' ',
  '\t',
  ',',
  '-',
  '"',
  "'",
  'a',
  'nil',
  'post',
  'if 1',
  'endif',
  'files',
  'description',
  'lua:',
  '{nil}',
  '= 1',
  '>=',
  'é',
  '\r',
  '\x1b',
];
const rpmish = fc.array(fc.constantFrom(...RPM_PIECES), { minLength: 1, maxLength: 14 }).map((a) => a.join(''));
const hostile = fc.oneof({ arbitrary: rpmish, weight: 2 }, { arbitrary: hostileString(canary), weight: 1 });

/** Rich dependencies: rpm's grammar with off-normal spacing, unknown ops and every comparison. */
const richLeaf = fc
  .tuple(
    fc.constantFrom('a', 'b', 'perl(Foo)', 'x(y(z))', 'c%d', '/bin/x', 'pkg-1', '%', ')'),
    fc.constantFrom('', '', ' = 1', ' >= 1.0-2', ' < 2', ' =< 3', ' == 4', ' > %{x}', ' => 1:2', ' = ', ' = a b'),
  )
  .map(([n, c]) => n + c);
const richBlank = fc.constantFrom(' ', ' ', ' ', ' ', '  ', ',', '\t');
const { richExpr } = fc.letrec<{ richTerm: string; richExpr: string }>((tie) => ({
  richTerm: fc.oneof({ depthSize: 'small' }, richLeaf, tie('richExpr')),
  richExpr: fc
    .tuple(
      fc.array(
        fc.tuple(tie('richTerm'), richBlank, fc.constantFrom('and', 'or', 'if', 'unless', 'else', 'with', 'without', 'xor'), richBlank),
        {
          maxLength: 3,
        },
      ),
      tie('richTerm'),
      fc.constantFrom('', '', '', ' '),
    )
    .map(([pairs, last, pad]) => `(${pad}${pairs.map(([t, b1, o, b2]) => `${t}${b1}${o}${b2}`).join('')}${last}${pad})`),
}));
const dependency = fc.oneof({ arbitrary: hostile, weight: 2 }, { arbitrary: richExpr, weight: 2 });

const NAME = 'kplaytest';
const NOON = 1796040000; // Mon Nov 30 2026 12:00 UTC

function baseHeader(): RpmHeader {
  return new Map<string, Array<string | number>>([
    ['name', [NAME]],
    ['version', ['1']],
    ['release', ['1']],
    ['arch', ['noarch']],
    ['summary', ['s']],
    ['description', ['d']],
    ['license', ['MIT']],
    ['changelogtime', [NOON]],
    ['changelogname', ['a <a@example.org> - 1-1']],
    ['changelogtext', ['- entry']],
  ]);
}

/** Each field: how a value goes into the header, and the word the refusal must name. */
const FIELDS: Record<string, { set: (h: RpmHeader, v: string) => void; named: RegExp }> = {
  summary: { set: (h, v) => h.set('summary', [v]), named: /SUMMARY/ },
  license: { set: (h, v) => h.set('license', [v]), named: /LICENSE/ },
  url: { set: (h, v) => h.set('url', [v]), named: /URL/ },
  vendor: { set: (h, v) => h.set('vendor', [v]), named: /VENDOR/ },
  packager: { set: (h, v) => h.set('packager', [v]), named: /PACKAGER/ },
  description: { set: (h, v) => h.set('description', [v]), named: /DESCRIPTION/ },
  changelogname: { set: (h, v) => h.set('changelogname', [v]), named: /author of changelog entry 1/ },
  changelogtext: { set: (h, v) => h.set('changelogtext', [v]), named: /changelog entry 1/ },
  postin: {
    set: (h, v) => {
      h.set('postin', [v]);
      h.set('postinprog', ['/bin/sh']);
    },
    named: /%post scriptlet/,
  },
  // a Lua scriptlet must compile (rpm checks it): the hostile text sits in a long string
  preun: {
    set: (h, v) => {
      h.set('preun', [`local s = [==[${v}]==]`]);
      h.set('preunprog', ['<lua>']);
    },
    named: /%preun scriptlet/,
  },
  requirename: {
    set: (h, v) => {
      h.set('requirename', [v]);
      h.set('requireflags', [0]);
      h.set('requireversion', ['']);
    },
    named: /Requires/,
  },
  provideversion: {
    set: (h, v) => {
      h.set('providename', ['kplay-virtual']);
      h.set('provideflags', [8]);
      h.set('provideversion', [v]);
    },
    named: /Provides/,
  },
  conflictname: {
    set: (h, v) => {
      h.set('conflictname', [v]);
      h.set('conflictflags', [0]);
      h.set('conflictversion', ['']);
    },
    named: /Conflicts/,
  },
};

const SEP = '<sep/>';
const BINARY_QF = [
  '%{NAME:xml}',
  '%{SUMMARY:xml}',
  '%{LICENSE:xml}',
  '%{URL:xml}',
  '%{VENDOR:xml}',
  '%{PACKAGER:xml}',
  '%{DESCRIPTION:xml}',
  '%{PREIN:xml}',
  '%{POSTIN:xml}',
  '%{POSTINPROG:xml}',
  '%{POSTINFLAGS:xml}',
  '%{PREUN:xml}',
  '%{PREUNPROG:xml}',
  '%{POSTUN:xml}',
  '%{PRETRANS:xml}',
  '%{POSTTRANS:xml}',
  '%{VERIFYSCRIPT:xml}',
  '[%{REQUIRENAME:xml}%{REQUIREFLAGS:xml}%{REQUIREVERSION:xml}]',
  '[%{PROVIDENAME:xml}%{PROVIDEFLAGS:xml}%{PROVIDEVERSION:xml}]',
  '[%{CONFLICTNAME:xml}%{CONFLICTFLAGS:xml}%{CONFLICTVERSION:xml}]',
].join(SEP);
const SOURCE_QF = ['[%{CHANGELOGTIME:xml}]', '[%{CHANGELOGNAME:xml}]', '[%{CHANGELOGTEXT:xml}]'].join(SEP);

/** The values of one `:xml` field (none for `(none)`), unescaped. */
function values(part: string): Array<string | number> {
  const out: Array<string | number> = [];
  for (const m of part.matchAll(/<(string|integer)\s*\/>|<(string|integer)>([\s\S]*?)<\/\2>/g)) {
    const raw = (m[3] ?? '').replace(/&(lt|gt|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', amp: '&' })[e]!);
    out.push((m[1] ?? m[2]) === 'integer' ? Number(raw) : raw);
  }
  return out;
}

async function rpmspecQuery(spec: string, qf: string, srpm = false): Promise<Array<Array<string | number>>> {
  const r = await execa('rpmspec', ['-q', ...(srpm ? ['--srpm'] : []), '--qf', `${qf}\n`, spec], { reject: false });
  expect(
    r.exitCode,
    `rpmspec -q failed:\n${String(r.stderr)}\n--- spec ---\n${await import('node:fs').then((f) => f.readFileSync(spec, 'utf8'))}`,
  ).toBe(0);
  return String(r.stdout).split(SEP).map(values);
}

const RPMLIB = 1 << 24;
const INTERP = 256;
const deps = (names: Array<string | number>, flags: Array<string | number>, vers: Array<string | number>) =>
  names
    .map((n, i) => [n, Number(flags[i]) & 0x0f, vers[i]] as const)
    .filter(([n], i) => !(Number(flags[i]) & (RPMLIB | INTERP)) && !(n === NAME || String(n).startsWith(`${NAME}(`)))
    .map(([n, f, v]) => `${n}|${f}|${v}`);

let specNo = 0;

describe('kplay sign: the rebuild spec of a hostile RPM header, read back by rpm 4.18', () => {
  it('every value comes back exactly from rpmspec, or the field is refused by name; no macro runs', async () => {
    const arbitraries: Record<string, fc.Arbitrary<string>> = {};
    for (const f of Object.keys(FIELDS)) arbitraries[f] = ['requirename', 'conflictname'].includes(f) ? dependency : hostile;
    const sample = fc.record(arbitraries);
    const postinFlags = fc.constantFrom(0, 1, 2, 3);
    // 1990-01-01 UTC (rpm refuses earlier years) .. the largest 32-bit unsigned time the header holds
    const time = fc.integer({ min: 631152000, max: 2 ** 32 - 1 });
    let accepted = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(sample, postinFlags, time, async (fields, flags, changelogTime) => {
        const kept: Array<[string, string]> = [];
        for (const [f, v] of Object.entries(fields)) {
          const h = baseHeader();
          FIELDS[f]!.set(h, v);
          try {
            rebuildSpec(h, 'x.rpm');
            kept.push([f, v]);
            accepted++;
          } catch (err) {
            if (!(err instanceof RebuildRefused)) throw err;
            expect(err.message, f).toMatch(FIELDS[f]!.named);
            refused++;
          }
        }
        const h = baseHeader();
        for (const [f, v] of kept) FIELDS[f]!.set(h, v);
        h.set('changelogtime', [changelogTime]);
        if (kept.some(([f]) => f === 'postin')) h.set('postinflags', [flags]);
        const plan = rebuildSpec(h, `x-${'%(touch '}${canary}).rpm`);
        const spec = path.join(dir, `p${specNo++}.spec`);
        await writeFile(spec, plan.spec);
        // the same sections, scriptlets and conditionals (none) as a spec made of benign values
        const benign = baseHeader();
        for (const [f] of kept) FIELDS[f]!.set(benign, f === 'provideversion' ? '1' : f === 'changelogtext' ? '- b' : 'b');
        benign.set('changelogtime', [changelogTime]);
        if (kept.some(([f]) => f === 'postin')) benign.set('postinflags', [flags]);
        const benignSpec = path.join(dir, `b${specNo}.spec`);
        await writeFile(benignSpec, rebuildSpec(benign, 'x.rpm').spec);
        const [parsed, expected] = await Promise.all([rpmspecParse(spec), rpmspecParse(benignSpec)]);
        expect(parsed.ok, parsed.stderr).toBe(true);
        expect(skeletonOf(parsed.stdout)).toEqual(skeletonOf(expected.stdout));
        const got = await rpmspecQuery(spec, BINARY_QF);
        const want = (t: string) => h.get(t) ?? [];
        // one package, and only the scriptlets the header has
        expect(got[0]).toEqual([NAME]);
        const names = ['summary', 'license', 'url', 'vendor', 'packager', 'description', 'prein', 'postin', 'postinprog', 'postinflags'];
        names.forEach((t, i) => expect(got[i + 1], t).toEqual(want(t).filter((v) => !(t === 'postinflags' && v === 0))));
        expect(got[11], 'preun').toEqual(want('preun'));
        expect(got[12], 'preunprog').toEqual(want('preunprog'));
        for (const [i, t] of [
          [13, 'postun'],
          [14, 'pretrans'],
          [15, 'posttrans'],
          [16, 'verifyscript'],
        ] as const)
          expect(got[i], t).toEqual([]);
        const pick = (part: Array<string | number>, k: number) => part.filter((_, i) => i % 3 === k);
        for (const [i, kind] of [
          [17, 'require'],
          [18, 'provide'],
          [19, 'conflict'],
        ] as const)
          expect(deps(pick(got[i]!, 0), pick(got[i]!, 1), pick(got[i]!, 2)), kind).toEqual(
            deps(want(`${kind}name`), want(`${kind}flags`), want(`${kind}version`)),
          );
        const log = await rpmspecQuery(spec, SOURCE_QF, true);
        expect(log).toEqual([want('changelogtime'), want('changelogname'), want('changelogtext')]);
        expect(canaryFired(canary)).toBe(false);
      }),
      { numRuns: Number(process.env.KPLAY_EXHAUSTIVE === '1' ? 1500 : 100), interruptAfterTimeLimit: 60_000 },
    );
    // both outcomes happen: the generator is hostile enough to be refused and mild enough to pass
    expect(accepted).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(50);
  });

  it('a description of 50,000 lines ending in a backslash is read back in seconds (rpm rescans joined lines: quadratic)', async () => {
    const h = baseHeader();
    const text = Array.from({ length: 50_000 }, (_, i) => `line ${i} 100% \\`).join('\n');
    h.set('description', [text]);
    const spec = path.join(dir, 'backslashes.spec');
    await writeFile(spec, rebuildSpec(h, 'x.rpm').spec);
    const started = Date.now();
    const r = await execa('rpmspec', ['-q', '--qf', '%{DESCRIPTION}', spec], { timeout: 60_000, maxBuffer: 1 << 26 });
    expect(String(r.stdout)).toBe(text);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('file names: the rebuilt RPM lists exactly the accepted names with their flags (rpmbuild -bb), or the file is refused', async () => {
    const segment = fc
      .oneof(rpmish, hostileString(canary))
      .map((s) => s.replace(/[/\0]/g, '_').slice(0, 60))
      .filter((s) => s !== '' && s !== '.' && s !== '..');
    const entry = fc.record({
      base: segment,
      ghost: fc.boolean(),
      config: fc.boolean(),
      lang: fc.constantFrom('', 'de', 'pt_BR|sr@latin', 'x)%(y'),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(entry, { minLength: 1, maxLength: 8, selector: (e) => e.base }), async (entries) => {
        const work = path.join(dir, `files${run++}`);
        const payload = path.join(work, 'payload');
        await mkdir(path.join(payload, 'usr/share/k'), { recursive: true });
        const listed: typeof entries = [];
        for (const e of entries) {
          const h = fileHeader([e]);
          try {
            rebuildSpec(h, 'x.rpm');
            listed.push(e);
          } catch (err) {
            if (!(err instanceof RebuildRefused)) throw err;
            expect(err.message).toMatch(/^file '|language/);
          }
        }
        // a module so that kplay sign would rebuild; plain files for the rest (ghosts stay absent)
        await writeFile(path.join(payload, 'usr/share/k/m.ko'), 'module');
        for (const e of listed) if (!e.ghost) await writeFile(path.join(payload, 'usr/share/k', e.base), 'x');
        const plan = rebuildSpec(fileHeader([{ base: 'm.ko', ghost: false, config: false, lang: '' }, ...listed]), 'x.rpm');
        await writeFile(path.join(work, 'r.spec'), plan.spec);
        const b = await execa(
          'rpmbuild',
          [
            '-bb',
            '--quiet',
            '--define',
            `_topdir ${work}/top`,
            '--define',
            `_rpmdir ${work}/rpms`,
            '--define',
            '_build_name_fmt out.rpm',
            '--define',
            `kplay_payload ${payload}`,
            path.join(work, 'r.spec'),
          ],
          { reject: false },
        );
        expect(b.exitCode, `${String(b.stderr)}\n${plan.spec}`).toBe(0);
        const q = await execa('rpm', [
          '-qp',
          '--qf',
          '[%{FILENAMES:xml}%{FILEFLAGS:xml}%{FILELANGS:xml}]',
          path.join(work, 'rpms/out.rpm'),
        ]);
        const got = values(String(q.stdout));
        const rows: string[] = [];
        for (let i = 0; i < got.length; i += 3) rows.push(`${got[i]}|${got[i + 1]}|${got[i + 2]}`);
        const want = [{ base: 'm.ko', ghost: false, config: false, lang: '' }, ...listed]
          .map((e) => `/usr/share/k/${e.base}|${(e.ghost ? 64 : 0) | (e.config ? 1 : 0)}|${e.lang}`)
          .sort();
        expect(rows.sort()).toEqual(want);
        expect(canaryFired(canary)).toBe(false);
        await rm(work, { recursive: true, force: true });
      }),
      { numRuns: Number(process.env.KPLAY_EXHAUSTIVE === '1' ? 100 : 10), interruptAfterTimeLimit: 60_000 },
    );
  });
});

function fileHeader(entries: Array<{ base: string; ghost: boolean; config: boolean; lang: string }>): RpmHeader {
  const h = baseHeader();
  const n = entries.length;
  h.set(
    'basenames',
    entries.map((e) => e.base),
  );
  h.set('dirnames', ['/usr/share/k/']);
  h.set('dirindexes', Array<number>(n).fill(0));
  h.set('filemodes', Array<number>(n).fill(0o100644));
  h.set('fileusername', Array<string>(n).fill('root'));
  h.set('filegroupname', Array<string>(n).fill('root'));
  h.set(
    'fileflags',
    entries.map((e) => (e.ghost ? 64 : 0) | (e.config ? 1 : 0)),
  );
  h.set(
    'filelangs',
    entries.map((e) => e.lang),
  );
  return h;
}
