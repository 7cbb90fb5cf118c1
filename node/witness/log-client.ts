/**
 * The asking side of `/govfed/log/1.0.0` (codec: protocol/witness/log-protocol.ts): a request about a
 * member's log goes to that member's own node — dialled, when not connected, by the addresses the
 * federation taught us (node/federation/sync.ts: address books in the first sync round) — and to no
 * one else. Nobody relays: a node answers only about its own logs (log-server.ts refuses any other
 * with ERR_UNKNOWN_ORIGIN), and when the owner cannot be reached the answer is ERR_PEER_UNAVAILABLE.
 * Answers are attacker-controlled; callers verify them against signed checkpoints.
 */
import {
  encodeLogMessage,
  LOG_PROTOCOL,
  LOG_PROTOCOL_MAX_BYTES,
  type LogRequest,
} from '../../protocol/witness/log-protocol.ts';
import { NodeError } from '../errors.ts';
import type { WitnessDeps } from './deps.ts';
import { errorText } from './failures.ts';
import type { MemberLog } from './members.ts';

/** Timeout of one /govfed/log/1.0.0 exchange (dialling the owner included). */
export const REQUEST_TIMEOUT_MS = 5000;

export class LogClient {
  readonly #d: WitnessDeps;

  constructor(deps: WitnessDeps) {
    this.#d = deps;
  }

  /** One request about `ml`'s log, to its owner's node. Throws what reaching it threw. */
  async #request(ml: MemberLog, req: LogRequest): Promise<Uint8Array> {
    const ctx = this.#d.federation();
    if (ctx === undefined) throw new NodeError('ERR_NO_FEDERATION', 'not in a federation');
    return await ctx.request(
      ml.member.peerId,
      LOG_PROTOCOL,
      encodeLogMessage(req),
      LOG_PROTOCOL_MAX_BYTES,
      REQUEST_TIMEOUT_MS,
    );
  }

  /**
   * One request about `ml`'s log, to its owner's node; any failure to reach it (no federation, no
   * known address, a failed dial, a timeout) is ERR_PEER_UNAVAILABLE (HTTP 503).
   */
  async requestOrUnavailable(ml: MemberLog, req: LogRequest): Promise<Uint8Array> {
    try {
      return await this.#request(ml, req);
    } catch (cause) {
      throw new NodeError('ERR_PEER_UNAVAILABLE', `cannot reach ${ml.member.org}'s node: ${errorText(cause)}`, {
        cause,
      });
    }
  }
}
