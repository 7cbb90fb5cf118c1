/**
 * Checkpoint publishing: every new checkpoint of this node's log goes out as gossip `checkpoint`
 * {note} — as the log signs it, with a poll as the fallback, at most one gossip per PUBLISH_MIN_MS —
 * and while it is not witnessed it is sent again each sync round. Each one published starts its
 * cosignature collection (and the signed→witnessed lag clock).
 */
import { checkpointBody } from '../../protocol/witness/gossip.ts';
import type { AuditLog } from '../log/index.ts';
import type { CosignatureCollector } from './collector.ts';
import type { WitnessDeps } from './deps.ts';
import { errorText } from './failures.ts';

/**
 * Least time between two gossips of this node's checkpoint. New checkpoints come at most one per
 * checkpoint interval (1 s by default) and are gossiped as they are signed; this bound keeps a node with
 * a short interval from flooding, without delaying the normal one-per-second case.
 */
export const PUBLISH_MIN_MS = 500;
/** How often the own log's latest checkpoint is looked at. */
const POLL_MS = 200;

export class CheckpointPublisher {
  readonly #d: WitnessDeps;
  readonly #collector: CosignatureCollector;
  #timer: NodeJS.Timeout | undefined;
  #listening = false;
  #last: { size: number; at: number } = { size: -1, at: 0 };

  constructor(deps: WitnessDeps, collector: CosignatureCollector) {
    this.#d = deps;
    this.#collector = collector;
  }

  /** Publishes as the log signs (its listener stays registered: it is a no-op once stopped) and polls. */
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

  /** A member connected: it should see our checkpoint soon. */
  onPeerConnected(): void {
    this.#last.at = 0;
  }

  /** Each sync round: our checkpoints again while they are not witnessed — the retired logs' too. */
  async onSyncRound(): Promise<void> {
    const cp = this.#d.log.checkpoint();
    const w = this.#collector.witnessed(this.#d.home.config.origin);
    if (w === undefined || w.size < cp.size) await this.publish(true);
    await this.#publishRetired();
  }

  /**
   * A retired log signs nothing new, but its last checkpoint (covering its `log.rotated` entry) may not
   * have been witnessed before the rotation: it is gossiped each round until it is.
   */
  async #publishRetired(): Promise<void> {
    const ctx = this.#d.federation();
    if (!this.#d.running() || ctx === undefined || ctx.chain() === undefined) return;
    for (const [origin, log] of this.#d.retired) {
      const cp = log.checkpoint();
      const w = this.#collector.witnessed(origin);
      if (w !== undefined && w.size >= cp.size) continue;
      if (this.#d.members.get(origin) === undefined) continue; // the charter no longer lists it
      this.#collector.collectOwn(cp.note, cp.signedAt.getTime(), origin);
      await ctx.publish('checkpoint', checkpointBody(cp.note));
    }
  }

  /** Gossips this node's latest checkpoint if it is new (or `force`), at most once per PUBLISH_MIN_MS. */
  async publish(force: boolean): Promise<void> {
    const ctx = this.#d.federation();
    if (!this.#d.running() || this.#timer === undefined || ctx === undefined) return;
    let cp: ReturnType<AuditLog['checkpoint']>;
    try {
      cp = this.#d.log.checkpoint();
    } catch {
      return; // the log is stopping
    }
    const now = Date.now();
    if (now - this.#last.at < PUBLISH_MIN_MS) return;
    if (!force && cp.size <= this.#last.size) return;
    const origin = this.#d.home.config.origin;
    this.#collector.collectOwn(cp.note, cp.signedAt.getTime());
    if (ctx.chain() === undefined || this.#d.members.get(origin) === undefined) return;
    this.#last = { size: cp.size, at: now };
    await ctx.publish('checkpoint', checkpointBody(cp.note));
  }

  #tick(): void {
    void this.publish(false).catch((err) => this.#d.events('witness:error', { error: errorText(err) }));
  }
}
