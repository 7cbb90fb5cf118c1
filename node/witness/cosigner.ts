/**
 * Cosigning: this node as a witness of the other members' logs (and of the external logs, over HTTP).
 *
 * For a member's `checkpoint` (or a cosignature showing a newer one) it fetches a consistency proof
 * from its last cosigned size over /govfed/log/1.0.0 — outside the origin's queue, so that a dead or
 * unreachable member stalls nothing else about its log — and then decides with the same pure
 * tlog-witness rule as POST /v1/witness/add-checkpoint (protocol/witness): read the cosigned state,
 * decide, store the new state — one step inside the origin's queue (a state that moved meanwhile sends
 * the checkpoint back for a fresh proof). Then it gossips `cosignature` {note: the checkpoint with
 * the log's signature and its cosignature line}. A refusal that holds evidence (same size and another
 * root, a proof that does not reach the new root) raises an alert instead; a log caught equivocating is
 * never cosigned again.
 */
import { equalBytes } from '../../protocol/encoding/bytes.ts';
import { isGovfedError } from '../../protocol/errors.ts';
import type { GossipMessage } from '../../protocol/federation/index.ts';
import { appendSignatures, type Checkpoint, type NoteSignature, openCheckpoint } from '../../protocol/note/index.ts';
import { type Equivocation, findEquivocation } from '../../protocol/witness/evidence.ts';
import { checkCheckpointBody, cosignatureBody } from '../../protocol/witness/gossip.ts';
import { decodeHashes, decodeLogResponse } from '../../protocol/witness/log-protocol.ts';
import { type AddCheckpointRequest, parseAddCheckpoint } from '../../protocol/witness/request.ts';
import { addCheckpoint, WitnessError } from '../../protocol/witness/witness.ts';
import { NodeError } from '../errors.ts';
import type { Alerts } from './alerts.ts';
import type { CosignatureCollector } from './collector.ts';
import { isOwnOrigin, type WitnessDeps } from './deps.ts';
import type { ExternalLogs } from './external.ts';
import { errorText } from './failures.ts';
import type { LogClient } from './log-client.ts';
import type { MemberLog } from './members.ts';
import { logNoteOf, openLogNote } from './notes.ts';
import type { CosignedState } from './store.ts';

/** A checkpoint whose log signature was just verified: the checkpoint and its log-signed note. */
export interface VerifiedCheckpoint {
  checkpoint: Checkpoint;
  logNote: string;
}

/** A consistency proof from the origin, fetched before the decision (outside the origin's queue). */
export interface Prefetched {
  from: number;
  to: number;
  proof: Uint8Array[];
  oldRoot: Uint8Array;
}

/** Times a decision sends its checkpoint back for a fresh proof when the state moved; then it waits for a sync round. */
const MAX_REFETCH = 2;

export interface CosignerParts {
  collector: CosignatureCollector;
  alerts: Alerts;
  external: ExternalLogs;
  client: LogClient;
}

export class Cosigner {
  readonly #d: WitnessDeps;
  readonly #p: CosignerParts;
  /** The size this node last cosigned, per origin (this process). */
  #cosignedSizes = new Map<string, number>();
  /** A checkpoint per origin whose witnessing failed for lack of a proof (retried each sync round). */
  #pending = new Map<string, string>();
  /** The proof fetch running per origin (shared by concurrent calls for the same sizes). */
  #fetching = new Map<string, { key: string; promise: Promise<Prefetched | 'failed'> }>();

  constructor(deps: WitnessDeps, parts: CosignerParts) {
    this.#d = deps;
    this.#p = parts;
  }

  /** The size this node last cosigned for `origin` since it started (null when never). */
  cosignedSize(origin: string): number | null {
    return this.#cosignedSizes.get(origin) ?? null;
  }

  /**
   * Checks a `checkpoint` gossip body (attacker-controlled, synchronous): a member's checkpoint signed
   * by its log key. Returns the origin and the verified checkpoint.
   */
  verifyGossip(msg: GossipMessage): { origin: string } & VerifiedCheckpoint {
    const body = checkCheckpointBody(msg.body);
    const origin = body.checkpoint.origin;
    const { checkpoint, logNote } = openLogNote(body.note, this.#d.members.require(origin));
    return { origin, checkpoint, logNote };
  }

  /** Witnesses again the checkpoints that waited for a proof (each sync round). */
  retryPending(): void {
    for (const [origin, note] of this.#pending) {
      this.#pending.delete(origin);
      void this.witnessSoon(origin, note);
    }
  }

  /**
   * Witnesses a member's checkpoint: the consistency proof is fetched from the origin first, *outside*
   * the origin's queue, then the decision runs inside it (`witness`). An origin that is down or
   * unreachable costs a fetch timeout here, never the queue: add-checkpoint requests and other work on
   * that log go on meanwhile (a queue held for each fetch made a tlog-witness request about a dead
   * member's log wait past the HTTP idle timeout). Concurrent calls for one proof share one fetch.
   */
  async witnessSoon(origin: string, note: string, verified?: VerifiedCheckpoint, attempt = 0): Promise<void> {
    const pre = await this.#prefetch(origin, note, verified);
    if (pre === 'failed') return;
    await this.#d.queue.enqueue(origin, () => this.witness(origin, note, verified, pre, attempt));
  }

  /** The proof `witness` will need, fetched now (undefined when none is needed or the note is bad). */
  async #prefetch(
    origin: string,
    note: string,
    verified?: VerifiedCheckpoint,
  ): Promise<Prefetched | 'failed' | undefined> {
    if (!this.#d.running() || this.#p.alerts.isMisbehaving(origin)) return undefined;
    const ml = this.#d.members.get(origin);
    if (ml === undefined || ml.member.peerId === this.#d.federation()?.peerId) return undefined;
    let opened: VerifiedCheckpoint;
    try {
      opened = verified ?? openLogNote(note, ml);
    } catch {
      return undefined; // witness() reports it, inside the queue
    }
    const from = (await this.#d.store.cosigned(origin))?.size ?? 0;
    const to = opened.checkpoint.size;
    if (from === 0 || to <= from) return undefined;
    const key = `${from} ${to}`;
    const running = this.#fetching.get(origin);
    if (running?.key === key) return await running.promise;
    const promise = this.#fetchProof(origin, ml, from, to, opened.logNote);
    this.#fetching.set(origin, { key, promise });
    try {
      return await promise;
    } finally {
      if (this.#fetching.get(origin)?.promise === promise) this.#fetching.delete(origin);
    }
  }

  async #fetchProof(
    origin: string,
    ml: MemberLog,
    from: number,
    to: number,
    logNote: string,
  ): Promise<Prefetched | 'failed'> {
    try {
      const res = await this.#p.client.request(ml, { type: 'get-consistency', origin, from, to });
      const r = decodeLogResponse(res, 'consistency');
      return { from, to, proof: decodeHashes(r.proof), oldRoot: decodeHashes([r.oldRoot])[0] as Uint8Array };
    } catch (err) {
      this.#pending.set(origin, logNote);
      this.#d.events('witness:proof-unavailable', { origin, size: to, error: errorText(err) });
      return 'failed';
    }
  }

  /** Anti-entropy: this node's newest cosignature of each other member's log, gossiped again. */
  async resendCosignatures(): Promise<void> {
    for (const [origin] of this.#d.members.entries()) {
      if (isOwnOrigin(this.#d, origin) || this.#p.alerts.isMisbehaving(origin)) continue;
      try {
        const state = await this.#d.store.cosigned(origin);
        if (state !== undefined) await this.#d.federation()?.publish('cosignature', cosignatureBody(state.cosigned));
      } catch (err) {
        this.#d.events('witness:error', { origin, error: errorText(err) });
      }
    }
  }

  /**
   * Witnesses a member's checkpoint (a log-signed note): decide, store, cosign, gossip. Call inside the
   * origin's queue, with the proof `witnessSoon` fetched before (`pre`); it never waits for the network.
   * `verified`: the checkpoint and its log-signed note when the caller has just checked the log's
   * signature — it is not checked a second time.
   */
  async witness(
    origin: string,
    note: string,
    verified?: VerifiedCheckpoint,
    pre?: Prefetched,
    attempt = 0,
  ): Promise<void> {
    if (!this.#d.running() || this.#p.alerts.isMisbehaving(origin)) return;
    const ml = this.#d.members.get(origin);
    if (ml === undefined || ml.member.peerId === this.#d.federation()?.peerId) return;
    const { checkpoint: cp, logNote } = verified ?? openLogNote(note, ml);
    const state = await this.#d.store.cosigned(origin);
    if (state !== undefined && cp.size < state.size) return; // older than what we cosigned
    if (state !== undefined && cp.size === state.size) {
      if (equalBytes(cp.rootHash, state.rootHash)) return;
      const ev = findEquivocation({ logVerifier: ml.verifier, a: state.note, b: logNote });
      if (ev !== undefined) await this.#p.alerts.raise(ev);
      return;
    }
    if (await this.checkConflicts(origin, ml, cp, logNote)) return;
    const oldSize = state?.size ?? 0;
    let proof: Uint8Array[] = [];
    let oldRoot: Uint8Array | undefined;
    if (oldSize > 0) {
      if (pre === undefined || pre.from !== oldSize || pre.to !== cp.size) {
        // No proof yet, or the cosigned state moved while it was fetched: fetch again, outside the queue.
        if (attempt < MAX_REFETCH) void this.witnessSoon(origin, note, verified, attempt + 1);
        else this.#pending.set(origin, logNote);
        return;
      }
      proof = pre.proof;
      oldRoot = pre.oldRoot;
    }
    await this.#decideAndStore(origin, ml, state, { oldSize, proof, note: logNote, checkpoint: cp }, oldRoot);
  }

  /**
   * Equivocation against checkpoints of the same size seen before (cosigned by this node, or collected
   * from others): raises the alert. True when alerted.
   */
  async checkConflicts(origin: string, ml: MemberLog, cp: Checkpoint, logNote: string): Promise<boolean> {
    const state = await this.#d.store.cosigned(origin);
    const candidates: string[] = [];
    if (state !== undefined && state.size === cp.size && !equalBytes(state.rootHash, cp.rootHash)) {
      candidates.push(state.note);
    }
    candidates.push(...this.#p.collector.conflicting(origin, cp));
    for (const other of candidates) {
      const ev = findEquivocation({ logVerifier: ml.verifier, a: other, b: logNote });
      if (ev !== undefined) {
        await this.#p.alerts.raise(ev);
        return true;
      }
    }
    return false;
  }

  /**
   * A tlog-witness add-checkpoint request (attacker-controlled body). Returns the cosignature lines;
   * throws a WitnessError (its `status` is the HTTP status) or ERR_EQUIVOCATION for a log caught
   * equivocating.
   */
  async addCheckpoint(body: Uint8Array): Promise<string> {
    if (!this.#d.running()) throw new NodeError('ERR_SHUTTING_DOWN', 'the witness is not running');
    let req: AddCheckpointRequest;
    try {
      req = parseAddCheckpoint(body);
    } catch (cause) {
      if (isGovfedError(cause)) throw new WitnessError('ERR_MALFORMED_WITNESS_REQUEST', cause.message, { cause });
      throw cause;
    }
    const origin = req.checkpoint.origin;
    let out: string | undefined;
    let failure: unknown;
    await this.#d.queue.enqueue(origin, async () => {
      try {
        out = await this.#addCheckpointQueued(origin, req);
      } catch (err) {
        failure = err;
      }
    });
    if (failure !== undefined) throw failure;
    return out as string;
  }

  async #addCheckpointQueued(origin: string, req: AddCheckpointRequest): Promise<string> {
    if (this.#p.alerts.isMisbehaving(origin)) {
      throw new NodeError('ERR_EQUIVOCATION', `log ${origin} was caught equivocating; this witness cosigns no more`);
    }
    const own = isOwnOrigin(this.#d, origin);
    const ml = own ? undefined : this.#d.members.get(origin);
    const state = await this.#d.store.cosigned(origin);
    if (ml !== undefined) {
      const logNote = logNoteOf(req.note, ml);
      if (logNote !== undefined && (await this.checkConflicts(origin, ml, req.checkpoint, logNote))) {
        throw new NodeError('ERR_EQUIVOCATION', `log ${origin} showed another tree of size ${req.checkpoint.size}`);
      }
    }
    return await this.#decideAndStore(origin, ml, state, req);
  }

  /**
   * The tlog-witness decision and the store of its new state, for a request about `origin`: call only
   * inside the origin's queue. `ml` is the member log (undefined for an external log or this node's
   * own). Returns the cosignature lines; rethrows the WitnessError of a refusal after keeping any
   * evidence it holds.
   */
  async #decideAndStore(
    origin: string,
    ml: MemberLog | undefined,
    state: CosignedState | undefined,
    req: AddCheckpointRequest,
    oldRoot?: Uint8Array,
  ): Promise<string> {
    let result: ReturnType<typeof addCheckpoint>;
    try {
      const known = this.#d.members.knownLogs(this.#p.external.list());
      result = addCheckpoint({ known, state, req, signer: this.#d.home.witnessSigner });
    } catch (err) {
      if (ml !== undefined && state !== undefined && err instanceof WitnessError)
        await this.#onRefusal(ml, state, req, err, oldRoot);
      throw err;
    }
    const logNote = ml === undefined ? req.note : (logNoteOf(req.note, ml) ?? req.note);
    const cosigned = appendSignatures(logNote, [result.cosignature]);
    await this.#d.store.setCosigned(origin, {
      size: result.next.size,
      rootHash: result.next.rootHash,
      note: logNote,
      cosigned,
    });
    this.#cosignedSizes.set(origin, result.next.size);
    this.#pending.delete(origin);
    this.#d.metrics?.cosigned.inc();
    this.#d.events('witness:cosigned', { origin, size: result.next.size });
    if (ml !== undefined) {
      const self = this.#d.members.witnessKey(this.#d.home.config.org);
      if (self !== undefined) {
        const logSig = openCheckpoint(logNote, ml.verifier).verified[0] as NoteSignature;
        this.#p.collector.collect(origin, ml, result.checkpoint, result.text, logSig, [
          [this.#d.home.config.org, result.cosignature, self.vkey],
        ]);
      }
      await this.#d.federation()?.publish('cosignature', cosignatureBody(cosigned));
    }
    return result.cosignatureLines;
  }

  /** A refusal about a member's log: evidence of equivocation raises an alert, anything else is an event. */
  async #onRefusal(
    ml: MemberLog,
    state: CosignedState,
    req: AddCheckpointRequest,
    err: WitnessError,
    oldRoot: Uint8Array | undefined,
  ): Promise<void> {
    const logNote = logNoteOf(req.note, ml);
    let ev: Equivocation | undefined;
    if (logNote !== undefined && (err.code === 'ERR_ROOT_CONFLICT' || err.code === 'ERR_CONSISTENCY_FAILED')) {
      ev = findEquivocation({
        logVerifier: ml.verifier,
        a: state.note,
        b: logNote,
        proof: req.proof,
        ...(oldRoot === undefined ? {} : { completeOldRoot: oldRoot }),
      });
    }
    if (ev !== undefined) await this.#p.alerts.raise(ev);
    else
      this.#d.events('witness:refused', { origin: req.checkpoint.origin, size: req.checkpoint.size, code: err.code });
  }
}
