/**
 * The pre-1.0 DSSE encoding of the reference tool, kept only to verify old signatures.
 *
 * model_signing before 1.0 built the signed bytes as a Python f-string over `bytes`, so the payload went
 * in as its Python `repr` and the prefix was misspelt:
 *
 *   "DSSEV1 <len(type)> <type> <len(payload)> b'<payload, escaped>'"
 *
 * (sigstore/model-transparency, sign_sigstore_pb.py `pae_compat`). The reference still accepts a
 * signature over these bytes when the correct PAE does not verify; so does govfed, and says so
 * (`compatEncoding: true` in the verify result). The escaping is CPython's bytes repr: quote with '
 * unless the bytes hold ' and no ", backslash-escape the quote and '\', write \t \n \r, \xNN for other
 * bytes below 0x20 or from 0x7f, everything else as is.
 */
import { utf8 } from '../../encoding/bytes.ts';

export function paeCompat(payloadType: string, payload: Uint8Array): Uint8Array {
  return utf8(`DSSEV1 ${utf8(payloadType).length} ${payloadType} ${payload.length} ${pythonBytesRepr(payload)}`);
}

/** CPython's repr() of a bytes object. */
export function pythonBytesRepr(b: Uint8Array): string {
  const quote = b.includes(0x27) && !b.includes(0x22) ? '"' : "'";
  const q = quote.charCodeAt(0);
  let out = `b${quote}`;
  for (const c of b) {
    if (c === q || c === 0x5c) out += `\\${String.fromCharCode(c)}`;
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c < 0x20 || c >= 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += String.fromCharCode(c);
  }
  return `${out}${quote}`;
}
