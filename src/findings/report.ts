import type { Finding } from './finding.js';
import { UsageError } from './finding.js';
import { formatFinding, summarizeFindings } from './format-finding.js';
import { reportInternalError } from './exit-code.js';

// the exit statuses are defined once, in exit-code.ts; re-exported for the commands that print
export { EXIT_CONFLICT, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE } from './exit-code.js';

/** Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function useColor(stream: NodeJS.WriteStream = process.stderr): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR;
}

function colorize(line: string): string {
  return line.replace(/: error /, ': \u001b[31merror\u001b[0m ').replace(/: warning /, ': \u001b[33mwarning\u001b[0m ');
}

/** Print findings compiler-style on stderr. */
export function printFindings(findings: readonly Finding[]): void {
  const color = useColor();
  for (const f of findings) {
    const text = formatFinding(f);
    process.stderr.write(`${color ? colorize(text) : text}\n`);
  }
}

export function printSummary(findings: readonly Finding[], what: string): void {
  process.stderr.write(`${what}: ${summarizeFindings(findings)}\n`);
}

/**
 * Run a command body and turn every way it can end into an exit code: UsageError → its findings
 * and 2; anything unexpected → one line (stack only with KPLAY_DEBUG=1) and 3.
 */
export async function runCommand(body: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await body();
  } catch (err) {
    if (err instanceof UsageError) {
      if (err.findings.length) printFindings(err.findings);
      else process.stderr.write(`kplay: error: ${err.message}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    process.exitCode = reportInternalError(err);
  }
}
