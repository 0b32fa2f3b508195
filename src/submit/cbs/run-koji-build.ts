import { execa } from 'execa';
import { UsageError } from '../../findings/finding.js';
import type { KojiCommand } from './koji-build-command.js';
import { parseKojiBuildOutput } from './parse-koji-build-output.js';

const DEFAULT_CLI_TIMEOUT_MS = 2 * 3600 * 1000; // a kernel SRPM upload is slow, but not this slow

/**
 * Run `cbs|koji build --nowait ...` and return the created task id. Every refusal becomes a
 * UsageError carrying one finding that says what to do (exit 2).
 */
export async function runKojiBuild(cmd: KojiCommand, target: string, login?: 'ssl' | 'kerberos' | 'password' | 'noauth'): Promise<number> {
  const timeout = Number(process.env.KPLAY_KOJI_CLI_TIMEOUT_MS) || DEFAULT_CLI_TIMEOUT_MS;
  const res = await execa(cmd.executable ?? cmd.program, cmd.args, {
    reject: false,
    stdin: 'ignore',
    timeout,
    stripFinalNewline: true,
  });
  if (res.failed && (res as { code?: string }).code === 'ENOENT') {
    const message = `${cmd.program} is not installed`;
    throw new UsageError(message, [
      { code: 'E_CBS_NO_CLI', severity: 'error', message, hint: 'install the koji client (`dnf install koji centos-packager`)' },
    ]);
  }
  if (res.timedOut) {
    const message = `\`${cmd.program} build\` did not finish within ${Math.round(timeout / 60000)} minutes`;
    throw new UsageError(message, [{ code: 'E_CBS_CLI_FAILED', severity: 'error', message }]);
  }
  const outcome = parseKojiBuildOutput({
    program: cmd.program,
    exitCode: res.exitCode,
    stdout: String(res.stdout ?? ''),
    stderr: String(res.stderr ?? ''),
    target,
    ...(login ? { login } : {}),
  });
  if (outcome.kind === 'created') return outcome.taskId;
  throw new UsageError(outcome.finding.message, [outcome.finding]);
}
