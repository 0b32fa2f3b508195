/**
 * Escaping for values that came from users and end up in an RPM spec: thin names over the
 * rendering boundary (src/boundary/), kept for the callers that use them.
 */
import { specChangelogText, specShellWord, specTag, specText } from '../boundary/index.js';

/** A one-line tag value (Summary:, URL:, a comment): `%` doubled, line breaks folded to spaces. */
export function rpmTag(value: string): string {
  return specTag(value);
}

/** Free text (%description): `%` doubled; throws RenderRefusal for a line rpm would read as syntax. */
export function rpmText(value: string): string {
  return specText(value);
}

/** A %changelog entry body: each line a `- ` item; `%` doubled. */
export function rpmChangelogText(value: string): string {
  return specChangelogText(value);
}

/** A word for a shell command inside a spec scriptlet: single-quoted, and `%` doubled for RPM. */
export function rpmShellWord(value: string): string {
  return specShellWord(value);
}

/** A file name kplay writes next to the spec: only characters safe in RPM, shell and URLs. */
export function safeFileName(value: string): string {
  return value
    .replace(/[^A-Za-z0-9._+-]+/g, '_')
    .replace(/^[._]+/, '')
    .replace(/\.\.+/g, '.');
}
