/**
 * Escaping for values that came from users and end up in an RPM spec. RPM expands macros
 * everywhere in a spec, and `%(...)` runs a shell: every `%` a user wrote must become `%%`.
 */

/** A one-line tag value (Summary:, URL:, Source:): `%` doubled, line breaks folded to spaces. */
export function rpmTag(value: string): string {
  return rpmText(value.replace(/[\r\n]+/g, ' ').trim());
}

/** Free text (%description): `%` doubled; control characters other than newline and tab removed. */
export function rpmText(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '').replace(/%/g, '%%');
}

/**
 * A %changelog entry body: each line a `- ` item; `%` doubled; a line that would start with `*`
 * (which RPM reads as a new entry) is indented.
 */
export function rpmChangelogText(value: string): string {
  return rpmText(value)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => (l.startsWith('- ') ? l : `- ${l}`))
    .join('\n');
}

/** A word for a shell command inside a spec scriptlet: single-quoted, and `%` doubled for RPM. */
export function rpmShellWord(value: string): string {
  return `'${value.replace(/'/g, `'\\''`).replace(/%/g, '%%')}'`;
}

/** A file name kplay writes next to the spec: only characters safe in RPM, shell and URLs. */
export function safeFileName(value: string): string {
  return value.replace(/[^A-Za-z0-9._+-]+/g, '_').replace(/^[._]+/, '');
}
