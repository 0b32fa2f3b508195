import { afterEach, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/findings/report.js';
import { EXIT_INTERNAL, reportInternalError } from '../../src/findings/exit-code.js';
import { UsageError } from '../../src/findings/finding.js';

const saved = { exitCode: process.exitCode, debug: process.env.KPLAY_DEBUG };
afterEach(() => {
  process.exitCode = saved.exitCode;
  if (saved.debug === undefined) delete process.env.KPLAY_DEBUG;
  else process.env.KPLAY_DEBUG = saved.debug;
});

describe('exit 3 means a bug in kplay, 2 always the input', () => {
  it('an unexpected exception in a command exits 3 with one line and no stack', async () => {
    delete process.env.KPLAY_DEBUG;
    const lines: string[] = [];
    const stack = reportInternalError(new TypeError('boom'), (s) => lines.push(s));
    expect(stack).toBe(EXIT_INTERNAL);
    expect(lines.join('')).toMatch(/^kplay: internal error: boom\nkplay: this is a bug in kplay/);
    expect(lines.join('')).not.toMatch(/\n\s+at /);
    await runCommand(() => Promise.reject(new Error('unexpected')));
    expect(process.exitCode).toBe(3);
  });

  it('the stack is printed only with KPLAY_DEBUG', () => {
    process.env.KPLAY_DEBUG = '1';
    const lines: string[] = [];
    reportInternalError(new Error('boom'), (s) => lines.push(s));
    expect(lines.join('')).toMatch(/\n\s+at /);
  });

  it('a UsageError (bad input) exits 2', async () => {
    await runCommand(() => Promise.reject(new UsageError('bad input')));
    expect(process.exitCode).toBe(2);
  });
});
