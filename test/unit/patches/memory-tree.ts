import type { SourceTree } from '../../../src/sources/source-tree.js';

/** A kernel tree held in memory, for unit tests. */
export class MemoryTree implements SourceTree {
  readonly label = 'memory';
  readonly reads: string[] = [];
  constructor(private readonly files: Record<string, string>) {}
  readFile(relPath: string): Promise<Buffer | undefined> {
    this.reads.push(relPath);
    const text = this.files[relPath];
    return Promise.resolve(text === undefined ? undefined : Buffer.from(text, 'latin1'));
  }
}

/** Lines "line 1\n" .. "line n\n". */
export function numberedLines(n: number, prefix = 'line'): string {
  return Array.from({ length: n }, (_, i) => `${prefix} ${i + 1}\n`).join('');
}
