import type { Finding } from '../../findings/finding.js';
import { formatFinding } from '../../findings/format-finding.js';
import type { SecretRedactor } from './secret-redactor.js';

/**
 * The only way the Copr backend writes anything: results on stdout, progress and errors on stderr,
 * every line passed through the redactor first.
 */
export class CoprOutput {
  constructor(
    private readonly redactor: SecretRedactor,
    private readonly stdout: NodeJS.WritableStream = process.stdout,
    private readonly stderr: NodeJS.WritableStream = process.stderr,
  ) {}

  /** A result line (stdout). */
  result(line: string): void {
    this.stdout.write(`${this.redactor.redact(line)}\n`);
  }

  /** A progress or information line (stderr). */
  info(line: string): void {
    this.stderr.write(`${this.redactor.redact(line)}\n`);
  }

  error(message: string): void {
    this.stderr.write(`kplay: error: ${this.redactor.redact(message)}\n`);
  }

  /** Findings compiler-style on stderr, like every other command's. */
  findings(list: readonly Finding[]): void {
    for (const f of list) this.stderr.write(`${this.redactor.redact(formatFinding(f))}\n`);
  }

  redact(text: string): string {
    return this.redactor.redact(text);
  }
}
