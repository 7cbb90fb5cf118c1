/**
 * Outbound stream slots: at most `max` of our exchanges in flight per (peer, protocol). libp2p refuses a
 * stream past a protocol's limit on one connection ("Too many outbound protocol streams", 8 by default:
 * host.ts `handle`) instead of waiting, so a caller that asks one peer many things at once — a report
 * proving dozens of records in one member's log, say — would see some of them fail though the peer is
 * fine. Here the extra exchanges wait for a slot (first come, first served), bounded by their own
 * deadline. `max` stays below libp2p's limit: a stream that just closed on our side may still count
 * on the other's for a moment.
 */
import { NodeError } from '../errors.ts';

export const OUTBOUND_STREAMS_PER_PROTOCOL = 6;

export class StreamSlots {
  readonly #max: number;
  readonly #slots = new Map<string, { active: number; waiting: (() => void)[] }>();

  constructor(max = OUTBOUND_STREAMS_PER_PROTOCOL) {
    this.#max = max;
  }

  /** Waits (at most `timeoutMs`) for a slot of (`peer`, `protocol`); resolves with its release. */
  async acquire(peer: string, protocol: string, timeoutMs: number): Promise<() => void> {
    const key = `${peer} ${protocol}`;
    let s = this.#slots.get(key);
    if (s === undefined) {
      s = { active: 0, waiting: [] };
      this.#slots.set(key, s);
    }
    const slot = s;
    if (slot.active < this.#max) slot.active++;
    else {
      // A release hands its slot straight to the first waiter (active unchanged), so no newcomer can
      // take it in between.
      await new Promise<void>((resolve, reject) => {
        const go = () => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          slot.waiting.splice(slot.waiting.indexOf(go), 1);
          reject(new NodeError('ERR_PEER_UNAVAILABLE', `no free ${protocol} stream to ${peer} within ${timeoutMs} ms`));
        }, timeoutMs);
        slot.waiting.push(go);
      });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = slot.waiting.shift();
      if (next !== undefined) return next();
      slot.active--;
      if (slot.active === 0) this.#slots.delete(key);
    };
  }

  /** Exchanges in flight and waiting for (`peer`, `protocol`) (tests, metrics). */
  inFlight(peer: string, protocol: string): { active: number; waiting: number } {
    const s = this.#slots.get(`${peer} ${protocol}`);
    return { active: s?.active ?? 0, waiting: s?.waiting.length ?? 0 };
  }
}
