import type { Finding, SourceLocation } from '../findings/finding.js';
import { RenderRefusal } from './render-refusal.js';
import { quotedExcerpt } from './control-characters.js';
import { specDependencyName, specDependencyVersion, type DependencyKind } from './spec-dependency.js';
import { rpmChangelogDate } from './rpm-date.js';
import { specChangelogText, specTag, specText } from './spec-text.js';
import { specShellWord, specToken, specTokenPath } from './spec-token.js';
import { sourceFileName, sourceTagValue } from './source-file-name.js';

/**
 * The rendering boundary: every user value that reaches a spec line, a shell line of the spec or
 * a file name passes through one of these methods. Each quotes the value for its context or
 * refuses it; a refusal becomes a finding located at the value's place in the YAML source, and
 * the rendered text is then never written (callers check `findings`).
 */
export class SpecBoundary {
  readonly findings: Finding[] = [];

  private guard<T>(where: SourceLocation | undefined, fallback: T, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (!(err instanceof RenderRefusal)) throw err;
      this.findings.push({
        code: err.code,
        severity: 'error',
        message: err.message,
        ...(where ? { where } : {}),
        ...(err.hint ? { hint: err.hint } : {}),
      });
      return fallback;
    }
  }

  /** Free text of several lines (%description). */
  text(value: string, where: SourceLocation | undefined, what?: string): string {
    return this.guard(where, '', () => specText(value, what));
  }

  /** A one-line value after a tag, in a comment or a changelog header. */
  tag(value: string, where?: SourceLocation): string {
    return this.guard(where, 'invalid', () => specTag(value));
  }

  /** A one-line tag value rpm requires to be non-empty (Summary:, a changelog author). */
  requiredTag(value: string, where: SourceLocation | undefined, what: string): string {
    return this.guard(where, 'invalid', () => {
      const v = specTag(value);
      if (v === '')
        throw new RenderRefusal(
          'E_SPEC_VALUE',
          `${what} is empty once line breaks and control characters are removed; rpm refuses an empty tag`,
        );
      return v;
    });
  }

  /** A changelog date (`2026-11-22`) in rpm's form; an impossible date (2026-13-45) is refused. */
  changelogDate(isoDate: string, where: SourceLocation | undefined): string {
    return this.guard(where, 'Thu Jan 01 1970', () => {
      const d = new Date(`${isoDate}T00:00:00Z`);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(isoDate) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== isoDate) {
        throw new RenderRefusal('E_SPEC_VALUE', `changelog date '${isoDate.slice(0, 20)}' is not a calendar date (YYYY-MM-DD)`);
      }
      return rpmChangelogDate(isoDate);
    });
  }

  /** A %changelog entry body. */
  changelog(value: string, where?: SourceLocation): string {
    return this.guard(where, '- invalid', () => specChangelogText(value));
  }

  /** A bare token: macro body, unquoted shell word, make target. */
  token(value: string, where: SourceLocation | undefined, what: string): string {
    return this.guard(where, 'invalid', () => specToken(value, what));
  }

  /** A bare relative path of tokens (a module folder). */
  tokenPath(value: string, where: SourceLocation | undefined, what: string): string {
    return this.guard(where, 'invalid', () => specTokenPath(value, what));
  }

  /** A single-quoted shell word. */
  shellWord(value: string, where: SourceLocation | undefined): string {
    return this.guard(where, "''", () => specShellWord(value));
  }

  /** A source's file name (explicit, else the URL's), as rpm and the file system will see it. */
  sourceFileName(url: string, explicit: string | undefined, where: SourceLocation | undefined, what?: string): string {
    return this.guard(where, 'invalid', () => sourceFileName(url, explicit, what));
  }

  /**
   * One dependency of a Requires/Supplements/Recommends line: `NAME`, `NAME OP EVR`, or one rich
   * dependency `(… if …)` in rpm's normal form.
   */
  dependency(value: string, where: SourceLocation | undefined, kind: DependencyKind, what: string): string {
    return this.guard(where, 'invalid', () => {
      const v = value.trim();
      if (v.startsWith('(')) return specDependencyName(v, what, kind);
      const m = /^(\S+)(?:[ \t]+(<|>|<=|>=|=)[ \t]+(\S+))?$/.exec(v);
      if (!m)
        throw new RenderRefusal('E_SPEC_VALUE', `${what} ${quotedExcerpt(value)} is not NAME, NAME OP VERSION or a rich dependency (…)`);
      return `${specDependencyName(m[1]!, what, kind)}${m[2] ? ` ${m[2]} ${specDependencyVersion(m[3]!, what)}` : ''}`;
    });
  }

  /** The value of a `SourceN:` line. */
  sourceTag(url: string, fileName: string, where: SourceLocation | undefined): string {
    return this.guard(where, 'invalid', () => sourceTagValue(url, fileName));
  }
}
