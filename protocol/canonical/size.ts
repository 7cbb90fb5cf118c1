/**
 * canonicalSizeWithin — the UTF-8 size of a value's RFC 8785 form, counted without building it and
 * given up as soon as it passes a limit.
 *
 * Size checks must come before work: a 16 MiB record must be refused without being canonicalised, hashed
 * or evaluated. The count walks the value once and stops past `limit`, so its cost is bounded by the
 * limit, not by the value: a string longer than the limit is refused by its length alone (every UTF-16
 * unit is at least one UTF-8 byte), a shorter one is measured. Keys count as written, numbers as
 * ECMAScript prints them (RFC 8785 §3.2.2.3), so for a JSON value the result equals
 * canonicalBytes(value).length whenever that is within the limit. Values JSON cannot carry are left to
 * canonicalize to reject; here they count as their String().
 */

/** Bytes of a JSON string literal for `s`: quotes, escapes, UTF-8. */
function stringSize(s: string): number {
  let n = 2;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20) n += c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d ? 2 : 6;
    else if (c === 0x22 || c === 0x5c) n += 2;
    else if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdfff) {
      const d = s.charCodeAt(i + 1);
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        n += 4; // a surrogate pair: one 4-byte UTF-8 sequence
        i++;
      } else n += 6; // a lone surrogate: JSON.stringify writes \uXXXX
    } else n += 3;
  }
  return n;
}

/**
 * The canonical JSON size of `value` in bytes, or undefined as soon as it exceeds `limit`. Iterative, so
 * deep nesting cannot overflow the stack here.
 */
export function canonicalSizeWithin(value: unknown, limit: number): number | undefined {
  let total = 0;
  const todo: unknown[] = [value];
  while (todo.length > 0) {
    const v = todo.pop();
    if (typeof v === 'string') {
      if (v.length + 2 > limit - total) return undefined;
      total += stringSize(v);
    } else if (Array.isArray(v)) {
      total += 2 + Math.max(0, v.length - 1); // brackets and commas
      for (let i = v.length - 1; i >= 0 && total <= limit; i--) todo.push(v[i]);
    } else if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v);
      total += 2 + Math.max(0, keys.length - 1) + keys.length; // braces, commas, colons
      for (const k of keys) {
        if (total > limit) return undefined;
        if (k.length + 2 > limit - total) return undefined;
        total += stringSize(k);
        todo.push((v as Record<string, unknown>)[k]);
      }
    } else {
      total += String(v).length; // numbers (ES form), true, false, null
    }
    if (total > limit) return undefined;
  }
  return total;
}
