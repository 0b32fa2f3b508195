/**
 * A file being patched, held as lines (latin1 strings, each with its '\n' except possibly the
 * last) plus the per-line state `git apply` keeps: a whitespace-blind hash used as a quick filter,
 * and whether the line was produced by an earlier hunk of the same section (such lines can never
 * be matched again, so overlapping hunks fail as they do with git).
 */
export class FileImage {
  readonly lines: string[];
  readonly hashes: number[];
  readonly patched: boolean[];

  constructor(lines: string[], patched?: boolean[]) {
    this.lines = lines;
    this.hashes = lines.map(lineHash);
    this.patched = patched ?? lines.map(() => false);
  }

  static fromText(text: string): FileImage {
    return new FileImage(splitLines(text));
  }

  get lineCount(): number {
    return this.lines.length;
  }

  text(): string {
    return this.lines.join('');
  }

  /** Byte offset of each line start, plus the total length at index lineCount. */
  offsets(): number[] {
    const out = new Array<number>(this.lines.length + 1);
    let o = 0;
    for (let i = 0; i < this.lines.length; i++) {
      out[i] = o;
      o += this.lines[i]!.length;
    }
    out[this.lines.length] = o;
    return out;
  }

  /** Replace `removeCount` lines at `at` with `insert`, marking the inserted lines as patched. */
  splice(at: number, removeCount: number, insert: readonly string[]): void {
    this.lines.splice(at, removeCount, ...insert);
    this.hashes.splice(at, removeCount, ...insert.map(lineHash));
    this.patched.splice(at, removeCount, ...insert.map(() => true));
  }
}

/** Lines with their terminators; the last line may lack one. Empty text has no lines. */
export function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** A hash that ignores whitespace (space, tab, CR, LF): lines equal up to whitespace collide. */
export function lineHash(line: string): number {
  let h = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    h = (Math.imul(h, 3) + c) >>> 0;
  }
  return h;
}
