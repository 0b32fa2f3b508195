/**
 * `kplay promote`: an NVR or tag starting with '-' never reaches the koji CLI as an option
 * (issue 24: `promote --nvr -a-1-1` reached `cbs tag-build`). ~3 s (three CLI runs, --dry-run).
 */
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp-dir.js';
import { runKplay } from './support/hostile-repo.js';

describe('kplay promote refuses option-like NVRs and tags (exit 2, nothing run)', () => {
  it.each([
    [['--nvr=-a-1-1', '--cbs', 'x-testing'], /"-a-1-1" is not a name-version-release/],
    [['--nvr=a-1-1', '--cbs=-x-testing'], /"-x-testing" is not a Koji tag name/],
  ])('%j', async (args, message) => {
    const r = await runKplay(['promote', ...args, '--dry-run'], { cwd: await tempDir('kplay-promote-') });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).not.toMatch(/would run/);
  });

  it('a plain NVR and tag still pass', async () => {
    const r = await runKplay(['promote', '--nvr=a-1-1', '--cbs', 'x-testing', '--dry-run'], { cwd: await tempDir('kplay-promote-') });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('dry run: would run cbs tag-build --nowait x-testing a-1-1');
  });
});
