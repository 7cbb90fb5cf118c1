/**
 * Durations on the command line: a whole number and a unit, `s`, `m`, `h` or `d` (`30m`, `12h`, `7d`).
 * Used by `token create --ttl` and `stop --timeout`.
 */
import { UsageError } from './exit.ts';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** Ten years: longer is a typo, not a lifetime. */
const MAX_MS = 3650 * UNIT_MS.d;

/** `value` in milliseconds; a usage error naming `command` when it is not a duration. */
export function parseTtl(command: string, value: string, flag = 'ttl'): number {
  const m = /^([1-9][0-9]{0,9})(s|m|h|d)$/.exec(value);
  const ms = m === null ? Number.NaN : Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  if (!(ms > 0 && ms <= MAX_MS)) {
    throw new UsageError(
      `${command}: --${flag} must be a number and a unit s, m, h or d (e.g. 30m, 12h, 7d) of at most 3650d, got '${value}'`,
    );
  }
  return ms;
}
