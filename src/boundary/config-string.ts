import { describeControl } from './control-characters.js';
import { RenderRefusal } from './render-refusal.js';

/**
 * A Kconfig string value written as `CONFIG_X="..."` into a config file that `%prep` appends to
 * `.config`: a line break (or any control, or U+2028/2029) would start a second, unlisted line
 * such as `CONFIG_EVIL=y`. Refused, never escaped: Kconfig strings have no escape for them.
 */
export function checkConfigString(symbol: string, value: string): string {
  const bad = describeControl(value);
  if (bad !== undefined) {
    throw new RenderRefusal(
      'E_CONFIG_VALUE',
      `CONFIG_${symbol}: the string value holds the control character ${bad}; a config value is one line of printable text`,
      'remove the line break or control character from the value',
    );
  }
  return value;
}
