/**
 * A file's permission bits carried with its data through a compose: dist-git scripts such as
 * `merge.pl`, `merge.py` or `generate_all_configs.sh` are committed executable and `%prep` runs
 * them as `./merge.pl`, so their mode must reach `out/` and the SRPM. The mode rides on the
 * Buffer itself, so every map of output files keeps it without changing its type.
 */
const MODE = Symbol.for('kplay.fileMode');

type WithMode = Buffer & { [MODE]?: number };

/** `data` marked with permission bits (only the 0o777 part is kept). */
export function withFileMode(data: Buffer, mode: number): Buffer {
  (data as WithMode)[MODE] = mode & 0o777;
  return data;
}

/** The permission bits a file is written with: the mode it carries, else 0755 for `*.sh`, else 0644. */
export function outputFileMode(name: string, content: Buffer | string): number {
  const carried = typeof content === 'string' ? undefined : (content as WithMode)[MODE];
  if (carried !== undefined) return carried;
  return name.endsWith('.sh') ? 0o755 : 0o644;
}
