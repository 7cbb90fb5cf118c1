/**
 * The asking side of `/govfed/log/1.0.0` (codec: protocol/witness/log-protocol.ts): requests about a
 * member's log go to its owner's node or, when that cannot be reached, through a connected member that
 * relays them. This node relays too: a request about another member's log is passed on, once,
 * unchanged. Answers are attacker-controlled; callers verify them against signed checkpoints.
 */
import {
  decodeLogRequest,
  encodeLogMessage,
  isUnavailableAnswer,
  LOG_PROTOCOL,
  LOG_PROTOCOL_MAX_BYTES,
  type LogRequest,
} from '../../protocol/witness/log-protocol.ts';
import { NodeError } from '../errors.ts';
import { isOwnOrigin, type WitnessDeps } from './deps.ts';
import { errorText } from './failures.ts';
import type { MemberLog } from './members.ts';

/** Timeout of one /govfed/log/1.0.0 exchange. */
export const REQUEST_TIMEOUT_MS = 5000;

export class LogClient {
  readonly #d: WitnessDeps;

  constructor(deps: WitnessDeps) {
    this.#d = deps;
  }

  /**
   * One request about `ml`'s log: to its owner's node, or — when that cannot be reached — relayed by
   * a connected member. Throws the owner's failure when no relay answers either.
   */
  async request(ml: MemberLog, req: LogRequest): Promise<Uint8Array> {
    try {
      return await this.#send(ml.member.peerId, req);
    } catch (first) {
      const ctx = this.#d.federation();
      const relays = (ctx?.connectedMembers() ?? []).filter((p) => p !== ml.member.peerId && p !== ctx?.peerId);
      for (const relay of relays) {
        try {
          // A relay that cannot reach the owner either answers ERR_PEER_UNAVAILABLE: ask the next one (a
          // member admitted by someone else is often reachable through its inviter only).
          const answer = await this.#send(relay, req);
          if (!isUnavailableAnswer(answer)) return answer;
        } catch {
          // try the next one
        }
      }
      throw first;
    }
  }

  /** request(), with any failure to reach the owner's node as ERR_PEER_UNAVAILABLE. */
  async requestOrUnavailable(ml: MemberLog, req: LogRequest): Promise<Uint8Array> {
    try {
      return await this.request(ml, req);
    } catch (cause) {
      throw new NodeError('ERR_PEER_UNAVAILABLE', `cannot reach ${ml.member.org}'s node: ${errorText(cause)}`, {
        cause,
      });
    }
  }

  /**
   * Serving side: a request about another member's log (`origin` set, not ours) is relayed once,
   * unchanged, to that member's node — members that cannot dial each other directly still reach each
   * other's logs. The answer is passed back as is (the requester verifies it against signed checkpoints
   * anyway). Anything else is answered by `local`.
   */
  async relayOr(req: Uint8Array, local: (req: Uint8Array) => Promise<Uint8Array>): Promise<Uint8Array> {
    let origin: string | undefined;
    try {
      const decoded = decodeLogRequest(req);
      origin = 'origin' in decoded ? decoded.origin : undefined;
    } catch {
      return await local(req); // the local handler answers with the error
    }
    const ml = origin === undefined ? undefined : this.#d.members.get(origin);
    if (origin === undefined || isOwnOrigin(this.#d, origin) || ml === undefined) return await local(req);
    try {
      return (
        (await this.#d
          .federation()
          ?.request(ml.member.peerId, LOG_PROTOCOL, req, LOG_PROTOCOL_MAX_BYTES, REQUEST_TIMEOUT_MS)) ??
        (await local(req))
      );
    } catch (err) {
      return encodeLogMessage({ type: 'error', code: 'ERR_PEER_UNAVAILABLE', message: errorText(err).slice(0, 512) });
    }
  }

  async #send(peer: string, req: LogRequest): Promise<Uint8Array> {
    const ctx = this.#d.federation();
    if (ctx === undefined) throw new NodeError('ERR_NO_FEDERATION', 'not in a federation');
    return await ctx.request(peer, LOG_PROTOCOL, encodeLogMessage(req), LOG_PROTOCOL_MAX_BYTES, REQUEST_TIMEOUT_MS);
  }
}
