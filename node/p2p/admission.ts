/**
 * Inbound admission before the handshake: how many unauthenticated connections one source may hold.
 *
 * Until the Noise handshake ends, an inbound TCP connection has no peer id — the member-only gate
 * (gate.ts) cannot judge it — yet it holds one of libp2p's pending-upgrade slots. libp2p 2.x's defaults
 * (10 pending upgrades, 10 s upgrade timeout) let twenty silent sockets, re-opened as they close, keep
 * every member out. The host (host.ts) therefore sets:
 *
 *   INBOUND_UPGRADE_TIMEOUT_MS   3 s   a handshake that has not finished by then is dropped
 *   MAX_PENDING_UPGRADES       256     libp2p's global cap on pending inbound upgrades
 *   INBOUND_RATE_PER_SECOND     16     libp2p's per-host rate of new inbound connections
 *   MAX_PENDING_PER_SOURCE       8     this file: pending handshakes per source (IPv4 address, IPv6 /64)
 *   LISTEN_BACKLOG              16     the kernel's queue of connected sockets a listener has not accepted
 *
 * LISTEN_BACKLOG (Node's default is 511): Node accepts one queued connection per listener per turn of the
 * event loop (libuv since libuv/libuv#3696). When a node is slow — its turns take seconds — a dialer
 * gives up on a queued connection, and it stays queued, dead, ahead of every later dial, which times out
 * in turn: at N = 50 in the wide bench listeners held 75–512 such connections and an admission
 * waited for minutes ("the accept queue" in docs/benchmarks.md). With a short queue the kernel drops a
 * SYN beyond it instead: the dialer's connect retries (SYN again after 1 s, 3 s, …) or times out without
 * leaving a connection behind, and a queued one waits behind at most 16 others (Linux queues one past the backlog).
 *
 * and this limiter, called by the connection gater's `denyInboundConnection` (before any byte of the
 * handshake is read), refuses a source's connection while it already has MAX_PENDING_PER_SOURCE
 * handshakes under way. A handshake counts from its first byte until it completes
 * (`denyInboundEncryptedConnection`) or its upgrade timeout passes (a failed or silent one keeps its
 * place until then: no source gets back a slot faster by hanging up). One source can thus hold at most
 * 8 of the 256 slots; exhausting them takes 32 addresses (32 /64s for IPv6).
 *
 * Known member addresses bypass the limit: the IPs of the charter's members as we have seen them
 * (an authenticated member connection, in or out) and those the host was started with (the addresses
 * the federation remembers). libp2p's `allow` list is fixed at start, so the static part goes there
 * too, which also lifts libp2p's global caps for them.
 */

export const INBOUND_UPGRADE_TIMEOUT_MS = 3_000;
export const LISTEN_BACKLOG = 16;
export const MAX_PENDING_UPGRADES = 256;
export const INBOUND_RATE_PER_SECOND = 16;
export const MAX_PENDING_PER_SOURCE = 8;
/** Most remembered member addresses (oldest forgotten first). */
export const MAX_KNOWN_ADDRESSES = 4096;

/** The part of a libp2p MultiaddrConnection the limiter reads. */
export interface InboundConn {
  remoteAddr: { toString(): string };
}

export interface AdmissionOptions {
  maxPendingPerSource?: number;
  /** How long a handshake keeps its place at most (the upgrade timeout). */
  windowMs?: number;
  now?: () => number;
}

/** The IP address in a multiaddr (`/ip4/A/…`, `/ip6/A/…`), or undefined. */
export function ipOf(addr: string): string | undefined {
  const m = /^\/(ip4|ip6)\/([^/]+)/.exec(addr);
  return m === null ? undefined : (m[2] as string).toLowerCase();
}

/** The source a limit applies to: the IPv4 address, or the /64 of an IPv6 address. */
export function sourceOf(ip: string): string {
  if (!ip.includes(':') || ip.startsWith('::ffff:')) return ip.replace(/^::ffff:/, '');
  const [head = '', tail = ''] = ip.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const full = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${full
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

export class InboundLimiter {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  /** Handshakes under way: connection → (source, start). */
  readonly #pending = new Map<InboundConn, { source: string; at: number }>();
  readonly #known = new Set<string>();
  /** Connections refused so far (for metrics). */
  refused = 0;

  constructor(opts: AdmissionOptions = {}) {
    this.#max = opts.maxPendingPerSource ?? MAX_PENDING_PER_SOURCE;
    this.#windowMs = opts.windowMs ?? INBOUND_UPGRADE_TIMEOUT_MS;
    this.#now = opts.now ?? Date.now;
  }

  /** Remembers a member's address (a multiaddr or a bare IP): its connections skip the limit. */
  allowAddress(addr: string): void {
    const ip = addr.startsWith('/') ? ipOf(addr) : addr.toLowerCase();
    if (ip === undefined || this.#known.has(ip)) return;
    if (this.#known.size >= MAX_KNOWN_ADDRESSES) this.#known.delete(this.#known.values().next().value as string);
    this.#known.add(ip);
  }

  isKnown(addr: string): boolean {
    const ip = ipOf(addr);
    return ip !== undefined && this.#known.has(ip);
  }

  /** Handshakes under way from the source of `addr`. */
  pendingFrom(addr: string): number {
    const ip = ipOf(addr);
    if (ip === undefined) return 0;
    this.#expire();
    const source = sourceOf(ip);
    let n = 0;
    for (const p of this.#pending.values()) if (p.source === source) n += 1;
    return n;
  }

  /** Called before the handshake: true to let it start, false to refuse the connection. */
  begin(conn: InboundConn): boolean {
    const addr = conn.remoteAddr.toString();
    const ip = ipOf(addr);
    if (ip === undefined || this.#known.has(ip)) return true;
    if (this.pendingFrom(addr) >= this.#max) {
      this.refused += 1;
      return false;
    }
    this.#pending.set(conn, { source: sourceOf(ip), at: this.#now() });
    return true;
  }

  /** The handshake of `conn` completed (the remote peer is authenticated). */
  done(conn: InboundConn): void {
    this.#pending.delete(conn);
  }

  #expire(): void {
    const cutoff = this.#now() - this.#windowMs;
    for (const [c, p] of this.#pending) if (p.at <= cutoff) this.#pending.delete(c);
  }
}
