import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findConfigSources, findKernelLocalSource } from '../../../src/bases/overlay/config-sources.js';
import { restrictExclusiveArch } from '../../../src/bases/overlay/exclusive-arch.js';
import { overlaySpec } from '../../../src/bases/overlay/overlay-spec.js';
import { expandMacros, readSpecMacros } from '../../../src/bases/overlay/spec-macros.js';
import { readSpecName, readSpecVersion } from '../../../src/bases/overlay/spec-sources.js';
import { ROOT_OF_REPO } from '../../support/fixture-repo.js';

const REAL = path.join(ROOT_OF_REPO, 'test/fixtures/dist-git/real');
const lines = async (rel: string) => (await readFile(path.join(REAL, rel), 'utf8')).split('\n');

describe('spec macros, expanded in process', () => {
  it('reads Name: %{package_name}, the version and the %{name}- config Sources of a real CentOS Stream 10 spec', async () => {
    const spec = await lines('c10s-hyperscale/kernel.spec');
    expect(readSpecName(spec)).toMatchObject({ name: 'kernel', raw: '%{package_name}' });
    expect(readSpecVersion(spec)).toBe('6.11.1');
    const macros = readSpecMacros(spec);
    const configs = findConfigSources(spec, 'kernel', 'rhel', macros);
    expect(configs.map((c) => c.file)).toEqual(
      expect.arrayContaining(['kernel-x86_64-rhel.config', 'kernel-x86_64-debug-rhel.config', 'kernel-aarch64-64k-rhel.config']),
    );
    expect(configs.every((c) => c.style === 'distribution')).toBe(true);
    expect(findKernelLocalSource(spec, 'kernel', macros)).toBe('kernel-local');
  });

  it('reads CentOS 8 Plus: Name: kernel-plus%{?variant}, Version: %{rpmversion}, plain %{name}-x86_64.config, no kernel-local', async () => {
    const spec = await lines('c8-plus/SPECS/kernel-plus.spec');
    expect(readSpecName(spec)).toMatchObject({ name: 'kernel-plus' });
    expect(readSpecVersion(spec)).toBe('4.18.0');
    const macros = readSpecMacros(spec);
    expect(findConfigSources(spec, 'kernel-plus', 'rhel', macros)).toEqual([
      { arch: 'x86_64', file: 'kernel-plus-x86_64.config', flavour: '', sourceNumber: 39, style: 'plain' },
    ]);
    expect(findKernelLocalSource(spec, 'kernel-plus', macros)).toBeUndefined();
  });

  it('expands %{?x}, %{!?x:...}, %{?x:...} and %name; unsafe or unknown constructs are problems, never guesses', () => {
    const m = readSpecMacros([
      '%global package_name kernel',
      '%define flavour -plus',
      '%define shell %(uname -r)',
      '%define lua %{lua: print("x")}',
      '%if 0',
      '%define two a',
      '%else',
      '%define two b',
      '%endif',
    ]);
    expect(expandMacros('%{package_name}%{?flavour}%{?nothing}', m)).toEqual({ ok: true, text: 'kernel-plus' });
    expect(expandMacros('%{!?nothing:none}%{?flavour:has}%%', m)).toEqual({ ok: true, text: 'nonehas%' });
    expect(expandMacros('%package_name-x', m)).toEqual({ ok: true, text: 'kernel-x' });
    for (const [text, problem] of [
      ['%(rm -rf /)', /shell expansion .* is not run/],
      ['%{shell}', /shell expansion/],
      ['%{lua}', /not (a plain macro|evaluated)/],
      ['%{undefined_one}', /%\{undefined_one\} is not defined by the spec/],
      ['%{two}', /defined more than once with different values/],
      ['%{expand:%{package_name}}', /built-in '%\{expand:...\}' is not evaluated/],
      ['%[1+1]', /expression .* is not evaluated/],
    ] as const) {
      const r = expandMacros(text, m);
      expect(r.ok, text).toBe(false);
      if (!r.ok) expect(r.problem, text).toMatch(problem);
    }
  });

  it('a Name: kplay cannot expand is E_OVERLAY_SPEC_MACRO, and nothing is edited', () => {
    const spec = [
      '%define shellname %(echo kernel)',
      'Name: %{shellname}',
      '# define buildid .local',
      'Patch999999: linux-kernel-test.patch',
      'ApplyOptionalPatch()',
      '{',
      '}',
      'ApplyOptionalPatch linux-kernel-test.patch',
      '%changelog',
      '',
    ].join('\n');
    const r = overlaySpec(
      spec,
      { variantName: 'pg', buildid: '.pg', patches: [], without: [], changelog: { date: 'Thu Jan 01 1970', author: 'a <a@b>', lines: [] } },
      'kernel.spec',
    );
    expect(r.findings.map((f) => f.code)).toEqual(['E_OVERLAY_SPEC_MACRO']);
    expect(r.findings[0]!.message).toMatch(/cannot read the package name 'Name: %\{shellname\}': shell expansion/);
    expect(r.text).toBe(spec);
  });

  it('ExclusiveArch is restricted to the variant arches (noarch kept), macros kplay cannot expand dropped', async () => {
    const spec = (await lines('c9/SPECS/kernel.spec')).join('\n');
    const r = restrictExclusiveArch(spec, ['x86_64', 'aarch64'], readSpecMacros(spec.split('\n')));
    expect(r.changes.map((c) => c.to)).toEqual(['noarch x86_64 aarch64', 'noarch x86_64 aarch64']);
    expect(r.changes[0]!.from).toBe('noarch x86_64 s390x %{arm} aarch64 ppc64le');
    expect(restrictExclusiveArch(r.text, ['x86_64', 'aarch64'], readSpecMacros([])).changes).toEqual([]);
    expect(r.excluded).toEqual([]);
  });

  it('keeps a macro that may hold a variant arch, and names variant arches no ExclusiveArch line lists', () => {
    const none = readSpecMacros([]);
    expect(restrictExclusiveArch('ExclusiveArch: x86_64 %{power64} %{ix86} s390x', ['x86_64', 'ppc64le'], none)).toMatchObject({
      text: 'ExclusiveArch: x86_64 %{power64}',
      excluded: [],
    });
    expect(restrictExclusiveArch('ExclusiveArch: noarch x86_64 %{arm}', ['x86_64', 'riscv64'], none)).toMatchObject({
      text: 'ExclusiveArch: noarch x86_64',
      excluded: ['riscv64'],
    });
    expect(restrictExclusiveArch('Name: kernel', ['x86_64'], none)).toMatchObject({
      changes: [],
      buildsOnlyVariantArches: false,
      excluded: [],
    });
  });
});
