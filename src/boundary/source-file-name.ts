import { foldToOneLine } from './control-characters.js';
import { RenderRefusal } from './render-refusal.js';

/**
 * A file name kplay writes, links or names in a `SourceN:` line: it reaches rpm's `%{SOURCEN}`
 * macro (expanded again at every use), unquoted shell lines of `%prep` and the file system. Only
 * a conservative alphabet: no `%`, `$`, quotes, whitespace, `/`, `..`, `#`, `?` or controls.
 */
export const SOURCE_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

/** A URL that may stand in a `SourceN:` line as it is: no `%`, quotes, whitespace or controls. */
export const SPEC_SAFE_URL = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[A-Za-z0-9._~:/?#@!&*+,;=()[\]-]+$/;

export function checkSourceFileName(name: string, what = 'file name'): string {
  if (!SOURCE_FILE_NAME.test(name) || name.includes('..') || name.length > 255) {
    throw new RenderRefusal(
      'E_SOURCE_NAME',
      `${what} '${name.slice(0, 80)}' is not a safe file name (letters, digits and . _ + - only, no '..')`,
      'name the file explicitly with file-name: next to the url',
    );
  }
  return name;
}

/**
 * The file name of a source: the one the variant gives (`file-name:`), else the URL's last path
 * segment exactly as rpm derives it (the text after the last `/`, query and fragment included,
 * never percent-decoded), refused unless it is a safe file name.
 */
export function sourceFileName(url: string, explicit: string | undefined, what = 'source'): string {
  if (url !== '') checkSourceUrl(url, what);
  if (explicit !== undefined) return checkSourceFileName(explicit, `${what} file-name`);
  const last = url.slice(url.lastIndexOf('/') + 1);
  try {
    return checkSourceFileName(last, `the file name '${last.slice(0, 80)}' taken from the ${what} URL`);
  } catch (err) {
    const r = err as RenderRefusal;
    throw new RenderRefusal(r.code, `${r.message}`, `give the file a safe name with file-name: (e.g. file-name: ${suggestName(last)})`);
  }
}

/** A source URL is one line of printable text that parses as a URL. */
export function checkSourceUrl(url: string, what = 'source'): string {
  // eslint-disable-next-line no-control-regex
  let ok = !/[\s\x00-\x1f\x7f\x85\u2028\u2029]/.test(url) && url.length <= 4096;
  if (ok) {
    try {
      new URL(url);
    } catch {
      ok = false;
    }
  }
  if (!ok) {
    const shown = foldToOneLine(url.slice(0, 80));
    throw new RenderRefusal(
      'E_SOURCE_URL',
      `the ${what} URL '${shown}' is not a valid URL of one line (no whitespace or control characters)`,
      'percent-encode spaces (%20) and remove line breaks',
    );
  }
  return url;
}

function suggestName(last: string): string {
  const cleaned = last
    .replace(/[?#].*$/, '')
    .replace(/[^A-Za-z0-9._+-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/\.\.+/g, '.');
  return cleaned || 'source.tar.xz';
}

/**
 * The value of a `SourceN:` line naming `fileName`: the URL when it is spec-safe and rpm derives
 * the same name from it (or from `URL#/name`), else the bare file name (the SRPM carries the file).
 */
export function sourceTagValue(url: string, fileName: string): string {
  checkSourceFileName(fileName);
  if (!SPEC_SAFE_URL.test(url) || url.length > 2048) return fileName;
  return url.slice(url.lastIndexOf('/') + 1) === fileName ? url : `${url}#/${fileName}`;
}
