/**
 * Digests of external (API-hosted) models, whose weights nobody outside the provider can hash.
 *
 * Such a model is named `PROVIDER/MODEL@SNAPSHOT` (`openai/gpt-4o@2024-08-06`). Its digest is
 *
 *   sha256:<hex of SHA-256(JCS({"model": MODEL, "provider": PROVIDER, "snapshot": SNAPSHOT}))>
 *
 * with `assurance: "opaque"`: the digest pins the *name* of a snapshot, not its bytes — whether the
 * provider serves the same weights under it is the provider's word. RFC 8785 (protocol/canonical/jcs.ts)
 * makes the bytes hashed unique to the three strings.
 *
 *   parseExternalRef('P/M@S') → {provider, model, snapshot}     ERR_INVALID_MODEL_REF
 *   externalDigest({provider, model, snapshot}) → {ref, digest, assurance: 'opaque'}
 *
 * The strings are user- or client-supplied: each is bounded and printable ASCII from a small alphabet
 * (letters, digits, `. _ - + :`), starting with a letter or digit. PROVIDER has no '/', MODEL may have
 * '/' between segments (`meta-llama/Llama-3.1-8B`), SNAPSHOT has no '/' and no '@'. The ref is split at
 * the first '/' and the last '@'.
 */
import { canonicalBytes } from '../../canonical/jcs.ts';
import { sha256 } from '../../crypto/sha256.ts';
import { GovfedError } from '../../errors.ts';
import { formatDigest } from './digest.ts';

export interface ExternalModelRef {
  provider: string;
  model: string;
  snapshot: string;
}

export interface ExternalDigest {
  /** `PROVIDER/MODEL@SNAPSHOT`. */
  ref: string;
  /** `sha256:<hex>` of the JCS form of {model, provider, snapshot}. */
  digest: string;
  /** The digest names a snapshot; it cannot prove the bytes behind it. */
  assurance: 'opaque';
}

export const MAX_PROVIDER_LENGTH = 64;
export const MAX_MODEL_LENGTH = 256;
export const MAX_SNAPSHOT_LENGTH = 128;

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._+:-]*$/;

/** Splits and validates `PROVIDER/MODEL@SNAPSHOT` (attacker- or user-controlled). */
export function parseExternalRef(ref: unknown): ExternalModelRef {
  if (typeof ref !== 'string') bad('expected a string PROVIDER/MODEL@SNAPSHOT');
  if (ref.length > MAX_PROVIDER_LENGTH + MAX_MODEL_LENGTH + MAX_SNAPSHOT_LENGTH + 2) bad('reference too long');
  const slash = ref.indexOf('/');
  const at = ref.lastIndexOf('@');
  if (slash < 0 || at < slash) bad(`expected PROVIDER/MODEL@SNAPSHOT, got ${JSON.stringify(ref)}`);
  return checkExternalRef({
    provider: ref.slice(0, slash),
    model: ref.slice(slash + 1, at),
    snapshot: ref.slice(at + 1),
  });
}

/** The opaque digest of an external model (its three strings are validated first). */
export function externalDigest(input: ExternalModelRef): ExternalDigest {
  const r = checkExternalRef(input);
  const digest = formatDigest(sha256(canonicalBytes({ model: r.model, provider: r.provider, snapshot: r.snapshot })));
  return { ref: `${r.provider}/${r.model}@${r.snapshot}`, digest, assurance: 'opaque' };
}

function checkExternalRef(input: unknown): ExternalModelRef {
  if (typeof input !== 'object' || input === null) bad('expected {provider, model, snapshot}');
  const { provider, model, snapshot } = input as Record<string, unknown>;
  const p = field(provider, 'provider', MAX_PROVIDER_LENGTH);
  const m = field(model, 'model', MAX_MODEL_LENGTH);
  const s = field(snapshot, 'snapshot', MAX_SNAPSHOT_LENGTH);
  if (!SEGMENT.test(p)) bad(`provider ${JSON.stringify(p)}: letters, digits and . _ + : - only`);
  if (!m.split('/').every((seg) => SEGMENT.test(seg))) {
    bad(`model ${JSON.stringify(m)}: segments of letters, digits and . _ + : - separated by '/'`);
  }
  if (!SEGMENT.test(s)) bad(`snapshot ${JSON.stringify(s)}: letters, digits and . _ + : - only`);
  return { provider: p, model: m, snapshot: s };
}

function field(v: unknown, name: string, max: number): string {
  if (typeof v !== 'string' || v.length === 0) bad(`${name}: expected a non-empty string`);
  if (v.length > max) bad(`${name}: longer than ${max} characters`);
  return v;
}

function bad(message: string): never {
  throw new GovfedError('ERR_INVALID_MODEL_REF', message);
}
