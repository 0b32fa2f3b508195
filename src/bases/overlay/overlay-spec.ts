import type { Finding, SourceLocation } from '../../findings/finding.js';
import { CHANGELOG_MARK, overlayBlock, stripOverlayBlocks } from './overlay-markers.js';
import { lastDistributionApply } from './apply-anchor.js';
import { readSpecMacros } from './spec-macros.js';
import { readSpecName, readSpecSources, sourceFileName } from './spec-sources.js';

/** What an overlay adds to a distribution spec. Every text here is RPM-escaped already. */
export interface SpecOverlayPlan {
  variantName: string;
  /** `.playground`: becomes `%define buildid .playground`. */
  buildid: string;
  /** Patch files in the order they apply. */
  patches: Array<{ file: string; feature: string }>;
  /** New package name. */
  rename?: string;
  /** Build switches baked in with `%global _without_<x> 1`. */
  without: string[];
  changelog: { date: string; author: string; lines: string[] };
}

export interface SpecOverlayResult {
  text: string;
  /** The package name after the overlay (the spec file must be called `<name>.spec`). */
  name: string;
  /** The package name the distribution's files use (`kernel`). */
  originalName: string;
  /** Source file renames the overlay needs: distribution file name → output file name. */
  renamedSources: Map<string, string>;
  findings: Finding[];
}

const BUILDID_LINE = /^(#\s*|%)(define|global)\s+buildid(\s|$)/;
const ACTIVE_BUILDID = /^%(define|global)\s+buildid\s+(\S+)\s*$/;
const PATCH_LINE = /^Patch(\d+)\s*:/;
const TEST_PATCH_LINE = /^Patch\d+:\s*linux-kernel-test\.patch\s*$/;
const TEST_APPLY_LINE = /^ApplyOptionalPatch\s+linux-kernel-test\.patch\s*$/;

/**
 * Overlay a distribution kernel spec (Fedora dist-git, CentOS Stream) without rewriting it: every
 * edit finds its anchor by pattern, never by line or Source number. Lines from an earlier overlay
 * are removed first, so overlaying an overlaid spec gives the same text. A missing anchor is an
 * E_OVERLAY_ANCHOR_MISSING finding naming it; the text is then returned unchanged.
 */
export function overlaySpec(specText: string, plan: SpecOverlayPlan, specFile: string): SpecOverlayResult {
  const findings: Finding[] = [];
  const at = (line: number): SourceLocation => ({ file: specFile, line: line + 1, col: 1 });
  const missing = (anchor: string, hint: string) =>
    findings.push({
      code: 'E_OVERLAY_ANCHOR_MISSING',
      severity: 'error',
      message: `the spec has no ${anchor}`,
      where: { file: specFile, line: 0, col: 0 },
      hint,
    });
  const trailingNewline = specText.endsWith('\n');
  const lines = stripOverlayBlocks(specText.replace(/\n$/, '').split('\n'));

  const nameLine = readSpecName(lines);
  // the distribution's own buildid (the last active definition), else its `# define buildid` comment
  const activeBuildid = lines.reduce((last, l, i) => (ACTIVE_BUILDID.test(l) ? i : last), -1);
  const buildidAt = activeBuildid >= 0 ? activeBuildid : lines.findIndex((l) => BUILDID_LINE.test(l));
  const testPatchAt = lines.findIndex((l) => TEST_PATCH_LINE.test(l));
  const testApplyAt = lines.findIndex((l) => TEST_APPLY_LINE.test(l));
  const changelogAt = lines.findIndex((l) => l.trim() === '%changelog');
  const hasApplyFunction = lines.some((l) => /^ApplyOptionalPatch\s*\(\)/.test(l));
  if (!nameLine) missing("'Name:' line", 'is this a kernel spec?');
  else if (nameLine.problem)
    findings.push({
      code: 'E_OVERLAY_SPEC_MACRO',
      severity: 'error',
      message: `cannot read the package name 'Name: ${nameLine.raw}': ${nameLine.problem}`,
      where: at(nameLine.line),
      hint: 'kplay expands %global/%define macros itself and never runs rpm on a dist-git spec',
    });
  if (buildidAt < 0)
    missing(
      "'# define buildid .local' line",
      "the distribution spec sets Release from %{?buildid}; add '# define buildid .local' near the top",
    );
  if (testPatchAt < 0) missing("'Patch999999: linux-kernel-test.patch' line", 'overlay patches are declared after it');
  if (testApplyAt < 0) missing("'ApplyOptionalPatch linux-kernel-test.patch' line", 'overlay patches are applied after it in %prep');
  if (!hasApplyFunction) missing('ApplyOptionalPatch() function', 'the %prep section of Fedora and CentOS Stream specs defines it');
  if (changelogAt < 0) missing("'%changelog' section", 'the overlay adds a changelog entry');
  const originalName = nameLine && !nameLine.problem ? nameLine.name : 'kernel';
  const macros = readSpecMacros(lines);
  const empty = { text: specText, name: originalName, originalName, renamedSources: new Map<string, string>(), findings };
  if (findings.length) return empty;
  if (!lines.some((l) => l.includes('%{?buildid}'))) {
    findings.push({
      code: 'W_OVERLAY_BUILDID_UNUSED',
      severity: 'warning',
      message: 'the spec never uses %{?buildid}: the Release will not show the variant',
      where: at(buildidAt),
    });
  }

  // Replacements (the same edit applied again gives the same line).
  const out = [...lines];
  // the distribution's buildid is extended, never replaced: %define buildid 1 -> 1.<yours> (Release 0.hs1.<yours>)
  const distributionBuildid = ACTIVE_BUILDID.exec(lines[buildidAt]!)?.[2] ?? '';
  const buildidBlock = overlayBlock('buildid', [`%define buildid ${distributionBuildid}${plan.buildid}`], lines[buildidAt]);
  const name = plan.rename ?? originalName;
  const renamedSources = new Map<string, string>();
  if (plan.rename && plan.rename !== originalName) {
    out[nameLine!.line] = out[nameLine!.line]!.replace(/^(Name:\s*)\S+/, `$1${plan.rename}`);
    for (const s of readSpecSources(lines)) {
      const file = sourceFileName(s.value, originalName, macros);
      if (!file) continue;
      if (/%\{\??name\}|%name\b/.test(s.value)) {
        renamedSources.set(file, sourceFileName(s.value, plan.rename, macros)!);
      } else if (file.startsWith(`${originalName}-`) && file.endsWith('.config')) {
        // a literal config Source: the %prep copies %{name}-*.config, so it follows the new name
        const renamed = `${plan.rename}${file.slice(originalName.length)}`;
        out[s.line] = out[s.line]!.replace(file, `%{name}${file.slice(originalName.length)}`);
        renamedSources.set(file, renamed);
      }
    }
    for (const provide of ['kernel-uname-r', 'kernel-devel-uname-r']) {
      if (!lines.some((l) => new RegExp(`Provides:\\s*${provide}\\s`).test(l))) {
        findings.push({
          code: 'W_OVERLAY_PROVIDES',
          severity: 'warning',
          message: `the renamed package does not provide ${provide}: kmods and tools built for the distribution kernel will not accept it`,
          where: at(nameLine!.line),
        });
      }
    }
  }

  // Insertions, bottom to top so earlier indices stay valid.
  const firstNumber = Math.max(0, ...lines.map((l) => Number(PATCH_LINE.exec(l)?.[1] ?? -1))) + 1;
  const changelog = overlayChangelog(plan);
  const inserts: Array<{ after: number; lines: string[]; replace?: boolean }> = [
    { after: changelogAt, lines: changelog },
    { after: buildidAt - 1, lines: buildidBlock, replace: true },
    // after the distribution's last patch application (CentOS Plus applies its own after the test patch)
    {
      after: lastDistributionApply(lines, testApplyAt),
      lines: plan.patches.length
        ? overlayBlock(
            `patches of ${plan.variantName}`,
            plan.patches.map((p) => `ApplyOptionalPatch ${p.file}`),
          )
        : [],
    },
    {
      after: testPatchAt,
      lines: plan.patches.length
        ? overlayBlock(
            `patches of ${plan.variantName}`,
            plan.patches.flatMap((p, i) => [`# ${p.feature}`, `Patch${firstNumber + i}: ${p.file}`]),
          )
        : [],
    },
    {
      after: -1,
      lines: plan.without.length
        ? overlayBlock(
            `build switches of ${plan.variantName}`,
            plan.without.map((w) => `%global _without_${w} 1`),
          )
        : [],
    },
  ];
  for (const ins of inserts.sort((a, b) => b.after - a.after)) out.splice(ins.after + 1, ins.replace ? 1 : 0, ...ins.lines);
  return { text: `${out.join('\n')}${trailingNewline ? '\n' : ''}`, name, originalName, renamedSources, findings };
}

function overlayChangelog(plan: SpecOverlayPlan): string[] {
  const features = [...new Set(plan.patches.map((p) => p.feature))];
  return [
    `* ${plan.changelog.date} ${plan.changelog.author} - %{version}-%{release}`,
    `${CHANGELOG_MARK} ${plan.variantName}${features.length ? `: patches of ${features.join(', ')}` : ''}`,
    ...plan.changelog.lines,
    '',
  ];
}
