import type { SourceLocation } from '../findings/finding.js';
import type { ConfigOrigin, ConfigRequest } from '../model/types.js';

/** Where one loaded value came from: a line of the base config, or a request. */
export type ValueSource =
  | { kind: 'base'; name: string; line: number; raw: string; where: SourceLocation; origin: ConfigOrigin }
  | { kind: 'request'; name: string; index: number; request: ConfigRequest; raw: string };

export function sourceWhere(s: ValueSource): SourceLocation {
  return s.kind === 'base' ? s.where : s.request.where;
}

export function sourceOrigin(s: ValueSource): ConfigOrigin {
  return s.kind === 'base' ? s.origin : s.request.origin;
}

/** "feature wireguard", "variant tiny", "base config" */
export function describeOrigin(o: ConfigOrigin): string {
  return o.kind === 'base' ? (o.name ? `base ${o.name}` : 'base config') : `${o.kind} ${o.name}`;
}
