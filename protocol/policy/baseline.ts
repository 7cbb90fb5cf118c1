/**
 * The policy baseline: one signed version of the federation's global rules. (In code a "bundle" is only
 * an offline proof bundle — protocol/audit, protocol/witness; the baseline keeps the word where it is
 * on the wire and in user-facing names: receipts' `bundleHash`, docs/policy.md's "bundle".)
 *
 *   { "type": "govfed.policy/v1", "federationId": <64 hex>, "version": n, "previous": "sha256:<hex>" | null,
 *     "createdAt": <RFC 3339 UTC>, "expiresAt": <RFC 3339 UTC, later than createdAt>, "rules": [Rule…] }
 *
 * Bytes = RFC 8785 (JCS) canonical JSON, at most MAX_BASELINE_BYTES; digest = `sha256:` + hex(SHA-256(bytes));
 * version n+1 names version n by that digest in `previous` (null iff version 1). Signed as a DSSE envelope
 * of payloadType POLICY_PAYLOAD_TYPE by members' peer keys (signing.ts). Baselines arrive by gossip and
 * sync: every parse here is bounded and strict (ERR_MALFORMED_POLICY); checkBaseline also compiles every
 * rule (ERR_INVALID_RULE with the pointed message), so a baseline that does not type-check is never signed,
 * applied or enforced.
 */
import { isPlainObject, isRfc3339Utc, isSha256Digest } from '../audit/fields.ts';
import { canonicalBytes, parseCanonical } from '../canonical/jcs.ts';
import { sha256 } from '../crypto/sha256.ts';
import { decodeEnvelope, type Envelope, type EnvelopeLimits, parseEnvelope } from '../dsse/index.ts';
import { toHex } from '../encoding/bytes.ts';
import { GovfedError, isGovfedError } from '../errors.ts';
import { isFederationId, MAX_MEMBERS } from '../federation/charter.ts';
import { compileRules } from './compile.ts';
import { checkRules, type Rule } from './rule.ts';

export const BASELINE_TYPE = 'govfed.policy/v1';
export const POLICY_PAYLOAD_TYPE = 'application/vnd.govfed.policy+json';
export const MAX_BASELINE_BYTES = 256 * 1024;
/** Bounds for bundle envelopes off the wire: a maximal bundle in base64 plus a signature per member. */
export const BASELINE_ENVELOPE_LIMITS: Required<EnvelopeLimits> = {
  maxBytes: 2 * MAX_BASELINE_BYTES + 64 * 1024,
  maxSignatures: 2 * MAX_MEMBERS,
};

export interface PolicyBaseline {
  type: typeof BASELINE_TYPE;
  federationId: string;
  version: number;
  previous: string | null;
  createdAt: string;
  expiresAt: string;
  rules: Rule[];
  /** The lowest risk score of each tier above `low` (protocol/registry/risk.ts); absent: DEFAULT_RISK_TIERS. */
  riskTiers?: RiskTiers;
}

/** Score thresholds: a score ≥ `serious` is serious, else ≥ `high` high, else ≥ `medium` medium, else low. */
export interface RiskTiers {
  serious: number;
  high: number;
  medium: number;
}

export const DEFAULT_RISK_TIERS: Readonly<RiskTiers> = { serious: 80, high: 50, medium: 20 };
export const MAX_RISK_THRESHOLD = 1_000_000;

const FIELDS = ['type', 'federationId', 'version', 'previous', 'createdAt', 'expiresAt', 'rules'];
const OPTIONAL_FIELDS = ['riskTiers'];

/** Checks `riskTiers` (attacker-controlled): three integers, serious > high > medium ≥ 1. */
export function checkRiskTiers(v: unknown, where = 'riskTiers'): RiskTiers {
  const bad = () =>
    malformed(
      `${where}: expected {serious, high, medium}: integers with serious > high > medium ≥ 1 (at most ${MAX_RISK_THRESHOLD})`,
    );
  if (!isPlainObject(v)) throw bad();
  const keys = Object.keys(v).sort();
  if (keys.join(',') !== 'high,medium,serious') throw bad();
  const n = (x: unknown) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 1 && x <= MAX_RISK_THRESHOLD;
  if (!n(v.serious) || !n(v.high) || !n(v.medium)) throw bad();
  const t = { serious: v.serious as number, high: v.high as number, medium: v.medium as number };
  if (!(t.serious > t.high && t.high > t.medium)) throw bad();
  return t;
}

function malformed(message: string, cause?: unknown): GovfedError {
  return new GovfedError(
    'ERR_MALFORMED_POLICY',
    `policy bundle: ${message}`,
    cause === undefined ? undefined : { cause },
  );
}

/** Shape only (rules shape-checked, not compiled). Throws ERR_MALFORMED_POLICY / ERR_INVALID_RULE. */
export function checkBaselineShape(value: unknown): PolicyBaseline {
  if (!isPlainObject(value)) throw malformed('expected an object');
  for (const k of FIELDS) if (!Object.hasOwn(value, k)) throw malformed(`missing "${k}"`);
  for (const k of Object.keys(value)) {
    if (!FIELDS.includes(k) && !OPTIONAL_FIELDS.includes(k)) throw malformed(`unknown field "${k}"`);
  }
  const v = value;
  if (v.type !== BASELINE_TYPE) throw malformed(`type: expected "${BASELINE_TYPE}"`);
  if (!isFederationId(v.federationId)) throw malformed('federationId: expected 64 lowercase hex');
  const version = v.version;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
    throw malformed('version: expected an integer >= 1');
  }
  if (version === 1 ? v.previous !== null : !isSha256Digest(v.previous)) {
    throw malformed('previous: expected null for version 1, otherwise sha256:<64 hex>');
  }
  if (!isRfc3339Utc(v.createdAt)) throw malformed('createdAt: expected an RFC 3339 UTC timestamp');
  if (!isRfc3339Utc(v.expiresAt)) throw malformed('expiresAt: expected an RFC 3339 UTC timestamp');
  if (!(Date.parse(v.expiresAt) > Date.parse(v.createdAt))) throw malformed('expiresAt: must be later than createdAt');
  const b: PolicyBaseline = {
    type: BASELINE_TYPE,
    federationId: v.federationId,
    version,
    previous: v.previous as string | null,
    createdAt: v.createdAt,
    expiresAt: v.expiresAt,
    rules: checkRules(v.rules),
  };
  if (v.riskTiers !== undefined) b.riskTiers = checkRiskTiers(v.riskTiers);
  return b;
}

/** Shape, then every rule compiled (publish-time check). Returns a fresh bundle. */
export function checkBaseline(value: unknown): PolicyBaseline {
  const b = checkBaselineShape(value);
  compileRules(b.rules);
  return b;
}

/** Canonical bytes of a (checked) bundle: the DSSE payload and the digest's input. */
export function encodeBaseline(b: PolicyBaseline): Uint8Array {
  const bytes = canonicalBytes(checkBaseline(b));
  if (bytes.length > MAX_BASELINE_BYTES) throw malformed(`larger than ${MAX_BASELINE_BYTES} bytes`);
  return bytes;
}

/** Parses bundle bytes (attacker-controlled): bounded canonical JSON, then checkBaseline. */
export function decodeBaseline(bytes: Uint8Array): PolicyBaseline {
  let value: unknown;
  try {
    value = parseCanonical(bytes, MAX_BASELINE_BYTES);
  } catch (cause) {
    if (isGovfedError(cause, 'ERR_NOT_CANONICAL')) throw cause;
    throw malformed('not bounded canonical JSON', cause);
  }
  return checkBaseline(value);
}

/** `sha256:` + hex SHA-256 of the bundle's canonical bytes. */
export function baselineDigest(b: PolicyBaseline): string {
  return `sha256:${toHex(sha256(encodeBaseline(b)))}`;
}

/**
 * The envelope (attacker-controlled, any JSON value) and the bundle inside, checked for shape,
 * payload type and rules — NOT for signatures (bundleStatus / PolicyChain.accept do that).
 */
export function decodeBaselineEnvelope(value: unknown): { envelope: Envelope; bundle: PolicyBaseline } {
  const envelope = parseEnvelope(value, BASELINE_ENVELOPE_LIMITS);
  const d = decodeEnvelope(envelope);
  if (d.payloadType !== POLICY_PAYLOAD_TYPE) {
    throw new GovfedError('ERR_PAYLOAD_TYPE_MISMATCH', `payloadType must be ${POLICY_PAYLOAD_TYPE}`);
  }
  return { envelope, bundle: decodeBaseline(d.payload) };
}
