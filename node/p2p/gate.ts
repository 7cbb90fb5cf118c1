/**
 * The member-only gate: which peers may hold a connection to this node.
 *
 * A peer may connect iff it is a member of our current charter — or, narrowly, while a *join window* is
 * open for it. A join window opens for a peer id that a pending charter change lists as `added`, and
 * only when this node issued or signed that change or the change already has the member signatures its
 * rule requires (node/federation/pending.ts): one member's signature on a change that needs more opens
 * nothing, and re-sending it extends nothing. It closes at the change's signed deadline (charter
 * `expiresAt` — the invite's expiry; at most MAX_JOIN_WINDOW_MS) or as soon as the change is accepted,
 * superseded or expires. Inside the window the peer can do only what joining needs
 * (node/federation/sync.ts): over sync, `hello` and pushing its own admission (the `proposal` with
 * its signature, or the complete version in `charters`), each verified like anything else — no
 * `get-charters`, no other proposals, no federation module protocols. Gossipsub never hears of it
 * (gossip-gate.ts): nothing is sent to a non-member (not even our subscriptions) and nothing it sends is
 * read — its subscriptions are remembered, not given to gossipsub, so it is never grafted, flooded,
 * forwarded or sent IHAVE; once a charter makes it a member, the host's `sweep` hands them to gossipsub
 * and sends it ours, on the live connection.
 *
 * A peer the charter removed (and not back as a member) is *admitted* — its connection let in — for a
 * while after its removal, so that one removed while offline learns it (node/federation/departures.ts):
 * it is no member and in no window, so it gets no gossip and no module protocol; sync serves it only
 * the versions up to its removal. We never dial it.
 *
 * Enforced twice (belt and braces): libp2p's connection gater refuses encrypted connections (the remote
 * peer id is known after the Noise handshake) from or to peers not allowed, and `sweep` closes every
 * open connection whose peer is no longer allowed (after a charter change removed it or a window
 * closed). Without a federation nothing is allowed except the bootstrap peers a join names.
 */

/** Longest join window, whatever the invite says. */
export const MAX_JOIN_WINDOW_MS = 24 * 60 * 60_000;

export interface GateOptions {
  /** True when `peerId` is a member of the current charter. */
  isMember: (peerId: string) => boolean;
  /**
   * True when `peerId` was removed from the charter and may still connect to learn it (node/federation
   * departures.ts): its connection is let in, but it is no member — sync serves it only its removal.
   */
  departed?: (peerId: string) => boolean;
  now?: () => number;
}

export class MemberGate {
  readonly #isMember: (peerId: string) => boolean;
  readonly #departed: (peerId: string) => boolean;
  readonly #now: () => number;
  /** peer id → end of its join window (ms since the epoch). */
  readonly #windows = new Map<string, number>();

  constructor(opts: GateOptions) {
    this.#isMember = opts.isMember;
    this.#departed = opts.departed ?? (() => false);
    this.#now = opts.now ?? Date.now;
  }

  /** Opens (or extends) the join window of `peerId` until `untilMs`, capped at MAX_JOIN_WINDOW_MS from now. */
  openWindow(peerId: string, untilMs: number): void {
    const end = Math.min(untilMs, this.#now() + MAX_JOIN_WINDOW_MS);
    if (end > (this.#windows.get(peerId) ?? 0)) this.#windows.set(peerId, end);
  }

  closeWindow(peerId: string): void {
    this.#windows.delete(peerId);
  }

  /** True when `peerId` is not a member but has an open join window. */
  inWindow(peerId: string): boolean {
    const end = this.#windows.get(peerId);
    if (end === undefined) return false;
    if (end <= this.#now()) {
      this.#windows.delete(peerId);
      return false;
    }
    return true;
  }

  isMember(peerId: string): boolean {
    return this.#isMember(peerId);
  }

  /** May `peerId` hold a connection to us? */
  allows(peerId: string): boolean {
    return this.#isMember(peerId) || this.inWindow(peerId);
  }

  /** May `peerId` hold a connection, if only to learn that it was removed? (`allows`, or departed.) */
  admits(peerId: string): boolean {
    return this.allows(peerId) || this.#departed(peerId);
  }

  /** The libp2p ConnectionGater (libp2p 2.x method names); unlisted methods allow. `onDeny` hears refusals. */
  connectionGater(onDeny: (peerId: string) => void = () => {}) {
    const deny = (peer: { toString(): string }) => {
      const p = peer.toString();
      if (this.admits(p)) return false;
      onDeny(p);
      return true;
    };
    return {
      denyDialPeer: async (peer: { toString(): string }) => deny(peer),
      denyInboundEncryptedConnection: async (peer: { toString(): string }) => deny(peer),
      denyOutboundEncryptedConnection: async (peer: { toString(): string }) => deny(peer),
    };
  }
}
