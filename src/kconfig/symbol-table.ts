import { F_CHOICE, F_CONST, F_VALID, KSymbol, MOD, NO, YES } from './model.js';

const HASH_SIZE = 9973;

/** FNV-1a (32 bit) of a symbol name, as the reference implementation buckets symbols. */
function nameHash(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * Every symbol of a tree: named config symbols, constants (`"foo"`, `64`) and anonymous choices.
 * `all()` iterates in the order the reference `conf` tool visits symbols, which matters for the few
 * order-dependent corners of evaluation.
 */
export class SymbolTable {
  readonly yes: KSymbol;
  readonly mod: KSymbol;
  readonly no: KSymbol;
  private readonly named = new Map<string, KSymbol>();
  private readonly constants = new Map<string, KSymbol>();
  private readonly list: KSymbol[] = [];
  private ordered: KSymbol[] | null = null;
  private serial = 0;
  private hashBuckets = HASH_SIZE;

  /** Buckets of the reference tool's symbol hash table (9973 before Linux 6.11-ish, 16384 after). */
  get hashSize(): number {
    return this.hashBuckets;
  }
  set hashSize(n: number) {
    if (n !== this.hashBuckets) this.ordered = null;
    this.hashBuckets = n;
  }

  constructor() {
    this.yes = this.fixed('y', YES);
    this.mod = this.fixed('m', MOD);
    this.no = this.fixed('n', NO);
  }

  private fixed(name: string, tri: 0 | 1 | 2): KSymbol {
    const s = new KSymbol(name, F_CONST | F_VALID, -1);
    s.type = 'tristate';
    s.curr = { tri, val: name };
    return s;
  }

  private create(name: string | null, flags: number): KSymbol {
    const s = new KSymbol(name, flags, this.serial++);
    this.list.push(s);
    this.ordered = null;
    return s;
  }

  private single(name: string): KSymbol | undefined {
    if (name === 'y') return this.yes;
    if (name === 'm') return this.mod;
    if (name === 'n') return this.no;
    return undefined;
  }

  /** A non-constant symbol by name, created on first use. */
  lookup(name: string): KSymbol {
    const fixed = this.single(name);
    if (fixed) return fixed;
    let s = this.named.get(name);
    if (!s) {
      s = this.create(name, 0);
      this.named.set(name, s);
    }
    return s;
  }

  /** A quoted constant (`"x86"`), created on first use. */
  constant(name: string): KSymbol {
    const fixed = this.single(name);
    if (fixed) return fixed;
    let s = this.constants.get(name);
    if (!s) {
      s = this.create(name, F_CONST);
      this.constants.set(name, s);
    }
    return s;
  }

  /** A new choice symbol (named choices are looked up again by name). */
  choice(name: string | null): KSymbol {
    if (name) {
      for (const s of this.list) if (s.name === name && s.flags & F_CHOICE) return s;
    }
    return this.create(name, F_CHOICE);
  }

  /** Whether a symbol is a quoted/numeric constant of this table. */
  isConstant(sym: KSymbol): boolean {
    return sym.name !== null && this.constants.get(sym.name) === sym;
  }

  /** Symbols in creation order (the fixed y/m/n excluded). */
  get created(): readonly KSymbol[] {
    return this.list;
  }

  /** Re-create a symbol from a stored tree, in creation order (see tree-snapshot.ts). */
  restoreSymbol(name: string | null, kind: 'named' | 'constant' | 'choice', flags: number): KSymbol {
    const s = this.create(name, flags);
    if (kind === 'named') this.named.set(name!, s);
    else if (kind === 'constant') this.constants.set(name!, s);
    return s;
  }

  /** Restore `all()`'s order from a stored tree: indices into `created`. */
  restoreOrder(order: ArrayLike<number>): void {
    if (order.length !== this.list.length) throw new Error('symbol order does not match the symbols');
    this.ordered = Array.from(order, (i) => this.list[i]!);
  }

  /** A named, non-constant symbol if the tree mentions it. */
  find(name: string): KSymbol | undefined {
    return this.single(name) ?? this.named.get(name);
  }

  /** Named symbols (the ones a .config can set). */
  names(): IterableIterator<string> {
    return this.named.keys();
  }

  /** All symbols in the reference tool's iteration order (hash bucket, newest first). */
  all(): readonly KSymbol[] {
    if (!this.ordered) {
      const keyed = this.list.map((s) => ({ s, b: s.name === null ? 0 : nameHash(s.name) % this.hashBuckets }));
      keyed.sort((a, b) => a.b - b.b || b.s.serial - a.s.serial);
      this.ordered = keyed.map((k) => k.s);
    }
    return this.ordered;
  }
}
