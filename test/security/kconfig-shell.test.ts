import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distributionSourceChecks } from '../../src/bases/overlay/distribution-source-checks.js';
import { readSpecMacros } from '../../src/bases/overlay/spec-macros.js';
import { UsageError, type Finding } from '../../src/findings/finding.js';
import { loadKconfigTree } from '../../src/kconfig/index.js';
import { makeFixtureRepo } from '../support/fixture-repo.js';
import { runKplay } from '../support/run-kplay.js';

/**
 * Issue: `kplay compose <overlay> --kernel-source` parses the Kconfig files as the distribution's
 * and the features' patches leave them, and a patch adding `default $(shell,touch /tmp/pwned)` ran
 * that command on the maintainer's machine. Now the patched tree's macros get only the commands
 * the unpatched tree runs (answered from that parse, never run again); any other is E_KCONFIG_SHELL
 * at the macro's file:line.
 */
const dir = mkdtempSync(path.join(os.tmpdir(), 'kplay-kshell-'));
const savedCache = process.env.KPLAY_CACHE_DIR;
const marker = path.join(dir, 'pwned');
const tree = path.join(dir, 'linux');

const INIT_KCONFIG = [
  'config CC_HAS_PROBE',
  '\tdef_bool $(cc-option,-fprobe)',
  '',
  'config PROBE_TEXT',
  '\tstring',
  '\tdefault "$(shell,$(srctree)/scripts/probe.sh)"',
  '',
  'config ALPHA',
  '\tbool "alpha"',
  '\tdefault n',
  '',
  'config BETA',
  '\tbool "beta"',
  '\tdepends on ALPHA',
  '\tdefault y',
  '',
];

beforeAll(() => {
  process.env.KPLAY_CACHE_DIR = path.join(dir, 'cache');
  const files: Record<string, string> = {
    Makefile: 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 1\nEXTRAVERSION =\n',
    Kconfig: 'mainmenu "Linux"\nsource "scripts/Kconfig.include"\nsource "init/Kconfig"\n',
    // the kernel's own helpers, with a stand-in for the compiler probe
    'scripts/Kconfig.include': [
      'if-success = $(shell,{ $(1); } >/dev/null 2>&1 && echo "$(2)" || echo "$(3)")',
      'success = $(if-success,$(1),y,n)',
      'failure = $(if-success,$(1),n,y)',
      'cc-option = $(success,true $(1))',
      '',
    ].join('\n'),
    'scripts/probe.sh': '#!/bin/sh\necho probed\n',
    'init/Kconfig': INIT_KCONFIG.join('\n'),
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(tree, rel)), { recursive: true });
    writeFileSync(path.join(tree, rel), text, { mode: rel.endsWith('.sh') ? 0o755 : 0o644 });
  }
});

afterAll(() => {
  if (savedCache === undefined) delete process.env.KPLAY_CACHE_DIR;
  else process.env.KPLAY_CACHE_DIR = savedCache;
  rmSync(dir, { recursive: true, force: true });
});

/** A patch inserting `added` after line `after` (1-based) of `file` (`lines` joined by newlines), with context on both sides. */
function insertPatch(file: string, lines: readonly string[], after: number, added: readonly string[]): string {
  const real = lines.at(-1) === '' ? lines.slice(0, -1) : lines;
  const n = Math.min(2, after, real.length - after);
  const before = real.slice(after - n, after);
  const following = real.slice(after, after + n);
  const start = after - n + 1;
  return [
    'From: stranger <s@example.org>',
    'Subject: [PATCH] a feature',
    '',
    '---',
    `diff --git a/${file} b/${file}`,
    `--- a/${file}`,
    `+++ b/${file}`,
    `@@ -${start},${2 * n} +${start},${2 * n + added.length} @@`,
    ...before.map((l) => ` ${l}`),
    ...added.map((l) => `+${l}`),
    ...following.map((l) => ` ${l}`),
    '',
  ].join('\n');
}

async function resolveWith(patchText: string): Promise<{ text: string; findings: Finding[] } | UsageError> {
  const checks = await distributionSourceChecks({
    kernelSource: tree,
    specLines: [],
    macros: readSpecMacros([]),
    files: new Map(),
    specLabel: 'kernel.spec',
    variantPatches: [{ file: 'features/evil/patches/0001-evil.patch', feature: 'evil', text: Buffer.from(patchText) }],
  });
  try {
    expect(checks.findings.filter((f) => f.severity === 'error')).toEqual([]);
    return await checks.resolver({ arch: 'x86_64', file: 'kernel-x86_64.config', mergedText: 'CONFIG_ALPHA=y\n' });
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
}

function refusal(r: { text: string; findings: Finding[] } | UsageError): Finding {
  expect(r).toBeInstanceOf(UsageError);
  const err = r as UsageError;
  expect(err.findings).toHaveLength(1);
  return err.findings[0]!;
}

describe('Kconfig macros added by patches run nothing', () => {
  it('a feature patch adding default $(shell,touch ...) is E_KCONFIG_SHELL at its file:line, and nothing ran', async () => {
    const r = await resolveWith(insertPatch('init/Kconfig', INIT_KCONFIG, 10, [`\tdefault $(shell,touch ${marker})`]));
    const f = refusal(r);
    expect(f.code).toBe('E_KCONFIG_SHELL');
    expect(f.where).toEqual({ file: 'init/Kconfig', line: 11, col: 0 });
    expect(f.message).toContain(`touch ${marker}`);
    expect(f.message).toContain('features/evil/patches/0001-evil.patch');
    expect(f.feature).toBe('evil');
    expect(f.related?.[0]?.where.file).toBe('features/evil/patches/0001-evil.patch');
    expect(f.hint).toMatch(/does not run commands that patches add/);
    expect(existsSync(marker)).toBe(false);
  });

  it("commands reached through the tree's own helpers ($(success), $(failure), $(cc-option)) are refused too", async () => {
    for (const macro of [
      `$(success,touch ${marker})`,
      `$(failure,touch ${marker})`,
      `$(cc-option,-fx; touch ${marker})`,
      `$(if-success,touch ${marker},y,n)`,
    ]) {
      const f = refusal(await resolveWith(insertPatch('init/Kconfig', INIT_KCONFIG, 2, ['', 'config EVIL', `\tdef_bool ${macro}`])));
      expect(f.code, macro).toBe('E_KCONFIG_SHELL');
      expect(f.where?.line, macro).toBe(5);
    }
    expect(existsSync(marker)).toBe(false);
  });

  it('a command another tree ran with the same toolchain (in the memo file) is still refused', async () => {
    const other = path.join(dir, 'other');
    mkdirSync(other, { recursive: true });
    writeFileSync(path.join(other, 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 1\nEXTRAVERSION =\n');
    writeFileSync(path.join(other, 'Kconfig'), 'config OTHER\n\tstring\n\tdefault "$(shell,echo other-tree)"\n');
    expect((await loadKconfigTree({ source: other, arch: 'x86_64' })).symbols.find('OTHER')).toBeDefined();
    const f = refusal(await resolveWith(insertPatch('init/Kconfig', INIT_KCONFIG, 10, ['\tdefault "$(shell,echo other-tree)"'])));
    expect(f.code).toBe('E_KCONFIG_SHELL');
  });

  it('a patched helper script the unpatched tree runs is not run: the probe keeps the unpatched answer', async () => {
    const script = ['#!/bin/sh', 'echo probed', ''];
    const r = await resolveWith(insertPatch('scripts/probe.sh', script, 1, [`touch ${marker}`]));
    expect(r).not.toBeInstanceOf(UsageError);
    expect((r as { text: string }).text).toMatch(/^CONFIG_PROBE_TEXT="probed"$/m);
    expect(existsSync(marker)).toBe(false);
  });

  it('a patch changing only defaults and dependencies resolves as before, the tree probes answered from its own parse', async () => {
    const r = await resolveWith(insertPatch('init/Kconfig', INIT_KCONFIG, 10, ['\tdefault y if CC_HAS_PROBE']));
    expect(r).not.toBeInstanceOf(UsageError);
    const text = (r as { text: string; findings: Finding[] }).text;
    expect(text).toMatch(/^CONFIG_CC_HAS_PROBE=y$/m);
    expect(text).toMatch(/^CONFIG_PROBE_TEXT="probed"$/m);
    expect(text).toMatch(/^CONFIG_ALPHA=y$/m);
    expect(text).toMatch(/^CONFIG_BETA=y$/m);
    // the same probes, as the tree's own parse answers them
    const added = insertPatch('init/Kconfig', INIT_KCONFIG, 2, ['', 'config CC_HAS_PROBE_TOO', '\tdef_bool $(cc-option,-fprobe)']);
    const again = await resolveWith(added);
    expect(again).not.toBeInstanceOf(UsageError);
    expect((again as { text: string }).text).toMatch(/^CONFIG_CC_HAS_PROBE_TOO=y$/m);
  });

  it('a patched Kconfig file cannot source a file outside the tree (or a FIFO): a missing file, nothing read', async () => {
    const outside = path.join(dir, 'outside');
    mkdirSync(outside, { recursive: true });
    writeFileSync(path.join(outside, 'Kconfig.leak'), 'config LEAKED\n\tdef_bool y\n');
    execFileSync('mkfifo', [path.join(tree, 'init', 'Kconfig.fifo')]);
    try {
      // the scratch copy and this test's folder are both in the temporary folder
      for (const name of [`../${path.basename(dir)}/outside/Kconfig.leak`, 'init/../../../../../../../../dev/zero']) {
        const f = refusal(await resolveWith(insertPatch('init/Kconfig', INIT_KCONFIG, 11, [`source "${name}"`, ''])));
        expect(f.code, name).toBe('E_KCONFIG_PARSE');
        expect(f.message, name).toMatch(/can't open file/);
        expect(f.where, name).toEqual({ file: 'init/Kconfig', line: 12, col: 0 });
      }
      // a FIFO the unpatched tree has is not copied; one a patch names is not there
      const f = refusal(await resolveWith(insertPatch('init/Kconfig', INIT_KCONFIG, 11, ['source "init/Kconfig.fifo"', ''])));
      expect(f.code).toBe('E_KCONFIG_PARSE');
    } finally {
      rmSync(path.join(tree, 'init', 'Kconfig.fifo'));
    }
  });

  it('hostile macro strings in patched Kconfig lines never run anything and never crash (property)', async () => {
    const canary = path.join(dir, 'canary');
    const pieces = fc.constantFrom(
      `touch ${canary}`,
      `$(shell,touch ${canary})`,
      `$(success,touch ${canary})`,
      `$(failure,touch ${canary})`,
      `$(cc-option,-x;touch ${canary})`,
      `$(if-success,touch ${canary},y,n)`,
      '$(shell,$(srctree)/scripts/probe.sh)',
      '$(cc-option,-fprobe)',
      '$(shell,',
      '$(',
      ')',
      ',',
      '$$',
      '"',
      "'",
      '`',
      ';',
      '\\',
      '$(info,x)',
      '$(warning-if,y,w)',
      '$(error-if,y,e)',
      '$(srctree)',
      '$(CC)',
      'x := $(shell,touch CANARY)',
      'y',
      'n',
      ' ',
    );
    const line = fc
      .tuple(
        fc.constantFrom('\tdefault ', '\tdef_bool ', 'x := ', 'source "', '\tdepends on '),
        fc.array(pieces, { minLength: 1, maxLength: 6 }),
      )
      .map(([head, parts]) => `${head}${parts.join('').replaceAll('CANARY', canary)}`);
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 3 }), async (added) => {
        const r = await resolveWith(insertPatch('init/Kconfig', INIT_KCONFIG, 10, added));
        if (r instanceof UsageError) {
          expect(r.findings.length).toBeGreaterThan(0);
          for (const f of r.findings) expect(['E_KCONFIG_SHELL', 'E_KCONFIG_PARSE', 'E_KCONFIG_DIALECT']).toContain(f.code);
        }
        expect(existsSync(canary)).toBe(false);
        expect(readdirSync(dir).filter((n) => n === 'canary')).toEqual([]);
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});

describe('vanilla compose parses the Kconfig its features patch, and runs none of their macros', () => {
  /** A vanilla variant on the fake tree, with one feature whose patch adds `added` to init/Kconfig. */
  async function composeWithPatch(
    added: readonly string[],
    config: string,
    extraArgs: string[] = [],
    patchPath = 'init/Kconfig',
    source = tree,
  ) {
    const root = await makeFixtureRepo({
      'variants/v.yml': [
        'name: v',
        'summary: test kernel',
        'base:',
        '  kind: vanilla',
        '  version: "6.12.1"',
        '  config:',
        '    x86_64: { file: base.config }',
        'arches: [x86_64]',
        'features: [f]',
        '',
      ].join('\n'),
      'variants/base.config': 'CONFIG_ALPHA=y\n',
      'features/f/feature.yml': 'summary: a stranger feature\n',
      'features/f/series': '0001-f.patch\n',
      'features/f/patches/0001-f.patch': insertPatch(patchPath, INIT_KCONFIG, 2, added),
      'features/f/config': config,
    });
    const out = path.join(root, 'out-v');
    const r = await runKplay(['compose', 'variants/v.yml', '--kernel-source', source, '--out', out, ...extraArgs], {
      cwd: root,
      env: { KPLAY_CACHE_DIR: path.join(dir, 'cache') },
    });
    return { r, out, root };
  }

  it('a feature patch adding def_bool $(shell,touch ...) is E_KCONFIG_SHELL at the patched line, naming the patch; nothing ran or was written', async () => {
    const { r, out, root } = await composeWithPatch(['', 'config EVIL', `\tdef_bool $(shell,touch ${marker})`], 'CONFIG_EVIL=y\n');
    try {
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^init\/Kconfig:5: error E_KCONFIG_SHELL: .*touch /m);
      expect(r.stderr).toContain('features/f/patches/0001-f.patch');
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(existsSync(marker)).toBe(false);
      expect(existsSync(out)).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("a symbol the feature's own patch adds is resolved with its dependencies (not E_KCONFIG_UNKNOWN)", async () => {
    const met = await composeWithPatch(['', 'config ADDED', '\tbool "added"', '\tdepends on ALPHA'], 'CONFIG_ADDED=y\n');
    const unmet = await composeWithPatch(['', 'config ADDED', '\tbool "added"', '\tdepends on BETA && !ALPHA'], 'CONFIG_ADDED=y\n');
    try {
      expect(met.r.exitCode, met.r.stderr).toBe(0);
      expect(readFileSync(path.join(met.out, 'kplay-x86_64.config'), 'utf8')).toMatch(/^CONFIG_ADDED=y$/m);
      expect(unmet.r.exitCode, unmet.r.stderr).toBe(1);
      expect(unmet.r.stderr).toMatch(
        /features\/f\/config:1:1: error E_KCONFIG_UNMET: CONFIG_ADDED=y cannot be met: depends on BETA && !ALPHA/,
      );
    } finally {
      for (const x of [met, unmet]) rmSync(x.root, { recursive: true, force: true });
    }
  });

  it('a patch naming a/./init/Kconfig changes init/Kconfig for the Kconfig engine, as patch -p1 (%autopatch) does', async () => {
    const r = await composeWithPatch(['', 'config ADDED', '\tbool "added"'], 'CONFIG_ADDED=y\n', [], './init/Kconfig');
    try {
      expect(r.r.stdout + r.r.stderr).not.toContain('E_KCONFIG_UNKNOWN');
      expect(r.r.exitCode, r.r.stderr).toBe(0);
      expect(readFileSync(path.join(r.out, 'kplay-x86_64.config'), 'utf8')).toMatch(/^CONFIG_ADDED=y$/m);
    } finally {
      rmSync(r.root, { recursive: true, force: true });
    }
  });

  it('a patched variable that doubles itself 40 times is an error at its line in seconds, not a hang', async () => {
    const doubling = [
      'B0 = x',
      ...Array.from({ length: 40 }, (_, i) => `B${i + 1} = $(B${i})$(B${i})`),
      'config HUGE',
      '\tstring',
      '\tdefault "$(B40)"',
    ];
    const started = Date.now();
    const r = await composeWithPatch(['', ...doubling], '');
    try {
      expect(r.r.exitCode, r.r.stderr).toBe(2);
      expect(r.r.stderr).toMatch(/^init\/Kconfig:47: error E_KCONFIG_PARSE: more than 1000000 macro references expanded/m);
      expect(r.r.stderr).toContain('features/f/patches/0001-f.patch');
      expect(Date.now() - started).toBeLessThan(60_000);
    } finally {
      rmSync(r.root, { recursive: true, force: true });
    }
  }, 90_000);

  it('Kconfig nested tens of thousands deep (parentheses, a select chain) is E_KCONFIG_PARSE naming the patch, exit 2, not an internal error', async () => {
    const parens = ['', 'config DEEP', '\tbool "deep"', `\tdepends on ${'('.repeat(100_000)}ALPHA${')'.repeat(100_000)}`];
    const chain = Array.from({ length: 20_000 }, (_, i) => [
      '',
      `config C${i}`,
      `\tbool "c${i}"`,
      '\tdefault y',
      `\tselect C${i + 1}`,
    ]).flat();
    for (const added of [parens, [...chain, '', 'config C20000', '\tbool']]) {
      const r = await composeWithPatch(added, '');
      try {
        expect(r.r.stderr).not.toContain('internal error');
        expect(r.r.exitCode, r.r.stderr).toBe(2);
        expect(r.r.stderr).toMatch(/^features\/f\/patches\/0001-f\.patch:\d+: error E_KCONFIG_PARSE: .*nest too deep.* \[feature f\]$/m);
      } finally {
        rmSync(r.root, { recursive: true, force: true });
      }
    }
  }, 90_000);

  it('a tree of symbolic links (cp -as): the files its own parse reads stay readable; a link it does not source stays refused', async () => {
    const farm = path.join(dir, 'farm');
    const link = (from: string, to: string) => {
      for (const name of readdirSync(from, { withFileTypes: true })) {
        const a = path.join(from, name.name);
        const b = path.join(to, name.name);
        if (name.isDirectory()) {
          mkdirSync(b, { recursive: true });
          link(a, b);
        } else symlinkSync(a, b);
      }
    };
    mkdirSync(farm);
    link(tree, farm);
    const outside = path.join(dir, 'outside-farm');
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'secret'), 'config LEAKED\n\tdef_bool y\n');
    symlinkSync(path.join(outside, 'secret'), path.join(farm, 'init', 'Kconfig.leak'));
    const added = await composeWithPatch(
      ['', 'config ADDED', '\tbool "added"', '\tdepends on ALPHA'],
      'CONFIG_ADDED=y\n',
      [],
      'init/Kconfig',
      farm,
    );
    const leak = await composeWithPatch(['', 'source "init/Kconfig.leak"'], '', [], 'init/Kconfig', farm);
    try {
      expect(added.r.exitCode, added.r.stderr).toBe(0);
      expect(readFileSync(path.join(added.out, 'kplay-x86_64.config'), 'utf8')).toMatch(/^CONFIG_ADDED=y$/m);
      expect(leak.r.exitCode, leak.r.stderr).toBe(2);
      expect(leak.r.stderr).toMatch(/^init\/Kconfig:\d+: error E_KCONFIG_PARSE: can't open file "init\/Kconfig.leak"/m);
    } finally {
      for (const x of [added, leak]) rmSync(x.root, { recursive: true, force: true });
      rmSync(farm, { recursive: true, force: true });
    }
  });
});
