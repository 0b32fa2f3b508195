// The one POSIX shell quoting of kplay: generated scripts (KMM Day-1, the driver-container build
// script) and command lines shown to users (the koji/cbs build command) quote through here.

/** POSIX single quoting: the value as one shell word, whatever it holds (`'` becomes `'\''`). */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A shell word as a user would type it: bare when only safe characters, else single-quoted. */
export function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : shellQuote(value);
}
