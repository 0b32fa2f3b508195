/**
 * The progress renderer on a fake stream and a fake clock: a terminal gets one line redrawn in
 * place and a closing line for slow steps; a log gets plain lines only for steps that last;
 * control characters from names never reach the stream raw.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createProgressRenderer } from '../../../src/cli/progress-renderer.js';
import { setProgressSink, withStep } from '../../../src/progress/progress.js';

function fakeStream() {
  const chunks: string[] = [];
  return { chunks, stream: { write: (s: string) => (chunks.push(s), true), columns: 60 } };
}

describe('progress renderer', () => {
  let clock = 0;
  beforeEach(() => {
    vi.useFakeTimers();
    clock = 0;
  });
  afterEach(() => {
    vi.useRealTimers();
    setProgressSink(undefined);
  });
  const now = () => clock;
  const advance = (ms: number) => {
    clock += ms;
    vi.advanceTimersByTime(ms);
  };

  it('on a terminal: redraws the running step with its time, then keeps a ✔ line for a slow step', () => {
    const { chunks, stream } = fakeStream();
    const r = createProgressRenderer({ stream, terminal: true, now });
    const step = r.start('Kconfig x86_64: reading the Kconfig tree of /usr/src/linux-source-6.12.tar.xz');
    step.update('412 MB');
    advance(1500);
    const drawn = chunks.join('');
    expect(drawn).toMatch(/\(1\.\d s\)/); // the time is never cut off, even on a narrow terminal
    expect(drawn).toContain('\r\u001b[K');
    step.done('Kconfig x86_64: resolved');
    expect(chunks.join('')).toContain('✔ Kconfig x86_64: resolved (1.5 s)\n');
    r.stop();
  });

  it('in a log: nothing for a quick step, a start and an end line for one that lasts', () => {
    const { chunks, stream } = fakeStream();
    const r = createProgressRenderer({ stream, terminal: false, now });
    r.start('quick').done();
    advance(5000);
    expect(chunks).toEqual([]);
    const slow = r.start('patches: applying 3 to linux.tar.xz');
    advance(1200);
    slow.done();
    expect(chunks).toEqual(['kplay: patches: applying 3 to linux.tar.xz…\n', 'kplay: done: patches: applying 3 to linux.tar.xz (1.2 s)\n']);
    r.stop();
  });

  it('escapes control characters from titles (file names, server messages)', () => {
    const { chunks, stream } = fakeStream();
    const r = createProgressRenderer({ stream, terminal: false, now });
    const s = r.start('fetch \u001b[2Jevil\nline');
    advance(1500);
    s.fail();
    expect(chunks.join('')).not.toContain('\u001b[2J');
    expect(chunks.join('')).toContain('\\x1b[2Jevil\\x0aline');
    r.stop();
  });

  it('withStep closes the step as failed when the body throws, and the error goes on', async () => {
    const { chunks, stream } = fakeStream();
    const r = createProgressRenderer({ stream, terminal: true, now });
    setProgressSink(r);
    await expect(
      withStep('rpmbuild -bs x.spec', () => {
        clock += 10;
        return Promise.reject(new Error('boom'));
      }),
    ).rejects.toThrow('boom');
    expect(chunks.join('')).toContain('✖ rpmbuild -bs x.spec');
    r.stop();
  });
});
