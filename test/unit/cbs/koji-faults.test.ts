import { describe, expect, it } from 'vitest';
import { describeFault, faultSummary, KojiFault } from '../../../src/xmlrpc/koji-faults.js';
import { isTaskFinished, taskStateWord } from '../../../src/submit/cbs/koji-task-states.js';
import { taskInfoUrl, taskLogUrl, taskOutputUrl } from '../../../src/submit/cbs/task-urls.js';

describe('koji faults', () => {
  it('names every documented code from 1000 to 1019 and says what to do for the usual ones', () => {
    for (let code = 1000; code <= 1019; code++) expect(new KojiFault('m', code, 'x').kind.name).not.toMatch(/^fault /);
    expect(describeFault('build', 1004, 'policy violation')).toBe(
      'build: ActionNotAllowed (1004): policy violation; the hub policy refused this; check that your account may build into this tag (ask the SIG) or use --scratch',
    );
    expect(describeFault('getTaskInfo', 1014, 'server is offline')).toMatch(/ServerOffline \(1014\).*later/);
    expect(describeFault('x', 1002, '')).toMatch(/centos-cert/);
    expect(describeFault('x', 4242, 'odd')).toBe('x: fault 4242: odd');
  });

  it('summarizes tracebacks by their last line', () => {
    expect(faultSummary('Traceback (most recent call last):\n  File "x", line 1\nkoji.BuildError: mock exited 1\n')).toBe(
      'koji.BuildError: mock exited 1',
    );
    expect(faultSummary('first line\nsecond')).toBe('first line');
  });
});

describe('task states and urls', () => {
  it('maps states to words and knows which end a task', () => {
    expect([0, 1, 2, 3, 4, 5, 9].map(taskStateWord)).toEqual([
      'waiting',
      'running',
      'succeeded',
      'canceled',
      'assigned',
      'failed',
      'unknown',
    ]);
    expect([0, 1, 2, 3, 4, 5].map(isTaskFinished)).toEqual([false, false, true, true, false, true]);
  });

  it('builds task pages and output folders like koji', () => {
    expect(taskInfoUrl('https://cbs.centos.org/koji/', 12345)).toBe('https://cbs.centos.org/koji/taskinfo?taskID=12345');
    expect(taskOutputUrl('https://cbs.centos.org/kojifiles', 1234567)).toBe('https://cbs.centos.org/kojifiles/work/tasks/4567/1234567/');
    expect(taskLogUrl('https://t', 'https://w', 20001, 'buildArch')).toBe('https://t/work/tasks/1/20001/build.log');
    expect(taskLogUrl(undefined, 'https://w', 20001, 'buildArch')).toBe('https://w/taskinfo?taskID=20001');
  });
});
