/**
 * One request/response exchange with a member (FederationContext.request): a member we are not
 * connected to is dialled by the addresses we learnt for it first; a request that timed out on a
 * connection that turns out dead (it outlived a partition) is asked again once, on a fresh connection.
 */
import { errorText } from '../chain/index.ts';
import { NodeError } from '../errors.ts';
import type { EventSink } from '../events.ts';
import type { Host } from '../p2p/host.ts';
import { REQUEST_TIMEOUT_MS, requestOnce } from '../p2p/request.ts';

/** How long one learnt address may take to dial before the next is tried. */
const DIAL_PER_ADDRESS_MS = 3000;
/** What #reconnect answers when the probe found the connection alive (nothing closed, no retry). */
const LIVE = Symbol('live');

type Net = { host: Host };

/** What requests need of the federation's core (core.ts FederationCore), named here: core.ts imports this file. */
export interface MemberRequestsCore {
  requireNet(): Net;
  readonly addresses: Record<string, string[]>;
  readonly stopped: boolean;
  /** Dials `peer` by its learnt addresses unless connected: undefined once connected, else the failure. */
  dialKnown(peer: string, timeoutMs: number, perAddressMs?: number): Promise<unknown>;
  readonly events: EventSink;
}

export class MemberRequests {
  readonly #c: MemberRequestsCore;
  /** Reconnections under way (a dead-looking connection closed and dialled afresh), by peer. */
  readonly #reconnecting = new Map<string, Promise<unknown>>();

  constructor(core: MemberRequestsCore) {
    this.#c = core;
  }

  async request(
    peer: string,
    protocol: string,
    bytes: Uint8Array,
    maxBytes: number,
    timeoutMs?: number,
  ): Promise<Uint8Array> {
    const net = this.#c.requireNet();
    // A member we are not connected to is dialled by the addresses we learnt for it first (libp2p
    // alone knows only those of peers it was connected to); without any, libp2p tries its own.
    const timeout = timeoutMs ?? REQUEST_TIMEOUT_MS;
    const connected = net.host.connectedPeers().includes(peer);
    if (!connected && (this.#c.addresses[peer]?.length ?? 0) > 0) {
      const failure = await this.#c.dialKnown(peer, timeout, Math.min(timeout, DIAL_PER_ADDRESS_MS));
      if (failure !== undefined) throw failure;
    }
    try {
      return await requestOnce(net.host, peer, protocol, bytes, maxBytes, timeout);
    } catch (err) {
      // A connection that outlived a partition can be dead while it still looks open (TCP has not
      // noticed yet): the request times out. Then probe it; if dead, close it, dial afresh and ask
      // again, once (a request that failed while that probe or reconnection was under way waits for
      // it and asks again too). A live connection to a slow peer is kept and the timeout stands:
      // under overload, redialling only adds handshakes (issue 17). Every request on this path is
      // idempotent (reads, signed objects, the witness's same cosignature). Any other failure
      // (refused protocol, reset stream, an error answer) leaves the connection be.
      const dead = isTimeout(err) || this.#reconnecting.has(peer);
      if (!connected || !dead || this.#c.stopped || (this.#c.addresses[peer]?.length ?? 0) === 0) throw err;
      const failure = await this.#reconnect(net, peer, protocol, err, timeout);
      if (failure === LIVE) throw err; // a busy peer: its connection answered the probe and is kept
      if (failure !== undefined) {
        // Closing the connection cut this exchange (or it had timed out): say why it was not asked again.
        throw new NodeError(
          'ERR_PEER_UNAVAILABLE',
          `${(err as Error).message}; its connection was closed to dial it afresh, which failed: ${errorText(failure)}`,
          { cause: err },
        );
      }
      return await requestOnce(net.host, peer, protocol, bytes, maxBytes, timeout);
    }
  }

  /**
   * After a request to `peer` timed out: probes the connection first (a stream opened on it, within the
   * request's timeout) — a live connection to a slow (saturated) peer is kept, and `LIVE` returned.
   * Only a dead one (the probe got no answer: a connection that outlived a partition) is closed and
   * dialled afresh by the learnt addresses — once for all the requests that failed on it together
   * (closing a connection fails its other streams too). Resolves with LIVE, with undefined once
   * connected again, else with the dial failure.
   */
  #reconnect(net: Net, peer: string, protocol: string, err: unknown, timeout: number): Promise<unknown> {
    let pending = this.#reconnecting.get(peer);
    if (pending === undefined) {
      pending = (async () => {
        if (await net.host.isAlive(peer, timeout)) return LIVE;
        if (this.#c.stopped) return LIVE; // stopping: nothing closed; the request fails with its own error
        this.#c.events('federation:request-retried', { peer, protocol, error: errorText(err) });
        await net.host.closePeer(peer);
        return await this.#c.dialKnown(peer, timeout, Math.min(timeout, DIAL_PER_ADDRESS_MS));
      })().finally(() => this.#reconnecting.delete(peer));
      this.#reconnecting.set(peer, pending);
    }
    return pending;
  }
}

/** A timeout (a TimeoutError), also when wrapped in a typed error (p2p/request.ts answerError keeps it as the cause). */
function isTimeout(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return err.name === 'TimeoutError' || /timed? ?out/i.test(err.message) || isTimeout(err.cause);
}
