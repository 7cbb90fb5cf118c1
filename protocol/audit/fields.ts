/**
 * Field rules shared by the leaf and the decision record: timestamps, digests, labels and bounded text.
 *
 * Each rule is exported both as a predicate (for protocol/ checks) and as a pattern/limit (so the HTTP
 * layer can state the same rule in its JSON schema). All inputs here are attacker-controlled.
 */

/** RFC 3339 timestamp in UTC with a literal `Z`, optional fraction of 1..9 digits. */
export const RFC3339_UTC_PATTERN = '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?Z$';
const RFC3339_UTC_RE = new RegExp(RFC3339_UTC_PATTERN);

/** A SHA-256 digest written as `sha256:` + 64 lowercase hex digits. */
export const SHA256_DIGEST_PATTERN = '^sha256:[0-9a-f]{64}$';
const SHA256_DIGEST_RE = new RegExp(SHA256_DIGEST_PATTERN);

/** A short label (outcome classes, data classes): 1..64 of `A-Z a-z 0-9 _ . : -`. */
export const LABEL_PATTERN = '^[A-Za-z0-9_.:-]{1,64}$';
const LABEL_RE = new RegExp(LABEL_PATTERN);

/** A governance event kind: dotted lowercase words, e.g. `node.init`, `federation.charter`. */
export const KIND_PATTERN = '^[a-z][a-z0-9-]{0,31}(\\.[a-z][a-z0-9-]{0,31}){0,3}$';
const KIND_RE = new RegExp(KIND_PATTERN);

/**
 * What POST /v1/decisions asks of two optional record fields on top of checkDecisionInput's rules
 * (which take any printable text there, as evaluation does): a decision id of `A-Z a-z 0-9 . _ : -`
 * (the length bound is MAX_DECISION_ID_CHARS), and an input digest written `algorithm:hex`.
 */
export const DECISION_ID_PATTERN = '^[A-Za-z0-9._:-]+$';
export const INPUT_DIGEST_PATTERN = '^[a-z0-9-]{1,32}:[0-9a-f]{32,128}$';

/** Jurisdiction code: `EU`, `US-CA`, `DE`, … */
export const JURISDICTION_PATTERN = '^[A-Z][A-Z0-9-]{1,15}$';
const JURISDICTION_RE = new RegExp(JURISDICTION_PATTERN);

/** Printable text: no C0/C1 control characters and no lone surrogates. */
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE_RE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True for a string of 1..maxChars UTF-16 code units without control characters or lone surrogates. */
export function isText(v: unknown, maxChars: number): v is string {
  return (
    typeof v === 'string' && v.length >= 1 && v.length <= maxChars && !CONTROL_RE.test(v) && !LONE_SURROGATE_RE.test(v)
  );
}

export function isLabel(v: unknown): v is string {
  return typeof v === 'string' && LABEL_RE.test(v);
}

export function isKind(v: unknown): v is string {
  return typeof v === 'string' && KIND_RE.test(v);
}

export function isSha256Digest(v: unknown): v is string {
  return typeof v === 'string' && SHA256_DIGEST_RE.test(v);
}

export function isJurisdiction(v: unknown): v is string {
  return typeof v === 'string' && JURISDICTION_RE.test(v);
}

/** True for an RFC 3339 UTC timestamp that names a real calendar instant (no Feb 30, no hour 24). */
export function isRfc3339Utc(v: unknown): v is string {
  if (typeof v !== 'string' || !RFC3339_UTC_RE.test(v)) return false;
  const year = Number(v.slice(0, 4));
  const month = Number(v.slice(5, 7));
  const day = Number(v.slice(8, 10));
  const hour = Number(v.slice(11, 13));
  const minute = Number(v.slice(14, 16));
  const second = Number(v.slice(17, 19));
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return day <= daysInMonth;
}

/** True for a non-negative safe integer. */
export function isUint(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** True for a plain JSON object (not an array, not null, not a class instance). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
