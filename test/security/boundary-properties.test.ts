import { execa } from 'execa';
import fc from 'fast-check';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConfigString } from '../../src/boundary/config-string.js';
import { RenderRefusal } from '../../src/boundary/render-refusal.js';
import { shellQuote, shellWord } from '../../src/boundary/shell-quote.js';
import { checkSourceFileName } from '../../src/boundary/source-file-name.js';

/**
 * Properties of the rendering boundary on random hostile strings (fast-check): whatever the
 * string, the shell reads a quoted value back as exactly that one word, a file name the boundary
 * accepts cannot leave its folder or carry a macro or shell character, and a config string it
 * accepts is one line. The oracles are the real sh and path.resolve, not a re-implementation.
 */
const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom("'", "'\\''", '$(touch x)', '`id`', '%(id)', '%{lua:x}', '\n%post\n', '../..', '-rf', ' a b ', '"', '\\', '*', '~root'),
  fc
    .array(fc.constantFrom("'", '"', '$', '`', '\\', '\n', ' ', '%', '(', ')', '{', '}', ';', '|', '&', 'a', '.', '/', '*'), {
      maxLength: 24,
    })
    .map((a) => a.join('')),
);
// a command-line argument cannot hold NUL: the property is about every other string
const arg = hostile.map((s) => s.replace(/\0/g, ''));

describe('shell quoting: sh reads back exactly the value, as one word', () => {
  it('shellQuote and shellWord, 300 random hostile values per run through one real sh', async () => {
    const values = fc.sample(arg, { numRuns: 300, seed: Date.now() % 100000 });
    for (const quote of [shellQuote, shellWord]) {
      const script = `for a in ${values.map(quote).join(' ')}; do printf '%s\\0' "$a"; done`;
      const r = await execa('sh', ['-c', script], { stripFinalNewline: false, env: { PATH: '/usr/bin:/bin' }, cwd: '/' });
      expect(r.stdout.split('\0').slice(0, -1)).toEqual(values);
    }
  });
});

describe('source file names: accepted means inside the folder, no macro, no shell character', () => {
  it('holds for random names', () => {
    fc.assert(
      fc.property(arg, (name) => {
        let accepted: string;
        try {
          accepted = checkSourceFileName(name);
        } catch (err) {
          expect(err).toBeInstanceOf(RenderRefusal);
          return;
        }
        expect(path.resolve('/srv/out', accepted).startsWith('/srv/out/')).toBe(true);
        expect(accepted).not.toMatch(/[%$`'"\\\s/;|&(){}*?~]/);
        expect(accepted).toBe(name);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('config strings: accepted means one line, as given', () => {
  it('holds for random values', () => {
    fc.assert(
      fc.property(arg, (value) => {
        let accepted: string;
        try {
          accepted = checkConfigString('LOCALVERSION', value);
        } catch (err) {
          expect(err).toBeInstanceOf(RenderRefusal);
          return;
        }
        const lineBreakers = [...accepted].filter((ch) => {
          const c = ch.codePointAt(0)!;
          return c < 0x20 || c === 0x7f || c === 0x2028 || c === 0x2029;
        });
        expect(lineBreakers).toEqual([]);
        expect(accepted).toBe(value);
      }),
      { numRuns: 2000 },
    );
  });
});
