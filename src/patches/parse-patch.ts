import type { Finding } from '../findings/finding.js';
import { at } from '../findings/finding.js';
import type { FilePatch, Hunk, HunkLine, ParsedPatch } from './patch-types.js';
import { gitHeaderDefaultName, isDevNull, readHeaderName, unsafePathReason, type HeaderName } from './patch-path-names.js';

/**
 * Parse a patch file: a git format-patch mail, `git diff` output or a plain unified diff.
 * Follows `git apply`'s reading rules (so a patch git refuses as corrupt is refused here too):
 * text before and between file sections is ignored, hunk bodies are read by their line counts,
 * a lone newline is an empty context line, `\ No newline at end of file` drops the newline of the
 * line before it. Unsafe paths and binary changes are refused with findings at the patch's line.
 */
export function parsePatch(text: Buffer | string, displayPath: string): { patch?: ParsedPatch; findings: Finding[] } {
  const parser = new PatchParser(typeof text === 'string' ? text : text.toString('latin1'), displayPath);
  return parser.parse();
}

class PatchError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly code: 'E_PATCH_CORRUPT' = 'E_PATCH_CORRUPT',
  ) {
    super(message);
  }
}

/** `@@ -a,b +c,d @@ section` */
function parseHunkHeader(
  line: string,
): { oldStart: number; oldLines: number; newStart: number; newLines: number; section: string } | undefined {
  if (!line.endsWith('\n')) return undefined;
  const m = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)\n$/s.exec(line);
  if (!m) return undefined;
  return {
    oldStart: Number(m[1]),
    oldLines: m[2] === undefined ? 1 : Number(m[2]),
    newStart: Number(m[3]),
    newLines: m[4] === undefined ? 1 : Number(m[4]),
    section: m[5]!.trim(),
  };
}

const gitHeaderKeys = [
  '@@ -',
  '--- ',
  '+++ ',
  'old mode ',
  'new mode ',
  'deleted file mode ',
  'new file mode ',
  'copy from ',
  'copy to ',
  'rename old ',
  'rename new ',
  'rename from ',
  'rename to ',
  'similarity index ',
  'dissimilarity index ',
  'index ',
] as const;

class PatchParser {
  private readonly lines: string[];
  /** Bytes from the start of line i to the end of the input. */
  private readonly remaining: number[];
  private p = 1;
  private pKnown = false;
  private readonly findings: Finding[] = [];

  constructor(
    text: string,
    private readonly file: string,
  ) {
    this.lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
    this.remaining = new Array<number>(this.lines.length + 1);
    this.remaining[this.lines.length] = 0;
    for (let i = this.lines.length - 1; i >= 0; i--) this.remaining[i] = this.remaining[i + 1]! + this.lines[i]!.length;
  }

  parse(): { patch?: ParsedPatch; findings: Finding[] } {
    const files: FilePatch[] = [];
    try {
      let i = 0;
      for (;;) {
        const header = this.findHeader(i);
        if (!header) break;
        const fp = header.fp;
        let j = header.end;
        while (j < this.lines.length && this.remaining[j]! > 4 && this.lines[j]!.startsWith('@@ -')) {
          const { hunk, next } = this.parseFragment(j, fp.hunks.length + 1);
          fp.hunks.push(hunk);
          j = next;
        }
        this.settleCreationAndDeletion(fp);
        if (fp.hunks.length === 0) j = this.readBinaryOrMetadataOnly(fp, j);
        files.push(fp);
        i = j;
      }
    } catch (err) {
      if (!(err instanceof PatchError)) throw err;
      this.findings.push({
        code: err.code,
        severity: 'error',
        message: err.message,
        where: at(this.file, err.line),
      });
      return { findings: this.findings };
    }
    if (files.length === 0) {
      this.findings.push({
        code: 'E_PATCH_EMPTY',
        severity: 'error',
        message: 'no file changes found: not a unified diff or git patch',
        where: at(this.file, 0),
      });
    }
    for (const fp of files) this.checkSafety(fp);
    if (this.findings.some((f) => f.severity === 'error')) return { findings: this.findings };
    return { patch: { file: this.file, subject: this.mailSubject(), files }, findings: this.findings };
  }

  /** The next file section starting at line `from`: a `diff --git` header or a `---`/`+++` pair. */
  private findHeader(from: number): { fp: FilePatch; end: number } | undefined {
    for (let k = from; k < this.lines.length; k++) {
      const line = this.lines[k]!;
      if (line.length < 6) continue;
      if (line.startsWith('@@ -') && parseHunkHeader(line)) {
        throw new PatchError(`hunk without a file header: ${line.trimEnd()}`, k + 1);
      }
      if (this.remaining[k]! < line.length + 6) break;
      if (line.startsWith('diff --git ')) {
        const parsed = this.parseGitHeader(k);
        if (parsed.end <= k + 1) continue;
        return parsed;
      }
      const next = this.lines[k + 1];
      if (!line.startsWith('--- ') || !next?.startsWith('+++ ')) continue;
      const third = this.lines[k + 2];
      if (!third || this.remaining[k]! < next.length + 14 || !third.startsWith('@@ -')) continue;
      return { fp: this.parseTraditionalHeader(k), end: k + 2 };
    }
    return undefined;
  }

  private newFilePatch(patchLine: number, git: boolean): FilePatch {
    return {
      isNew: git ? false : undefined,
      isDelete: git ? false : undefined,
      isRename: false,
      isCopy: false,
      binary: false,
      git,
      hunks: [],
      patchLine,
    };
  }

  private guessP(rest: string): number {
    if (isDevNull(rest)) return -1;
    const n = readHeaderName(rest, 0, 'traditional');
    if (!n.name) return -1;
    return n.name.includes('/') ? -1 : 0;
  }

  private parseTraditionalHeader(k: number): FilePatch {
    const first = this.lines[k]!.slice(4);
    const second = this.lines[k + 1]!.slice(4);
    if (!this.pKnown) {
      let p = this.guessP(first);
      const q = this.guessP(second);
      if (p < 0) p = q;
      if (p >= 0 && p === q) {
        this.p = p;
        this.pKnown = true;
      }
    }
    const fp = this.newFilePatch(k + 1, false);
    let name: HeaderName;
    if (isDevNull(first)) {
      fp.isNew = true;
      fp.isDelete = false;
      name = readHeaderName(second, this.p, 'traditional');
      fp.newPath = name.name;
      this.rememberRaw(fp, name, k + 2);
    } else if (isDevNull(second)) {
      fp.isNew = false;
      fp.isDelete = true;
      name = readHeaderName(first, this.p, 'traditional');
      fp.oldPath = name.name;
      this.rememberRaw(fp, name, k + 1);
    } else {
      const a = readHeaderName(first, this.p, 'traditional');
      name = readHeaderName(second, this.p, 'traditional');
      // git prefers the shorter name when the other only adds a suffix ("file.orig")
      if (a.name && name.name && name.name.length > a.name.length && name.name.startsWith(a.name)) name = a;
      if (!name.name) name = a.name ? a : name;
      this.rememberRaw(fp, a, k + 1);
      this.rememberRaw(fp, name, k + 2);
      if (hasEpochTimestamp(first)) {
        fp.isNew = true;
        fp.isDelete = false;
        fp.newPath = name.name;
      } else if (hasEpochTimestamp(second)) {
        fp.isNew = false;
        fp.isDelete = true;
        fp.oldPath = name.name;
      } else {
        fp.oldPath = name.name;
        fp.newPath = name.name;
      }
    }
    if (!name.name) throw new PatchError('cannot find a file name in the patch header', k + 1);
    return fp;
  }

  private readonly rawNames = new Map<FilePatch, Array<{ raw: string; name?: string; line: number }>>();

  private rememberRaw(fp: FilePatch, n: HeaderName, line: number): void {
    const list = this.rawNames.get(fp) ?? [];
    list.push({ raw: n.raw, name: n.name, line });
    this.rawNames.set(fp, list);
  }

  private parseGitHeader(k: number): { fp: FilePatch; end: number } {
    const fp = this.newFilePatch(k + 1, true);
    const def = gitHeaderDefaultName(this.lines[k]!.slice('diff --git '.length), this.p);
    if (def) this.rememberRaw(fp, def, k + 1);
    const defName = def?.name;
    let extensionLine = 0;
    let m = k + 1;
    scan: for (; m < this.lines.length; m++) {
      const line = this.lines[m]!;
      if (!line.endsWith('\n')) break;
      const key = gitHeaderKeys.find((key) => line.startsWith(key));
      const rest = key ? line.slice(key.length) : '';
      switch (key) {
        case '@@ -':
        case undefined:
          break scan;
        case '--- ':
          fp.oldPath = this.verifyGitName(fp, fp.oldPath, rest, fp.isNew === true, 'old', m);
          break;
        case '+++ ':
          fp.newPath = this.verifyGitName(fp, fp.newPath, rest, fp.isDelete === true, 'new', m);
          break;
        case 'old mode ':
          fp.oldMode = parseMode(rest, m);
          break;
        case 'new mode ':
          fp.newMode = parseMode(rest, m);
          break;
        case 'deleted file mode ':
          fp.isDelete = true;
          fp.oldPath = defName;
          fp.oldMode = parseMode(rest, m);
          break;
        case 'new file mode ':
          fp.isNew = true;
          fp.newPath = defName;
          fp.newMode = parseMode(rest, m);
          break;
        case 'copy from ':
        case 'rename old ':
        case 'rename from ': {
          const n = readHeaderName(rest, this.p ? this.p - 1 : 0, 'whole-line');
          this.rememberRaw(fp, n, m + 1);
          fp.oldPath = n.name;
          if (key === 'copy from ') fp.isCopy = true;
          else fp.isRename = true;
          break;
        }
        case 'copy to ':
        case 'rename new ':
        case 'rename to ': {
          const n = readHeaderName(rest, this.p ? this.p - 1 : 0, 'whole-line');
          this.rememberRaw(fp, n, m + 1);
          fp.newPath = n.name;
          if (key === 'copy to ') fp.isCopy = true;
          else fp.isRename = true;
          break;
        }
        case 'index ': {
          const mode = /^[0-9a-f]+\.\.[0-9a-f]+ (\S.*)\n$/.exec(line.slice(6));
          if (mode) fp.oldMode = parseMode(mode[1]! + '\n', m);
          break;
        }
        default:
          break; // similarity / dissimilarity index: informative only
      }
      const extensions = [fp.isDelete, fp.isNew, fp.isRename, fp.isCopy].filter((x) => x === true).length;
      if (extensions > 1) throw new PatchError(`inconsistent header lines ${extensionLine || m + 1} and ${m + 1}`, m + 1);
      if (extensions && !extensionLine) extensionLine = m + 1;
    }
    if (!fp.oldPath && !fp.newPath) {
      if (!defName) throw new PatchError('git diff header lacks file name information', k + 1);
      fp.oldPath = defName;
      fp.newPath = defName;
    }
    if ((!fp.newPath && !fp.isDelete) || (!fp.oldPath && !fp.isNew)) {
      throw new PatchError('git diff header lacks file name information', k + 1);
    }
    return { fp, end: m };
  }

  private verifyGitName(
    fp: FilePatch,
    current: string | undefined,
    rest: string,
    isNull: boolean,
    side: 'old' | 'new',
    m: number,
  ): string | undefined {
    const n = readHeaderName(rest, this.p, 'git');
    if (!current && !isNull) {
      this.rememberRaw(fp, n, m + 1);
      return n.name;
    }
    if (current) {
      if (isNull) throw new PatchError(`bad git diff: expected /dev/null, got ${current}`, m + 1);
      if (n.name !== current) throw new PatchError(`bad git diff: inconsistent ${side} file name`, m + 1);
      return current;
    }
    if (!isDevNull(rest)) throw new PatchError('bad git diff: expected /dev/null', m + 1);
    return current;
  }

  /** One hunk starting at its `@@` line; returns it and the line after it. */
  private parseFragment(j: number, index: number): { hunk: Hunk; next: number } {
    const header = parseHunkHeader(this.lines[j]!);
    if (!header) throw new PatchError(`malformed hunk header: ${this.lines[j]!.trimEnd()}`, j + 1);
    let oldLeft = header.oldLines;
    let newLeft = header.newLines;
    let leading = 0;
    let trailing = 0;
    let added = 0;
    let deleted = 0;
    let k = j + 1;
    for (; k < this.lines.length; k++) {
      if (!oldLeft && !newLeft) break;
      const line = this.lines[k]!;
      if (!line.endsWith('\n')) throw new PatchError('hunk ends in the middle of a line', k + 1);
      switch (line[0]) {
        case '\n':
        case ' ':
          oldLeft--;
          newLeft--;
          if (!deleted && !added) leading++;
          trailing++;
          break;
        case '-':
          deleted++;
          oldLeft--;
          trailing = 0;
          break;
        case '+':
          added++;
          newLeft--;
          trailing = 0;
          break;
        case '\\':
          if (line.length < 12 || !line.startsWith('\\ ')) throw new PatchError(`corrupt hunk line: ${line.trimEnd()}`, k + 1);
          break;
        default:
          throw new PatchError(
            `corrupt hunk: line ${k + 1} is neither context, removal nor addition (hunk #${index} header at line ${j + 1} announces more lines than it has)`,
            k + 1,
          );
      }
    }
    if (oldLeft || newLeft) {
      throw new PatchError(
        `corrupt hunk #${index}: the patch ends before the ${header.oldLines}/${header.newLines} lines its header announces`,
        j + 1,
      );
    }
    if (!deleted && !added) throw new PatchError(`corrupt hunk #${index}: it changes nothing`, j + 1);
    if (k < this.lines.length && this.remaining[k]! > 12 && this.lines[k]!.startsWith('\\ ')) k++;

    const lines: HunkLine[] = [];
    for (let t = j + 1; t < k; t++) {
      const line = this.lines[t]!;
      const noNewline = t + 1 < k && this.lines[t + 1]!.startsWith('\\');
      const first = line[0];
      if (first === '\\') continue;
      if (first === '\n') {
        if (!noNewline) lines.push({ kind: ' ', text: '\n' });
        continue;
      }
      let text = line.slice(1);
      if (noNewline) text = text.slice(0, -1);
      lines.push({ kind: first as HunkLine['kind'], text });
    }
    const hunk: Hunk = { index, patchLine: j + 1, ...header, leading, trailing, lines };
    return { hunk, next: k };
  }

  /** git's rules for traditional diffs that did not say whether they create or delete. */
  private settleCreationAndDeletion(fp: FilePatch): void {
    const oldLines = fp.hunks.reduce((n, h) => n + h.oldLines, 0);
    const newLines = fp.hunks.reduce((n, h) => n + h.newLines, 0);
    const several = fp.hunks.length > 1;
    if (fp.isNew === undefined && (oldLines || several)) fp.isNew = false;
    if (fp.isDelete === undefined && (newLines || several)) fp.isDelete = false;
    if (fp.isNew === true && oldLines) throw new PatchError(`new file ${fp.newPath} depends on old contents`, fp.patchLine);
    if (fp.isDelete === true && newLines) throw new PatchError(`deleted file ${fp.oldPath} still has contents`, fp.patchLine);
  }

  /** A section without hunks: a binary change, a metadata-only change, or garbage. */
  private readBinaryOrMetadataOnly(fp: FilePatch, j: number): number {
    const line = this.lines[j] ?? '';
    if (line === 'GIT binary patch\n') {
      fp.binary = true;
      let k = j + 1;
      // one or two blocks ("literal N" / "delta N", data lines, a blank line)
      for (let block = 0; block < 2 && k < this.lines.length && /^(literal|delta) \d+\n$/.test(this.lines[k]!); block++) {
        k++;
        while (k < this.lines.length && this.lines[k] !== '\n') k++;
        k++;
      }
      return k;
    }
    if (line.endsWith(' differ\n') && (line.startsWith('Binary files ') || line.startsWith('Files '))) {
      fp.binary = true;
      return j + 1;
    }
    const modeChange = fp.oldMode !== undefined && fp.newMode !== undefined && fp.oldMode !== fp.newMode;
    if (!(fp.isRename || fp.isCopy || fp.isNew === true || fp.isDelete === true || modeChange)) {
      throw new PatchError('file header without any change (patch with only garbage)', fp.patchLine);
    }
    return j;
  }

  private checkSafety(fp: FilePatch): void {
    // mode 120000: the "file" is a symbolic link whose target is the content, possibly outside the tree
    if (fp.newMode !== undefined && (fp.newMode & 0o170000) === 0o120000) {
      this.findings.push({
        code: 'W_PATCH_SYMLINK',
        severity: 'warning',
        message: `the patch makes ${fp.newPath ?? fp.oldPath} a symbolic link (mode 120000); check where it points`,
        where: at(this.file, fp.patchLine),
        hint: 'a link in the kernel tree can point outside it at build time; prefer a real file',
      });
    }
    if (fp.binary) {
      this.findings.push({
        code: 'E_PATCH_BINARY',
        severity: 'error',
        message: `binary change to ${fp.newPath ?? fp.oldPath}: kplay applies text patches only`,
        where: at(this.file, fp.patchLine),
        hint: 'ship binary files (firmware, images) as sources of the feature instead of inside a patch',
      });
    }
    const seen = new Set<string>();
    for (const r of this.rawNames.get(fp) ?? []) {
      const reason = unsafePathReason(r.raw, r.name);
      const key = r.name ?? r.raw;
      if (!reason || seen.has(key)) continue;
      seen.add(key);
      this.findings.push({
        code: 'E_PATCH_UNSAFE_PATH',
        severity: 'error',
        message: `path "${Buffer.from(r.raw, 'latin1').toString('utf8')}" ${reason}: a patch may only change files inside the kernel source tree`,
        where: at(this.file, r.line),
      });
    }
  }

  private mailSubject(): string | undefined {
    for (let i = 0; i < this.lines.length; i++) {
      const line = this.lines[i]!;
      if (line === '\n' || line.startsWith('diff ') || line.startsWith('--- ')) return undefined;
      if (!line.startsWith('Subject: ')) continue;
      let subject = line.slice(9).replace(/\n$/, '');
      for (let k = i + 1; k < this.lines.length && /^[ \t]/.test(this.lines[k]!); k++) {
        subject += ' ' + this.lines[k]!.trim();
      }
      subject = subject.replace(/^\[[^\]]*\]\s*/, '').trim();
      return Buffer.from(subject, 'latin1').toString('utf8');
    }
    return undefined;
  }
}

function parseMode(rest: string, m: number): number {
  const match = /^([0-7]+)\s/.exec(rest);
  if (!match) throw new PatchError(`invalid mode: ${rest.trimEnd()}`, m + 1);
  return parseInt(match[1]!, 8);
}

/** GNU diff marks a created or deleted side with the epoch as its timestamp. */
function hasEpochTimestamp(nameLine: string): boolean {
  const tab = nameLine.lastIndexOf('\t');
  if (tab < 0) return false;
  const m = /^(1969-12-31|1970-01-01) ([0-2]\d):([0-5]\d):00(\.0+)? ([-+])([0-2]\d):?([0-5]\d)\n$/.exec(nameLine.slice(tab + 1));
  if (!m) return false;
  const epochHour = m[1] === '1969-12-31' ? 24 : 0;
  let zone = Number(m[6]) * 60 + Number(m[7]);
  if (m[5] === '-') zone = -zone;
  return Number(m[2]) * 60 + Number(m[3]) - zone === epochHour * 60;
}
