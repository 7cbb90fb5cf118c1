/**
 * The anti-entropy transport: `/govfed/sync/1.0.0` request/response over libp2p streams.
 *
 * One stream carries one exchange: the dialer writes one request frame, the listener answers with one
 * response frame and both close. A frame is an unsigned-varint length prefix and the JCS bytes of a
 * sync message (protocol/federation/sync.ts), at most MAX_SYNC_MESSAGE_BYTES; a longer prefix, a
 * malformed frame or a stall longer than SYNC_TIMEOUT_MS ends the stream (attacker-controlled input
 * is decoded by decodeSyncMessage only). What to answer is the federation's business (`SyncHandler`).
 *
 *   request       response
 *   hello         hello            (both sides learn each other's heads)
 *   get-charters  charters
 *   proposal      hello            (a pending change pushed for co-signing, acknowledged)
 *   charters      hello            (versions pushed unasked, e.g. by a joiner; acknowledged)
 */
import {
  decodeSyncMessage,
  encodeSyncMessage,
  MAX_SYNC_MESSAGE_BYTES,
  type SyncMessage,
} from '../../protocol/federation/sync.ts';
import { SYNC_PROTOCOL } from '../../protocol/federation/topics.ts';
import type { Host } from './host.ts';
import { requestOnce, serveRequests } from './request.ts';

/** Longest wait for a frame, either side. */
export const SYNC_TIMEOUT_MS = 10_000;

/** Answers one request (attacker-controlled `msg`, from the authenticated peer `from`). */
export type SyncHandler = (msg: SyncMessage, from: string) => Promise<SyncMessage>;

/** Called when an inbound exchange fails (for the operator's log). */
export type SyncErrorSink = (from: string, err: unknown) => void;

export class SyncTransport {
  readonly #host: Host;

  constructor(host: Host) {
    this.#host = host;
  }

  /** Serves inbound exchanges with `handler` (request.ts's framing and per-peer limits). */
  async serve(handler: SyncHandler, onError: SyncErrorSink): Promise<void> {
    await serveRequests(this.#host, SYNC_PROTOCOL, {
      maxBytes: MAX_SYNC_MESSAGE_BYTES,
      timeoutMs: SYNC_TIMEOUT_MS,
      handler: async (req, from) => encodeSyncMessage(await handler(decodeSyncMessage(req), from)),
      allows: () => true, // the gate already decided who holds a connection
      onError,
    });
  }

  /**
   * One exchange with `peerId` (request.ts requestOnce: its framing, outbound stream slots and typed
   * failures): sends `msg`, returns the decoded, shape-checked answer. A peer that does not answer in full
   * is ERR_PEER_UNAVAILABLE, with why; an answer that does not decode is the decoder's typed error.
   */
  async request(peerId: string, msg: SyncMessage): Promise<SyncMessage> {
    const frame = await requestOnce(
      this.#host,
      peerId,
      SYNC_PROTOCOL,
      encodeSyncMessage(msg),
      MAX_SYNC_MESSAGE_BYTES,
      SYNC_TIMEOUT_MS,
    );
    return decodeSyncMessage(frame);
  }
}
