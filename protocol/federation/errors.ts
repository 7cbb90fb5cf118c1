/**
 * The error a gossip validator throws: a GovfedError that also says what the pubsub adapter should do
 * with the message (Lodestar style):
 *   - `reject`: the message is invalid — drop it and penalise the peer that forwarded it (gossipsub
 *     peer scoring, P4). Only for faults an honest peer could not have produced or forwarded.
 *   - `ignore`: drop it without penalty — it may be valid but is of no use to us now (stale, from the
 *     future, we are behind and must sync, clock skew).
 * One adapter maps `action` to the gossipsub result and counts rejections by `code`.
 */
import { type ErrorCode, GovfedError } from '../errors.ts';

export type GossipAction = 'reject' | 'ignore';

/** Thrown by decodeAndVerifyGossip; `code` says which check failed, `action` what to do about it. */
export class GossipValidationError extends GovfedError {
  readonly action: GossipAction;

  constructor(code: ErrorCode, action: GossipAction, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'GossipValidationError';
    this.action = action;
  }
}

/** True when `err` is a GossipValidationError (optionally with the given code). */
export function isGossipValidationError(err: unknown, code?: string): err is GossipValidationError {
  return err instanceof GossipValidationError && (code === undefined || err.code === code);
}
