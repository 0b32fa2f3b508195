import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REDACTED, SecretRedactor } from '../../../src/submit/copr/secret-redactor.js';
import { propertyRuns } from '../../support/paths.js';

describe('SecretRedactor', () => {
  it('removes the token, its URL-encoded form and the Basic credential', () => {
    const r = new SecretRedactor().add('s3cr3t/+=token', 'me==');
    const basic = Buffer.from('me==:s3cr3t/+=token').toString('base64');
    const text = `a s3cr3t/+=token b ${encodeURIComponent('s3cr3t/+=token')} c Basic ${basic}`;
    expect(r.redact(text)).toBe(`a ${REDACTED} b ${REDACTED} c Basic ${REDACTED}`);
  });

  it('leaves no occurrence of the secret in any text (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 8, maxLength: 40 }), fc.array(fc.string(), { maxLength: 5 }), (secret, pieces) => {
        const r = new SecretRedactor().add(secret, 'login');
        const text = pieces.join(secret);
        expect(r.redact(text).includes(secret)).toBe(false);
      }),
      { numRuns: propertyRuns(500) },
    );
  });

  it("leaves no secret even when secret and text share the marker's letters (property)", () => {
    const letters = fc.constantFrom(...'<redacted>'.split(''));
    fc.assert(
      fc.property(
        fc.string({ unit: letters, minLength: 4, maxLength: 12 }),
        fc.string({ unit: letters, maxLength: 60 }),
        (secret, text) => {
          expect(new SecretRedactor().add(secret).redact(text).includes(secret)).toBe(false);
        },
      ),
      { numRuns: propertyRuns(2000) },
    );
  });

  it('never leaves a secret that overlaps the marker', () => {
    const r = new SecretRedactor().add('acted><r');
    expect(r.redact('xacted><racted><ry')).not.toContain('acted><r');
  });

  it('ignores secrets too short to redact safely', () => {
    expect(new SecretRedactor().add('ab').redact('abc')).toBe('abc');
  });
});
