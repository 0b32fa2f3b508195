import { afterEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../../src/findings/finding.js';
import { runCommand } from '../../../src/findings/report.js';

describe('runCommand: how a command ends', () => {
  afterEach(() => {
    process.exitCode = undefined;
    vi.restoreAllMocks();
  });

  it('exits 2 for a usage error, 1 for a conflict, 3 (internal) for anything unexpected', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await runCommand(() => Promise.reject(new UsageError('bad input')));
    expect(process.exitCode).toBe(2);
    await runCommand(() => Promise.reject(new UsageError('does not fit', [], 1)));
    expect(process.exitCode).toBe(1);
    await runCommand(() => Promise.reject(new TypeError('a bug')));
    expect(process.exitCode).toBe(3);
    expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toContain('kplay: internal error: a bug');
  });
});
