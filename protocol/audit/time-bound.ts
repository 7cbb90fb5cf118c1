/**
 * The time bounds of a decision search (`since`, `until`): an RFC 3339 time — `Z` or an offset like
 * `+02:00`, an optional fraction — or a duration before now: a whole number and `s`, `m`, `h` or `d`
 * (`30s`, `15m`, `12h`, `7d`). The HTTP API (GET /v1/decisions) and the CLI (`decisions list --since`)
 * read them with this one function, so both accept and refuse the same strings. Strict: every field is
 * range-checked (no 30 February, no 24:00), the year is 0000..9999.
 */

const RFC3339 =
  '([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\\.[0-9]{1,9})?(Z|([+-])([0-9]{2}):([0-9]{2}))';
const DURATION = '([1-9][0-9]{0,9})([smhd])';
/** For JSON schemas: either form. */
export const TIME_BOUND_PATTERN = `^(${RFC3339}|${DURATION})$`;

const RFC3339_RE = new RegExp(`^${RFC3339}$`);
const DURATION_RE = new RegExp(`^${DURATION}$`);
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : (DAYS[month - 1] as number);
}

/** Milliseconds since the epoch of `value` (`now`: the epoch milliseconds a duration counts back from), or undefined. */
export function parseTimeBound(value: string, now: number): number | undefined {
  const d = DURATION_RE.exec(value);
  if (d !== null) {
    const ms = now - Number(d[1]) * UNIT_MS[d[2] as keyof typeof UNIT_MS];
    return inRange(ms);
  }
  const m = RFC3339_RE.exec(value);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  if (m[8] !== 'Z' && (Number(m[10]) > 23 || Number(m[11]) > 59)) return undefined;
  return inRange(Date.parse(value));
}

/** Only times whose UTC year is 0000..9999 (what an RFC 3339 UTC time can write). */
function inRange(ms: number): number | undefined {
  if (Number.isNaN(ms)) return undefined;
  const year = new Date(ms).getUTCFullYear();
  return year >= 0 && year <= 9999 ? ms : undefined;
}
