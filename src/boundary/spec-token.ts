import { RenderRefusal } from './render-refusal.js';
import { doublePercent } from './spec-text.js';

/**
 * Values rendered bare: into a macro body (`%global krelease 1.x`, which rpm expands again at every
 * use, so no quoting survives), an unquoted shell word of a scriptlet (`%setup -n linux-6.1`,
 * `tar ... linux-6.1/drivers`), a make target. Only a conservative alphabet is accepted; there is
 * nothing to quote because nothing special can appear.
 */
export const TOKEN = /^[A-Za-z0-9_][A-Za-z0-9._+~^-]*$/;

/** A path of tokens (`drivers/net/wireguard`): no empty, `.` or `..` segment, no leading `/`. */
export const TOKEN_PATH = /^[A-Za-z0-9_][A-Za-z0-9._+~^-]*(\/[A-Za-z0-9_][A-Za-z0-9._+~^-]*)*$/;

export function specToken(value: string, what: string): string {
  // rpm refuses '..' in Name, Version and Release ("Illegal sequence")
  if (!TOKEN.test(value) || value.includes('..') || value.length > 255) {
    throw new RenderRefusal(
      'E_SPEC_VALUE',
      `${what} '${value.slice(0, 60)}' may hold only letters, digits and . _ + ~ ^ - and no '..' (it is rendered bare into the spec)`,
    );
  }
  return value;
}

export function specTokenPath(value: string, what: string): string {
  if (!TOKEN_PATH.test(value) || value.split('/').some((s) => s === '.' || s === '..') || value.length > 4096) {
    throw new RenderRefusal(
      'E_SPEC_VALUE',
      `${what} '${value.slice(0, 60)}' may hold only letters, digits, / and . _ + ~ ^ - (it is rendered bare into the spec)`,
    );
  }
  return value;
}

/** A word for a shell command inside a spec scriptlet: single-quoted, `%` doubled for rpm. */
export function specShellWord(value: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f\x85\u2028\u2029]/.test(value)) {
    throw new RenderRefusal('E_SPEC_VALUE', 'a shell word of the spec may not hold control characters or line breaks');
  }
  return `'${doublePercent(value.replace(/'/g, `'\\''`))}'`;
}
