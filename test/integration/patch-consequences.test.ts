/**
 * Causes before consequences: a feature patch adds `config NEWDRV` to Kconfig and a line to a
 * Makefile; its Makefile hunk does not match the base, so the whole patch is not applied and the
 * feature's CONFIG_NEWDRV=m has nothing to set. The user gets ONE error (the patch), with the
 * unknown symbol as a note under it, and a hunk message that names the hunk's own line. ~3 s.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeFixtureRepo, variantYaml } from '../support/fixture-repo.js';
import { runKplay } from '../support/run-kplay.js';
import { tempDir } from '../support/temp-dir.js';

async function tinyTree(): Promise<string> {
  const dir = await tempDir('kplay-tiny-tree-');
  const files: Record<string, string> = {
    Makefile: 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 192\nEXTRAVERSION =\nNAME = Fixture\n',
    Kconfig:
      'mainmenu "Linux"\n\nconfig MODULES\n\tbool "modules"\n\tdefault y\n\tmodules\n\nconfig NET\n\tbool "net"\n\tdefault y\n\nsource "arch/$(SRCARCH)/Kconfig"\n',
    'arch/x86/Kconfig': 'config X86\n\tdef_bool y\n',
    'arch/x86/configs/x86_64_defconfig': 'CONFIG_NET=y\n',
    'drivers/Makefile': Array.from({ length: 40 }, (_, i) => `obj-$(CONFIG_D${i}) += d${i}/\n`).join(''),
  };
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
  }
  return dir;
}

const PATCH = [
  'From: kplay test',
  'Subject: [PATCH] add newdrv',
  '',
  '--- a/Kconfig',
  '+++ b/Kconfig',
  '@@ -10,3 +10,7 @@ config NET',
  ' \tdefault y',
  ' ',
  ' source "arch/$(SRCARCH)/Kconfig"',
  '+',
  '+config NEWDRV',
  '+\ttristate "new driver"',
  '+\tdepends on NET',
  '--- a/drivers/Makefile',
  '+++ b/drivers/Makefile',
  '@@ -38,3 +38,4 @@',
  ' obj-$(CONFIG_D37) += d37/',
  ' obj-$(CONFIG_D38) += d38/',
  ' obj-$(CONFIG_D39) += d39-renamed/',
  '+obj-$(CONFIG_NEWDRV) += newdrv/',
  '',
].join('\n');

describe('a patch that does not apply: one error, its consequences as notes', () => {
  it('folds E_KCONFIG_UNKNOWN for the symbol the patch adds under E_PATCH_APPLY', async () => {
    const tree = await tinyTree();
    const root = await makeFixtureRepo({
      'variants/v.yml': variantYaml({ features: ['newdrv'] }),
      'features/newdrv/feature.yml': 'summary: a new driver\n',
      'features/newdrv/config': 'CONFIG_NEWDRV=m\n',
      'features/newdrv/patches/0001-add-newdrv.patch': PATCH,
    });
    const r = await runKplay(['compose', 'variants/v.yml', '--kernel-source', tree, '--json'], { cwd: root });
    expect(r.exitCode, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as {
      findings: Array<{ code: string; severity: string; message: string; related?: Array<{ message: string }> }>;
    };
    const errors = report.findings.filter((f) => f.severity === 'error');
    expect(errors.map((f) => f.code)).toEqual(['E_PATCH_APPLY']);
    expect(errors[0]!.message).toContain('the hunk at line 38 (@@ -38) did not match: line 40 should be');
    expect(errors[0]!.message).toMatch(/nearest match: lines 38–40 \(2 of 3 lines agree\)/);
    expect(errors[0]!.related?.some((n) => /follows from this patch not applying: E_KCONFIG_UNKNOWN.*NEWDRV/.test(n.message))).toBe(true);

    // the text form prints the consequence as a note under the one error
    const t = await runKplay(['compose', 'variants/v.yml', '--kernel-source', tree], { cwd: root });
    const errorLines = t.stderr.split('\n').filter((l) => / error [A-Z_]+:/.test(l));
    expect(errorLines).toHaveLength(1);
    expect(t.stderr).toMatch(/note: follows from this patch not applying: E_KCONFIG_UNKNOWN/);
  });
});
