/** A macro command a ShellRunner would not run (see recorded-shell.ts); the preprocessor makes it E_KCONFIG_SHELL at the macro. */
export class ShellCommandRefused extends Error {
  constructor(readonly command: string) {
    super(`kplay does not run this command: ${command}`);
    this.name = 'ShellCommandRefused';
  }
}
