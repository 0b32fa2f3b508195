import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assignmentsFromConfigText, olddefconfig } from '../../src/kconfig/olddefconfig.js';
import type { RpmArch } from '../../src/model/arch.js';
import {
  ARCHES,
  debianConfig,
  MISMATCH_DIR,
  firstDifferences,
  KERNELS,
  kernelTree,
  oracle,
  oracleStats,
  perturb,
  pool,
  requireKernel,
  type Kernel,
} from './kconfig-oracle.js';

/**
 * Differential test: kplay's olddefconfig must equal the kernel's own `conf --olddefconfig`
 * (built from the same tree) byte for byte after the heading, on Linux 6.1 and 6.12, for every
 * RPM arch, on Debian's real configs, on `conf --randconfig` results (several seeds) and on
 * perturbed configs (dropped lines, choice members "is not set", flipped values).
 *
 * Default run: Debian's config on every kernel and arch plus one new perturbed case per kernel on
 * an arch and of a kind chosen by the run number (`KPLAY_KCONFIG_DIFF_RUN`, default the day
 * number; printed for replay). Oracle outputs are
 * cached by input digest under the test-tree cache, so reruns only pay for new inputs.
 * `KPLAY_EXHAUSTIVE=1` runs every case (`KPLAY_KCONFIG_DIFF_SEEDS` randconfig seeds per arch,
 * default 6).
 */
const EXHAUSTIVE = process.env.KPLAY_EXHAUSTIVE === '1';
const RUN = Number(process.env.KPLAY_KCONFIG_DIFF_RUN ?? Math.floor(Date.now() / 86_400_000));
const SEEDS = Number(process.env.KPLAY_KCONFIG_DIFF_SEEDS ?? 6);

type CaseKind =
  | { kind: 'debian'; flavour: string }
  | { kind: 'debian+perturb'; seed: number }
  | { kind: 'randconfig'; seed: number }
  | { kind: 'randconfig+perturb'; seed: number; perturbSeed: number };

function describeCase(c: CaseKind): string {
  if (c.kind === 'debian') return `debian ${c.flavour}`;
  return c.kind === 'randconfig+perturb' ? `randconfig seed=${c.seed} perturbed seed=${c.perturbSeed}` : `${c.kind} seed=${c.seed}`;
}

function casesFor(k: Kernel, arch: RpmArch, archIndex: number): CaseKind[] {
  const all: CaseKind[] = [{ kind: 'debian', flavour: 'amd64_none_amd64' }];
  if (arch === 'x86_64') all.push({ kind: 'debian', flavour: 'amd64_none_cloud-amd64' }, { kind: 'debian', flavour: 'amd64_rt_amd64' });
  for (let seed = 1; seed <= SEEDS; seed++) {
    all.push({ kind: 'debian+perturb', seed }, { kind: 'randconfig', seed }, { kind: 'randconfig+perturb', seed, perturbSeed: seed + 100 });
  }
  if (EXHAUSTIVE) return all;
  // rotating sample: every kernel and arch with Debian's config (conf's answer is cached after the
  // first run on a machine), plus one new perturbed case per kernel on an arch that rotates with
  // the run; randconfig bases come from a small pool of seeds so their conf runs stay cached
  const sample: CaseKind[] = [{ kind: 'debian', flavour: 'amd64_none_amd64' }];
  if (archIndex === (RUN + KERNELS.indexOf(k)) % ARCHES.length) {
    sample.push(
      RUN % 2
        ? { kind: 'debian+perturb', seed: (RUN % 1000) + 1 }
        : { kind: 'randconfig+perturb', seed: (RUN % SEEDS) + 1, perturbSeed: (RUN % 1000) + 101 },
    );
  }
  return sample;
}

describe("kconfig differential vs the kernel's own conf --olddefconfig", () => {
  for (const k of KERNELS) {
    it(`Linux ${k.version}: identical on ${EXHAUSTIVE ? 'every case' : 'a rotating sample'} for ${ARCHES.join(', ')}`, async () => {
      requireKernel(k);
      // console.log: vitest shows it in the run's output (a worker's process.stdout is not)
      console.log(
        `kconfig differential ${k.version}: run ${RUN} (replay with KPLAY_KCONFIG_DIFF_RUN=${RUN})${EXHAUSTIVE ? ', exhaustive' : ''}`,
      );
      const debian = new Map<string, string>();
      const failures: string[] = [];
      let total = 0;
      const start = Date.now();
      const jobs: Array<{ arch: RpmArch; c: CaseKind }> = [];
      ARCHES.forEach((arch, i) => {
        for (const c of casesFor(k, arch, i)) jobs.push({ arch, c });
      });
      // trees one arch at a time (parsing is CPU bound), oracle runs two at a time
      for (const arch of ARCHES) {
        const tree = await kernelTree(k, arch);
        expect(tree.dialect.choices).toBe(k.version === '6.1' ? 'symbol' : 'menu');
        await pool(
          jobs.filter((j) => j.arch === arch),
          2,
          async ({ c }) => {
            let input: string;
            if (c.kind === 'debian' || c.kind === 'debian+perturb') {
              const flavour = c.kind === 'debian' ? c.flavour : 'amd64_none_amd64';
              if (!debian.has(flavour)) debian.set(flavour, debianConfig(k, flavour));
              input = debian.get(flavour)!;
              if (c.kind === 'debian+perturb') input = perturb(tree, input, c.seed);
            } else {
              input = await oracle(tree, { mode: 'randconfig', seed: c.seed });
              if (c.kind === 'randconfig+perturb') input = perturb(tree, input, c.perturbSeed);
            }
            const expected = await oracle(tree, { mode: 'olddefconfig', input });
            const actual = olddefconfig(tree, assignmentsFromConfigText(input, 0, { strictNotSet: tree.dialect.strictNotSet })).configText;
            total++;
            const diff = firstDifferences(expected, actual);
            if (diff) {
              const name = `${k.version} ${arch} ${describeCase(c)}`;
              mkdirSync(MISMATCH_DIR, { recursive: true });
              const saved = path.join(MISMATCH_DIR, `${name.replace(/\W+/g, '_')}.config`);
              writeFileSync(saved, input, 'latin1');
              failures.push(`${name}: ${diff} (input kept in ${saved})`);
            }
          },
        );
      }
      console.log(
        `kconfig differential: ${total - failures.length}/${total} identical (Linux ${k.version}; ${((Date.now() - start) / 1000).toFixed(0)} s; conf runs ${oracleStats.ran}, cached ${oracleStats.cached})`,
      );
      for (const f of failures) console.log(`  differs: ${f}`);
      expect(total).toBe(jobs.length);
      expect(failures).toEqual([]);
    });
  }
});
