import fc from 'fast-check';

/**
 * Pieces an attacker puts into any field: every rpm macro form, section and conditional keyword,
 * line breaks of every kind, quotes, shell metacharacters, template syntax, YAML syntax.
 * `canary` is a path a successful injection would create.
 */
export function hostilePieces(canary: string): string[] {
  return [
    '%post', '%POST', '%package evil', '%files', '%endif', '%else', '%if 1', '%ifarch x86_64', '%include /etc/passwd',
    '%changelog', '%description', '%prep', '%pretrans -p <lua>', '%define a 1', '%global b 2', '%undefine c', '%dnl',
    `%(touch ${canary})`, `%(id>${canary})`, `%{lua: io.open("${canary}","w")}`, `%{lua:os.execute("touch ${canary}")}`,
    '%[1+1]', '%{expand:%%post}', '%{?x:%%post}', '%{!?x:y}', '%{name}', '%%', '%', '%%%', '%{', '%(', '%[',
    '\\', '\\\n', '\n', '\r', '\r\n', '\u2028', '\u2029', '\u0085', '\0', '\x1b', '\t', ' ', '  ',
    '"', "'", '`touch ' + canary + '`', '$(touch ' + canary + ')', ';', '|', '&', '>', '<', '#', '*', '- ', '* Mon Jan 01 2024 x',
    '{{ kplay }}', '{% raw %}', '{#', '${x}', 'Summary: x', 'Source0: y', 'Patch9: z', 'é', '😀', '\uFEFF', 'x', 'word', '..', '../', '/',
    'http://h/', 'https://h/a.tar.xz', ':', ': ', '---', '&a', '*a', '!!js/function', '? ', 'y', 'CONFIG_EVIL=y', '\nCONFIG_EVIL=y',
  ];
}

/** A hostile string: a few pieces joined, raw code units, or a very long value. */
export function hostileString(canary: string): fc.Arbitrary<string> {
  const pieces = hostilePieces(canary);
  return fc.oneof(
    { arbitrary: fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 6 }).map((a) => a.join('')), weight: 6 },
    { arbitrary: fc.tuple(fc.constantFrom('word ', 'a ', ''), fc.array(fc.constantFrom(...pieces), { maxLength: 4 })).map(([w, a]) => w + a.join('')), weight: 3 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 12 }), weight: 1 },
    { arbitrary: fc.constantFrom('A'.repeat(8_000), '%'.repeat(2_000), `${'x '.repeat(1_500)}%post`, '\n'.repeat(300)), weight: 1 },
  );
}

/** A field is benign most of the time, hostile otherwise, so that a good share of documents compose. */
export function sometimesHostile<T>(benign: fc.Arbitrary<T>, canary: string, hostileWeight = 1): fc.Arbitrary<T | string> {
  return fc.oneof({ arbitrary: benign, weight: 30 }, { arbitrary: hostileString(canary), weight: Math.max(1, Math.round(10 * hostileWeight)) });
}
