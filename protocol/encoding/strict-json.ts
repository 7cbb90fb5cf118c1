/**
 * Strict JSON: JSON text whose meaning is exactly what its bytes say, checked without building a value.
 *
 * `JSON.parse` quietly changes three things a governance record must not change: a number JavaScript
 * cannot hold exactly is rounded (`123456789012345678901234567890` → `1.2345678901234568e+29`), a key
 * written twice keeps only its last value, and a key may hold bidirectional-control characters that make
 * it display as something else (a Trojan-source name). checkStrictJson scans the text (attacker-
 * controlled) once, in linear time, and throws:
 *
 *   ERR_INVALID_ENCODING  not JSON (RFC 8259 grammar)
 *   ERR_INVALID_INPUT     nested deeper than MAX_STRICT_JSON_DEPTH
 *   ERR_DUPLICATE_KEY     an object has the same key twice (compared after unescaping)
 *   ERR_LOSSY_NUMBER      an integer literal outside ±(2^53 − 1), a literal whose value does not survive
 *                         the round trip through a double (its canonical RFC 8785 form denotes another
 *                         value: `0.30000000000000000001`, `1e400`), or a negative zero
 *   ERR_BIDI_CONTROL      an object key holds U+202A–U+202E or U+2066–U+2069 (embeddings, overrides,
 *                         isolates)
 *
 * It never allocates per character: strings are skipped with indexOf, only keys are sliced (and only keys
 * with a backslash are unescaped), and only literals that may be inexact (a fraction, an exponent, or more
 * than 15 digits) are normalised. Then `JSON.parse` (or a hardened parser) builds the value.
 */
import { GovfedError } from '../errors.ts';

/** Deepest nesting of arrays and objects accepted (canonicalize accepts 64; this only bounds the scan). */
export const MAX_STRICT_JSON_DEPTH = 1000;

/** The bidirectional embedding, override and isolate controls (Unicode TR9): U+202A–U+202E, U+2066–U+2069. */
export const BIDI_CONTROL_CLASS = '\\u202A-\\u202E\\u2066-\\u2069';
const BIDI_RE = new RegExp(`[${BIDI_CONTROL_CLASS}]`, 'u');

/** True when `s` holds a bidirectional embedding, override or isolate control. */
export function hasBidiControl(s: string): boolean {
  return BIDI_RE.test(s);
}

/**
 * Refuses a name-like field (a model name, a federation name) holding a bidi control: ERR_BIDI_CONTROL.
 * Free-form values (a decision's output and context values) may hold them; keys and names may not.
 */
export function assertNoBidiControl(value: string, field: string): void {
  if (hasBidiControl(value)) {
    throw new GovfedError(
      'ERR_BIDI_CONTROL',
      `${field} holds a bidirectional control character (U+202A–U+202E, U+2066–U+2069)`,
    );
  }
}

const NUMBER_RE = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const DECIMAL_RE = /^(-?)([0-9]+)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?$/;

/** `sign digits e exponent` with no leading or trailing zeros in digits: one spelling per decimal value. */
function normalDecimal(literal: string): string {
  const m = DECIMAL_RE.exec(literal);
  if (m === null) return literal;
  const frac = m[3] ?? '';
  let digits = `${m[2]}${frac}`;
  let exp = BigInt(m[4] ?? '0') - BigInt(frac.length);
  let start = 0;
  while (start < digits.length && digits.charCodeAt(start) === 48) start++;
  digits = digits.slice(start);
  if (digits.length === 0) return `${m[1]}0`;
  let end = digits.length;
  while (digits.charCodeAt(end - 1) === 48) end--;
  exp += BigInt(digits.length - end);
  return `${m[1]}${digits.slice(0, end)}e${exp}`;
}

/** True when the number literal (already matched by NUMBER_RE) is exactly what a double holds. */
export function isExactNumberLiteral(literal: string): boolean {
  const value = Number(literal);
  if (Object.is(value, -0)) return false; // canonical JSON writes it "0": the sign would be lost
  const integer = !/[.eE]/.test(literal);
  if (integer) return Number.isSafeInteger(value);
  if (!Number.isFinite(value)) return false;
  // Short literals with no exponent and at most 15 significant digits always round-trip.
  if (literal.length <= 16 && !/[eE]/.test(literal)) return true;
  return normalDecimal(literal) === normalDecimal(String(value));
}

function fail(
  code: 'ERR_INVALID_ENCODING' | 'ERR_DUPLICATE_KEY' | 'ERR_LOSSY_NUMBER' | 'ERR_BIDI_CONTROL',
  msg: string,
) {
  return new GovfedError(code, msg);
}

const VALUE = 0;
const AFTER = 1;

/**
 * Checks JSON text (attacker-controlled) for grammar, duplicate keys, inexact numbers and bidi controls in
 * keys. Throws a GovfedError with one of the codes above; returns nothing.
 */
export function checkStrictJson(text: string, maxDepth = MAX_STRICT_JSON_DEPTH): void {
  const n = text.length;
  let i = 0;
  // One entry per open container: the keys seen so far for an object, null for an array.
  const stack: (Set<string> | null)[] = [];
  const syntax = (what: string) => fail('ERR_INVALID_ENCODING', `invalid JSON: ${what} at offset ${i}`);

  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      i++;
    }
  };
  /** Skips the string starting at i (a quote). Its escapes are JSON.parse's to check. */
  const skipString = (): void => {
    let j = i + 1;
    for (;;) {
      const q = text.indexOf('"', j);
      if (q < 0) throw syntax('unterminated string');
      let b = q;
      while (b > j && text.charCodeAt(b - 1) === 0x5c) b--;
      j = q + 1;
      if ((q - b) % 2 === 0) break; // an even run of backslashes: the quote ends the string
    }
    i = j;
  };
  const member = (keys: Set<string>) => {
    ws();
    if (text.charCodeAt(i) !== 0x22) throw syntax('expected a key');
    const start = i;
    skipString();
    let key = text.slice(start + 1, i - 1);
    if (key.includes('\\')) {
      try {
        key = JSON.parse(text.slice(start, i)) as string;
      } catch {
        throw syntax('invalid escape in a key');
      }
    }
    const shown = (k: string) => JSON.stringify(k.length > 64 ? `${k.slice(0, 64)}…` : k);
    if (hasBidiControl(key)) {
      throw fail(
        'ERR_BIDI_CONTROL',
        `key ${shown(key)} holds a bidirectional control character (U+202A–U+202E, U+2066–U+2069)`,
      );
    }
    if (keys.has(key)) throw fail('ERR_DUPLICATE_KEY', `key ${shown(key)} appears twice in one object`);
    keys.add(key);
    ws();
    if (text.charCodeAt(i) !== 0x3a) throw syntax('expected ":"');
    i++;
  };
  const open = (container: Set<string> | null) => {
    if (stack.length >= maxDepth) throw new GovfedError('ERR_INVALID_INPUT', `JSON nested deeper than ${maxDepth}`);
    stack.push(container);
  };

  let mode = VALUE;
  for (;;) {
    ws();
    if (mode === VALUE) {
      const c = text.charCodeAt(i);
      if (c === 0x7b) {
        i++;
        ws();
        if (text.charCodeAt(i) === 0x7d) {
          i++;
          mode = AFTER;
          continue;
        }
        const keys = new Set<string>();
        open(keys);
        member(keys);
      } else if (c === 0x5b) {
        i++;
        ws();
        if (text.charCodeAt(i) === 0x5d) {
          i++;
          mode = AFTER;
          continue;
        }
        open(null);
      } else if (c === 0x22) {
        skipString();
        mode = AFTER;
      } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
        // Fast path: a plain integer of at most 15 digits is always exact (no regex, no allocation).
        let j = c === 0x2d ? i + 1 : i;
        const first = j;
        while (j < n) {
          const d = text.charCodeAt(j);
          if (d < 0x30 || d > 0x39) break;
          j++;
        }
        const next = j < n ? text.charCodeAt(j) : 0;
        const digits = j - first;
        if (
          digits > 0 &&
          digits <= 15 &&
          next !== 0x2e &&
          next !== 0x65 &&
          next !== 0x45 &&
          (digits === 1 || text.charCodeAt(first) !== 0x30) &&
          !(c === 0x2d && digits === 1 && text.charCodeAt(first) === 0x30)
        ) {
          i = j;
          mode = AFTER;
          continue;
        }
        NUMBER_RE.lastIndex = i;
        const m = NUMBER_RE.exec(text);
        if (m === null) throw syntax('invalid number');
        const literal = m[0];
        if (!isExactNumberLiteral(literal)) {
          const shown = literal.length > 40 ? `${literal.slice(0, 40)}…` : literal;
          throw fail(
            'ERR_LOSSY_NUMBER',
            `number ${shown} cannot be kept exactly (integers must be within ±9007199254740991, decimals must survive a round trip through a 64-bit double); send it as a string`,
          );
        }
        i += literal.length;
        mode = AFTER;
      } else if (text.startsWith('true', i)) {
        i += 4;
        mode = AFTER;
      } else if (text.startsWith('false', i)) {
        i += 5;
        mode = AFTER;
      } else if (text.startsWith('null', i)) {
        i += 4;
        mode = AFTER;
      } else {
        throw syntax(i >= n ? 'unexpected end' : 'unexpected character');
      }
      continue;
    }
    const top = stack.at(-1);
    if (top === undefined) {
      if (i !== n) throw syntax('unexpected data after the value');
      return;
    }
    const c = text.charCodeAt(i);
    if (c === 0x2c) {
      i++;
      if (top !== null) member(top);
      mode = VALUE;
    } else if (c === (top === null ? 0x5d : 0x7d)) {
      i++;
      stack.pop();
    } else {
      throw syntax(i >= n ? 'unexpected end' : 'expected "," or a closing bracket');
    }
  }
}

/** JSON.parse after checkStrictJson: the value, exactly as written. */
export function parseStrictJson(text: string, maxDepth = MAX_STRICT_JSON_DEPTH): unknown {
  checkStrictJson(text, maxDepth);
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new GovfedError('ERR_INVALID_ENCODING', 'invalid JSON', { cause });
  }
}
