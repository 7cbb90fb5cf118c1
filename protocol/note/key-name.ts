/**
 * Key names (c2sp.org/signed-note): the name in a verifier key and in a signature line.
 *
 * A key name MUST be non-empty and MUST NOT contain Unicode spaces or '+' (U+002B). "Unicode space"
 * is exactly Go's `unicode.IsSpace` (the reference implementation): TAB, LF, VT, FF, CR, SPACE, U+0085,
 * U+00A0 and the Unicode categories Zs, Zl and Zp. The name must also be well-formed Unicode (no lone
 * surrogates, so it has exactly one UTF-8 encoding). We also reject the other ASCII control characters
 * (below U+0020): a signed note may not contain them, so such a name could never sign anything.
 */

// Go's unicode.IsSpace: \t \n \v \f \r, space, U+0085, U+00A0, and categories Z (Zs, Zl, Zp).
const SPACE_RE = /[\t\n\v\f\r \u0085\u00a0\p{Z}]/u;
const CONTROL_RE = /[\u0000-\u001f]/;
const LONE_SURROGATE_RE = /\p{Cs}/u;

/** True when `name` is a valid key name. */
export function isValidKeyName(name: unknown): name is string {
  return (
    typeof name === 'string' &&
    name.length > 0 &&
    !name.includes('+') &&
    !SPACE_RE.test(name) &&
    !CONTROL_RE.test(name) &&
    !LONE_SURROGATE_RE.test(name)
  );
}
