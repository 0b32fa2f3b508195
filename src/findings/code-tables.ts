import { EXIT_CODE_OF_CLASS, FINDING_CODES, FINDING_GROUPS, type ExitClass } from './catalogue.js';

export const CODE_TABLES_BEGIN =
  '<!-- finding-codes:begin: generated from src/findings/catalogue.ts by `npm run docs:codes`; edit the catalogue, not this table -->';
export const CODE_TABLES_END = '<!-- finding-codes:end -->';

const EXIT_WORDS: Record<ExitClass, string> = {
  none: '—',
  conflict: `${EXIT_CODE_OF_CLASS.conflict} (conflict)`,
  input: `${EXIT_CODE_OF_CLASS.input}`,
  internal: `${EXIT_CODE_OF_CLASS.internal} (internal)`,
};

/** The Markdown tables of every catalogued code, one per group, in catalogue order. */
export function renderCodeTables(): string {
  const out: string[] = [];
  for (const [group, heading] of Object.entries(FINDING_GROUPS)) {
    out.push(`**${heading}**`, '', '| code | severity | exit | meaning |', '|---|---|---|---|');
    for (const [code, info] of Object.entries(FINDING_CODES)) {
      if (info.group === group)
        out.push(`| \`${code}\` | ${info.severity} | ${EXIT_WORDS[info.exit]} | ${info.description.replace(/\|/g, '\\|')} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

/** `text` with the part between the markers replaced by the generated tables; undefined when a marker is missing. */
export function withCodeTables(text: string): string | undefined {
  const begin = text.indexOf(CODE_TABLES_BEGIN);
  const end = text.indexOf(CODE_TABLES_END);
  if (begin < 0 || end < begin) return undefined;
  return `${text.slice(0, begin + CODE_TABLES_BEGIN.length)}\n\n${renderCodeTables()}\n${text.slice(end)}`;
}

/** A Markdown table row without its padding (what Prettier adds or removes), for comparing generated and formatted tables. */
export function withoutTablePadding(text: string): string {
  return text
    .split('\n')
    .map((l) => (l.startsWith('|') ? l.replace(/ *\| */g, '|').replace(/\|:?-+:?(?=\|)/g, '|---') : l))
    .join('\n');
}
