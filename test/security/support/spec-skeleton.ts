import { execa } from 'execa';

/** Words that open a section naming a sub-package: kept with their argument. */
const NAMED = /^%(package|description|files|pre|post|preun|postun|pretrans|posttrans|preuntrans|postuntrans|verifyscript|trigger\w*|filetrigger\w*|transfiletrigger\w*)$/i;

/**
 * The skeleton of a spec as rpm reads it (`rpmspec -P` output, i.e. after macro expansion): every
 * line starting with `%` at column 1 (sections, scriptlets, file directives) and every
 * conditional line. Sections of sub-packages keep their name; others only their first word.
 * Two specs with the same skeleton have the same packages, sections and scriptlets.
 */
export function skeletonOf(parsed: string): string[] {
  return parsed
    .split('\n')
    .filter((l) => /^%[a-z]/i.test(l) || /^\s*%(if|else|endif|include|elif)/i.test(l))
    .map((l) => {
      const words = l.trim().split(/\s+/);
      return NAMED.test(words[0]!) ? words.slice(0, 2).join(' ') : words[0]!;
    });
}

/** `rpmspec -P` of one spec; fails with the package name when rpm is missing. */
export async function rpmspecParse(spec: string): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  try {
    const r = await execa('rpmspec', ['-P', spec], { reject: false, timeout: 60_000 });
    return { ok: r.exitCode === 0, stdout: String(r.stdout), stderr: String(r.stderr) };
  } catch (err) {
    throw new Error(`rpmspec is needed (Debian package rpm): ${(err as Error).message}`, { cause: err });
  }
}
