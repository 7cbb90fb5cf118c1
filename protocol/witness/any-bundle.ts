/**
 * Either bundle format, as `govfed verify` takes a file: a single-log proof bundle (protocol/audit/
 * bundle.ts, `govfed-proof-bundle/v1`) or a cross-org bundle (bundle.ts here) — told apart by `format`,
 * then verified by that format's checklist.
 */
import { BUNDLE_FORMAT, type VerifiedBundle, verifyProofBundle } from '../audit/bundle.ts';
import { malformedBundle as malformed, parseBundleJson } from '../audit/bundle-fields.ts';
import { isPlainObject } from '../audit/fields.ts';
import type { VerifyOptions } from '../crypto/ed25519.ts';
import {
  CROSSORG_BUNDLE_FORMAT,
  type CrossOrgVerifyOptions,
  MAX_CROSSORG_BUNDLE_BYTES,
  type VerifiedCrossOrgBundle,
  verifyCrossOrgBundle,
} from './bundle.ts';

export type ParsedBundle =
  | { format: typeof BUNDLE_FORMAT; value: Record<string, unknown> }
  | { format: typeof CROSSORG_BUNDLE_FORMAT; value: Record<string, unknown> };

/** Parses a bundle file of either format (attacker-controlled) far enough to tell which it is. */
export function parseBundle(input: string | Uint8Array): ParsedBundle {
  const value = parseBundleJson(input, MAX_CROSSORG_BUNDLE_BYTES);
  if (!isPlainObject(value)) throw malformed('bundle: expected a JSON object');
  if (value.format === BUNDLE_FORMAT) return { format: BUNDLE_FORMAT, value };
  if (value.format === CROSSORG_BUNDLE_FORMAT) return { format: CROSSORG_BUNDLE_FORMAT, value };
  throw malformed(`format: expected "${BUNDLE_FORMAT}" or "${CROSSORG_BUNDLE_FORMAT}"`);
}

export type VerifiedAnyBundle =
  | { format: typeof BUNDLE_FORMAT; result: VerifiedBundle }
  | { format: typeof CROSSORG_BUNDLE_FORMAT; result: VerifiedCrossOrgBundle };

/**
 * Verifies a bundle of either format: a single-log bundle against `verifierKey` (pinned when given),
 * a cross-org bundle against `federationId` (pinned when given) and `now`.
 */
export function verifyBundle(
  input: string | Uint8Array,
  opts: { verifierKey?: string; federationId?: string; now?: number } & VerifyOptions = {},
): VerifiedAnyBundle {
  const parsed = parseBundle(input);
  if (parsed.format === BUNDLE_FORMAT) {
    const pin = opts.verifierKey === undefined ? {} : { verifierKey: opts.verifierKey };
    return { format: BUNDLE_FORMAT, result: verifyProofBundle(parsed.value, { ...pin, verify: opts.verify }) };
  }
  const o: CrossOrgVerifyOptions = { verify: opts.verify };
  if (opts.federationId !== undefined) o.federationId = opts.federationId;
  if (opts.now !== undefined) o.now = opts.now;
  return { format: CROSSORG_BUNDLE_FORMAT, result: verifyCrossOrgBundle(parsed.value, o) };
}
