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

  redact(text: string): string {
    return this.redactor.redact(text);
  }
}
