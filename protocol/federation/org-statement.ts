/**
 * An org node's signed statement — a monitoring window (protocol/monitoring/statement.ts), a model-counts
 * statement (protocol/report/counts.ts): a DSSE envelope with exactly one signature, by the peer key the
 * charter gives the org its canonical-JSON payload names. The first steps of those statements'
 * checklists, one implementation:
 *
 *   1. envelope well-formed within the limits, exactly one signature, the payload type, a canonical-JSON
 *      payload of at most maxPayloadBytes naming an `org`            (`malformed`, ERR_PAYLOAD_TYPE_MISMATCH)
 *   2. that org is a member (`peerIdOf`)                               (ERR_UNKNOWN_SIGNER)
 *   3. the signature is that member's peer key's                      (verifyPeerSigned's codes)
 *
 * What the payload says is the caller's to check next. Pure: no I/O.
 */
import { isPlainObject } from '../audit/fields.ts';
import { parseCanonical } from '../canonical/jcs.ts';
import type { VerifyOptions } from '../crypto/ed25519.ts';
import { decodeEnvelope, type EnvelopeLimits, parseEnvelope } from '../dsse/index.ts';
import { GovfedError } from '../errors.ts';
import { MODEL_ORG_RE } from '../registry/model-ref.ts';
import { verifyPeerSigned } from './envelope.ts';

export interface OrgStatementRules {
  /** What the statement is called in messages: `monitor window`, `model counts`. */
  what: string;
  payloadType: string;
  maxPayloadBytes: number;
  limits: EnvelopeLimits;
  /** The statement's own "malformed" error (ERR_MALFORMED_MONITOR_WINDOW, ERR_MALFORMED_COUNTS). */
  malformed: (message: string, cause?: unknown) => GovfedError;
}

/** Steps 1–3 above on an envelope (attacker-controlled); returns the payload (a JSON object) and its org. */
export function openOrgStatement(
  input: unknown,
  rules: OrgStatementRules,
  peerIdOf: (org: string) => string | undefined,
  opts: VerifyOptions = {},
): { payload: Record<string, unknown>; org: string } {
  // 1.
  const env = parseEnvelope(input, rules.limits);
  if (env.signatures.length !== 1) throw rules.malformed('expected exactly one signature (the org node)');
  const d = decodeEnvelope(env);
  if (d.payloadType !== rules.payloadType) {
    throw new GovfedError('ERR_PAYLOAD_TYPE_MISMATCH', `payloadType must be ${rules.payloadType}`);
  }
  let payload: unknown;
  try {
    payload = parseCanonical(d.payload, rules.maxPayloadBytes);
  } catch (cause) {
    throw rules.malformed('payload is not canonical JSON', cause);
  }
  const org = isPlainObject(payload) ? payload.org : undefined;
  if (!isPlainObject(payload) || typeof org !== 'string' || !MODEL_ORG_RE.test(org)) {
    throw rules.malformed('org: expected an org name');
  }
  // 2.
  const peer = peerIdOf(org);
  if (peer === undefined) throw new GovfedError('ERR_UNKNOWN_SIGNER', `${rules.what}: ${org} is not a member`);
  // 3.
  verifyPeerSigned(env, { payloadType: rules.payloadType, allowed: new Set([peer]), limits: rules.limits, ...opts });
  return { payload, org };
}
