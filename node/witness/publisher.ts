/**
 * Checkpoint publishing: every new checkpoint of this node's log is taken to its witnesses (asker.ts) —
 * as the log signs it, with a poll as the fallback — and, once k of them cosigned it, gossiped as
 * `checkpoint` {note: the log's signature and the cosignatures}, once per witnessed size. While the
 * latest checkpoint is not witnessed, each sync round asks again (witnesses that failed for it
 * included), and so does each member that connects. A retired log's last checkpoint is taken to them the same way
 * until it is witnessed.
 */
import { checkpointBody } from '../../protocol/witness/gossip.ts';
import type { WitnessAsker } from './asker.ts';
import type { CosignatureCollector, Witnessed } from './collector.ts';
import { isOwnOrigin, type WitnessDeps } from './deps.ts';
import { errorText } from './failures.ts';

/** How often the own log's latest checkpoint is looked at. */
const POLL_MS = 200;

export class CheckpointPublisher {
  readonly #d: WitnessDeps;
  readonly #collector: CosignatureCollector;
  readonly #asker: WitnessAsker;
  #timer: NodeJS.Timeout | undefined;
  #listening = false;
  #lastAsked = -1;

  constructor(deps: WitnessDeps, collector: CosignatureCollector, asker: WitnessAsker) {
    this.#d = deps;
    this.#collector = collector;
    this.#asker = asker;
    collector.onWitnessed((origin, w) => this.#gossip(origin, w));
  }

  /** Asks as the log signs (its listener stays registered: it is a no-op once stopped) and polls. */
  start(): void {
    if (this.#timer !== undefined) return;
    if (!this.#listening) {
      this.#d.log.onCheckpoint(() => this.#tick());
      this.#listening = true;
    }
    this.#timer = setInterval(() => this.#tick(), POLL_MS);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** A member connected: its witness counts as reachable again, and the latest checkpoint is asked for. */
  onPeerConnected(peer: string): void {
    this.#asker.reachable(peer);
    if (this.#timer !== undefined) this.#asker.ask(this.#d.home.config.origin);
  }

  /** Each sync round: the witnesses of our unwitnessed checkpoints asked again — the retired logs' too. */
  onSyncRound(): void {
    if (this.#timer === undefined) return;
    for (const origin of [this.#d.home.config.origin, ...this.#d.retired.keys()]) {
      const log = origin === this.#d.home.config.origin ? this.#d.log : this.#d.retired.get(origin);
      const w = this.#collector.witnessed(origin);
      let size: number;
      try {
        size = log?.checkpoint().size ?? 0;
      } catch {
        continue; // the log is stopping
      }
      if (w === undefined || w.size < size) this.#asker.ask(origin, { retry: true });
    }
  }

  /** A newly witnessed checkpoint of one of this node's logs goes out as gossip, once. */
  #gossip(origin: string, w: Witnessed): void {
    const ctx = this.#d.federation();
    if (!this.#d.running() || ctx === undefined || !isOwnOrigin(this.#d, origin)) return;
    this.#d.metrics?.gossiped.inc();
    void ctx
      .publish('checkpoint', checkpointBody(w.note))
      .catch((err) => this.#d.events('witness:error', { origin, error: errorText(err) }));
  }

  #tick(): void {
    if (this.#timer === undefined || !this.#d.running()) return;
    let size: number;
    try {
      size = this.#d.log.checkpoint().size;
    } catch {
      return; // the log is stopping
    }
    if (size <= this.#lastAsked) return;
    this.#lastAsked = size;
    this.#asker.ask(this.#d.home.config.origin);
  }
}
