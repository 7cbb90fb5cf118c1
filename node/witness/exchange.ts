/**
 * The witnesses' anti-entropy (`get-witnessed` on /govfed/witness/1.0.0, protocol/witness/
 * witness-protocol.ts): each sync round this node asks one of the round's peers for what it holds of
 * every member log — its newest witnessed checkpoint and the checkpoint it last cosigned — and compares
 * each with its own per-origin state. Two log-signed notes of one size with other roots raise the
 * equivocation alert (cosigner.ts checkConflicts): how a split view shown to the two halves of a
 * partition is caught once they meet again. The cosignatures those notes carry are collected too, so a
 * node that missed a witnessed checkpoint's gossip (offline, partitioned, newly admitted) catches up.
 *
 * A note seen before is skipped (bounded memory of the last SEEN_MAX), and so is one that, from its
 * unverified text, can tell nothing new — a copy of the newest witnessed checkpoint held, an older one
 * nothing conflicts with — so a federation that keeps up costs one small exchange per round and few
 * signature checks.
 */
import { equalBytes } from '../../protocol/encoding/bytes.ts';
import { isGovfedError } from '../../protocol/errors.ts';
import type { Checkpoint } from '../../protocol/note/index.ts';
import { checkCheckpointBody } from '../../protocol/witness/gossip.ts';
import {
  decodeWitnessResponse,
  encodeWitnessMessage,
  MAX_WITNESSED_NOTES,
  WITNESS_PROTOCOL,
  WITNESS_PROTOCOL_MAX_BYTES,
} from '../../protocol/witness/witness-protocol.ts';
import { ASK_TIMEOUT_MS } from './asker.ts';
import type { CosignatureCollector, OpenedNote } from './collector.ts';
import type { Cosigner } from './cosigner.ts';
import { isOwnOrigin, type WitnessDeps } from './deps.ts';
import { errorText } from './failures.ts';

/** Notes remembered as seen (their cosignatures collected, their conflicts checked). */
const SEEN_MAX = 4096;

export class WitnessExchange {
  readonly #d: WitnessDeps;
  readonly #collector: CosignatureCollector;
  readonly #cosigner: Cosigner;
  #seen = new Set<string>();
  #round = 0;

  constructor(deps: WitnessDeps, collector: CosignatureCollector, cosigner: Cosigner) {
    this.#d = deps;
    this.#collector = collector;
    this.#cosigner = cosigner;
  }

  /** The `witnessed` answer: per member log, the newest witnessed note and the note this node last cosigned. */
  async answer(): Promise<string[]> {
    const notes: string[] = [];
    for (const [origin] of this.#d.members.entries()) {
      const w = this.#collector.witnessed(origin);
      if (w !== undefined) notes.push(w.note);
      if (isOwnOrigin(this.#d, origin)) continue;
      const state = await this.#d.store.cosigned(origin);
      if (state !== undefined && state.cosigned !== w?.note) notes.push(state.cosigned);
    }
    return notes.slice(0, MAX_WITNESSED_NOTES);
  }

  /** One sync round: asks one of `peers` (in turn) and takes what it holds. */
  async onSyncRound(peers: readonly string[]): Promise<void> {
    const ctx = this.#d.federation();
    if (!this.#d.running() || ctx === undefined || peers.length === 0) return;
    const peer = peers[this.#round++ % peers.length] as string;
    let notes: string[];
    try {
      const raw = await ctx.request(
        peer,
        WITNESS_PROTOCOL,
        encodeWitnessMessage({ type: 'get-witnessed' }),
        WITNESS_PROTOCOL_MAX_BYTES,
        ASK_TIMEOUT_MS,
      );
      notes = decodeWitnessResponse(raw, 'witnessed').notes;
    } catch (err) {
      this.#d.events('witness:exchange-failed', { peer, error: errorText(err) });
      return;
    }
    for (const note of notes) await this.take(note, peer);
  }

  /**
   * A checkpoint note of a member's log from `from` (attacker-controlled): checked against what this
   * node holds of that log, then its cosignatures collected. Notes of this node's own logs, of unknown
   * logs or that do not verify are dropped (an event for the last).
   */
  async take(note: string, from: string): Promise<void> {
    if (this.#seen.has(note)) return;
    if (this.#seen.size >= SEEN_MAX) this.#seen.clear();
    this.#seen.add(note);
    if (!(await this.#mayMatter(note))) return;
    let v: OpenedNote;
    try {
      v = this.#collector.open(note);
    } catch (err) {
      if (!isGovfedError(err, 'ERR_UNKNOWN_ORIGIN')) {
        this.#d.events('witness:bad-note', { peer: from, error: errorText(err) });
      }
      return;
    }
    if (isOwnOrigin(this.#d, v.origin)) return;
    await this.#d.queue.enqueue(v.origin, async () => {
      if (await this.#cosigner.checkConflicts(v.origin, v.ml, v.checkpoint, v.logNote)) return;
      this.#collector.add(v);
    });
  }

  /**
   * Whether a note is worth its signature checks, judged from its unverified text: a checkpoint newer than
   * the newest witnessed one held (catch-up), or one of a size this node holds with another root
   * (possible evidence). A copy of what is held, or an older checkpoint nothing conflicts with, is not:
   * in a quiet federation or a busy one that keeps up, most notes a peer holds are ours too.
   */
  async #mayMatter(note: string): Promise<boolean> {
    let cp: Checkpoint;
    try {
      cp = checkCheckpointBody({ note }).checkpoint;
    } catch {
      return true; // open() reports it
    }
    if (isOwnOrigin(this.#d, cp.origin)) return false;
    const w = this.#collector.witnessed(cp.origin);
    if (w === undefined || cp.size > w.size) return true;
    if (cp.size === w.size) return !equalBytes(cp.rootHash, w.rootHash);
    if (this.#collector.conflicting(cp.origin, cp).length > 0) return true;
    const state = await this.#d.store.cosigned(cp.origin);
    return state !== undefined && state.size === cp.size && !equalBytes(state.rootHash, cp.rootHash);
  }
}
