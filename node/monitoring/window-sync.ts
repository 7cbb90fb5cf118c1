/**
 * The monitoring windows' anti-entropy (protocol/monitoring sync.ts, `/govfed/monitoring/1.0.0`): a
 * member that was offline while a window was gossiped gets it from a peer in a later sync round.
 *
 *   serve   the latest window of every series this node holds, newest first, as many as the frame takes;
 *   pull    each sync round, one of the round's peers (in turn) is asked; every envelope it sends is
 *           handed to `take` — the same checklist a gossiped window goes through (verifyWindow: signed by
 *           that org's peer key, the contract's monitor, value and breach recomputed from its counts and
 *           the baseline) before anything is kept. A window of a version or contract not held yet
 *           (ERR_MONITOR_NOT_HELD) is left for a later round; any other failure is the peer's
 *           (ctx.reject). Envelopes already judged are skipped by their signature (bounded memory). A
 *           peer whose hello head (node/federation/heads.ts, `head()`) is ours holds the same latest
 *           windows: it is not asked.
 */
import type { Envelope } from '../../protocol/dsse/index.ts';
import { isGovfedError } from '../../protocol/errors.ts';
import type { Head } from '../../protocol/federation/index.ts';
import {
  decodeWindowsRequest,
  decodeWindowsResponse,
  encodeWindowsRequest,
  encodeWindowsResponse,
  MAX_MONITOR_SYNC_FRAME,
  MONITOR_SYNC_PROTOCOL,
} from '../../protocol/monitoring/sync.ts';
import { errorText } from '../chain/index.ts';
import { headOf, sameHead } from '../federation/heads.ts';
import type { FederationContext, ModuleProtocol } from '../federation/module.ts';
import type { WindowBook } from './window-book.ts';

const REQUEST_TIMEOUT_MS = 5000;
/** Envelope signatures remembered as judged. */
const SEEN_MAX = 4096;

export class WindowSync {
  readonly #book: WindowBook;
  /** Verifies and keeps one window (attacker-controlled); true when it was new. Throws what verifyWindow throws. */
  readonly #take: (envelope: Envelope) => boolean;
  readonly #seen = new Set<string>();
  #round = 0;

  constructor(book: WindowBook, take: (envelope: Envelope) => boolean) {
    this.#book = book;
    this.#take = take;
  }

  readonly protocol: ModuleProtocol = {
    maxBytes: MAX_MONITOR_SYNC_FRAME,
    handle: async (req) => {
      decodeWindowsRequest(req);
      const latest = this.#book.latest().sort((a, b) => (a.window.to < b.window.to ? 1 : -1));
      return encodeWindowsResponse(latest.map((h) => h.envelope));
    },
  };

  clear(): void {
    this.#seen.clear();
  }

  /**
   * The monitoring sync kind's head: how many series have a window here, and a digest over each one's
   * latest window signatures (sorted) — what `serve` answers from. A member with the same head holds the
   * same latest windows.
   */
  head(): Head {
    const sigs = this.#book.latest().map((h) => h.envelope.signatures.map((x) => `${x.keyid}:${x.sig}`).join(' '));
    return headOf(sigs.length, sigs.sort());
  }

  /** One sync round: asks one of `peers` and takes what it holds; the number of windows new here. */
  async pull(ctx: FederationContext, peers: readonly string[]): Promise<number> {
    if (peers.length === 0) return 0;
    const peer = peers[this.#round++ % peers.length] as string;
    if (sameHead(ctx.peerHead?.(peer, 'monitoring'), this.head())) return 0;
    let envelopes: Envelope[];
    try {
      const raw = await ctx.request(
        peer,
        MONITOR_SYNC_PROTOCOL,
        encodeWindowsRequest(),
        MAX_MONITOR_SYNC_FRAME,
        REQUEST_TIMEOUT_MS,
      );
      envelopes = decodeWindowsResponse(raw);
    } catch (err) {
      if (isGovfedError(err)) ctx.reject('request', 'monitor-window', peer, err, 'reject');
      else ctx.events('monitoring:sync-failed', { peer, error: errorText(err) });
      return 0;
    }
    let added = 0;
    for (const env of envelopes) {
      const sig = env.signatures[0]?.sig ?? '';
      if (this.#seen.has(sig)) continue;
      try {
        if (this.#take(env)) added++;
      } catch (err) {
        if (isGovfedError(err, 'ERR_MONITOR_NOT_HELD')) continue; // not judgeable yet: a later round
        ctx.reject('request', 'monitor-window', peer, err, 'reject');
      }
      if (this.#seen.size >= SEEN_MAX) this.#seen.clear();
      this.#seen.add(sig);
    }
    return added;
  }
}
