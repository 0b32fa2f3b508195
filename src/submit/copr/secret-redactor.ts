/** The text that replaces a secret wherever it would be shown. */
export const REDACTED = '<redacted>';

/**
 * Removes secrets (the Copr token and the Basic credential built from it) from any text before it
 * is printed, logged or put in an error. Every output path of the Copr backend goes through one.
 */
export class SecretRedactor {
  private readonly secrets = new Set<string>();

  /** Register a secret and the forms it travels in (as is, URL-encoded, Basic `login:secret`). */
  add(secret: string, login?: string): this {
    if (secret.length < 4) return this; // too short to redact without mangling ordinary text
    this.secrets.add(secret);
    this.secrets.add(encodeURIComponent(secret));
    if (login !== undefined) this.secrets.add(Buffer.from(`${login}:${secret}`).toString('base64'));
    return this;
  }

  redact(text: string): string {
    // longest first, so a secret that contains another is replaced whole
    const secrets = [...this.secrets].sort((a, b) => b.length - a.length);
    let out = text;
    // replacing can join text into a new occurrence (the secret overlaps the marker): repeat, bounded
    for (let pass = 0; pass < 3; pass++) {
      if (!secrets.some((s) => out.includes(s))) return out;
      for (const s of secrets) out = out.split(s).join(REDACTED);
    }
    return secrets.some((s) => out.includes(s)) ? `${REDACTED} (a line that could not be redacted safely)` : out;
  }
}
