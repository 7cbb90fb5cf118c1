/**
 * Cosigning: this node as a witness of the other members' logs and of the external logs.
 *
 * A member's node asks directly (asker.ts over `/govfed/witness/1.0.0`, protocol/witness/
 * witness-protocol.ts) with the tlog-witness add-checkpoint request — the consistency proof from the
 * size this witness last cosigned comes with it — and an external log asks over HTTP (POST
 * /v1/witness/add-checkpoint): both are decided here by the same pure rule (protocol/witness/witness.ts)
 * — read the cosigned state, decide, store the new state — as one step inside the origin's queue. Asked
 * again for the checkpoint it last cosigned, the witness answers with the same cosignature. A refusal
 * that holds evidence (same size and another root, a proof that does not reach the new root) raises an
 * alert; a log caught equivocating is never cosigned again. Nothing is gossiped here: the log's node
 * gossips the checkpoint once it is witnessed.
 */
import { equalBytes } from '../../protocol/encoding/bytes.ts';
import { isGovfedError } from '../../protocol/errors.ts';
import { appendSignatures, type Checkpoint, type NoteSignature, parseNote } from '../../protocol/note/index.ts';
import { type Equivocation, findEquivocation } from '../../protocol/witness/evidence.ts';
import { type AddCheckpointRequest, parseAddCheckpoint } from '../../protocol/witness/request.ts';
import { addCheckpoint, WitnessError } from '../../protocol/witness/witness.ts';
import { NodeError } from '../errors.ts';
import type { Alerts } from './alerts.ts';
import type { CosignatureCollector } from './collector.ts';
import { isOwnOrigin, type WitnessDeps } from './deps.ts';
import type { ExternalLogs } from './external.ts';
import type { MemberLog } from './members.ts';
import { type OpenedLogNote, openedLogNote } from './notes.ts';
import type { CosignedState } from './store.ts';

export interface CosignerParts {
  collector: CosignatureCollector;
  alerts: Alerts;
  external: ExternalLogs;
}

export class Cosigner {
  readonly #d: WitnessDeps;
  readonly #p: CosignerParts;
  /** The size this node last cosigned, per origin (this process). */
  #cosignedSizes = new Map<string, number>();

  constructor(deps: WitnessDeps, parts: CosignerParts) {
    this.#d = deps;
    this.#p = parts;
  }

  /** The size this node last cosigned for `origin` since it started (null when never). */
  cosignedSize(origin: string): number | null {
    return this.#cosignedSizes.get(origin) ?? null;
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
    // The log's signature is opened once here (undefined when it does not verify: addCheckpoint's own
    // check then refuses the request); the conflict check, the refusal's evidence, the stored state and
    // the collector use what it opened rather than verifying the same signature again (issue 17).
    const opened = ml === undefined ? undefined : openedLogNote(req.note, ml);
    if (ml !== undefined && opened !== undefined) {
      if (await this.checkConflicts(origin, ml, req.checkpoint, opened.logNote)) {
        throw new NodeError('ERR_EQUIVOCATION', `log ${origin} showed another tree of size ${req.checkpoint.size}`);
      }
    }
    return await this.#decideAndStore(origin, ml, state, req, opened);
  }

  /**
   * The tlog-witness decision and the store of its new state, for a request about `origin`: call only
   * inside the origin's queue. `ml` is the member log (undefined for an external log or this node's
   * own), `opened` its log-signed part when the log's signature verified. Returns the cosignature
   * lines; rethrows the WitnessError of a refusal after keeping any evidence it holds.
   */
  async #decideAndStore(
    origin: string,
    ml: MemberLog | undefined,
    state: CosignedState | undefined,
    req: AddCheckpointRequest,
    opened: OpenedLogNote | undefined,
  ): Promise<string> {
    let result: ReturnType<typeof addCheckpoint>;
    try {
      const known = this.#d.members.knownLogs(this.#p.external.list());
      const previous = this.#previous(state);
      result = addCheckpoint({
        known,
        state,
        req,
        signer: this.#d.home.witnessSigner,
        ...(previous === undefined ? {} : { previous }),
      });
    } catch (err) {
      if (ml !== undefined && state !== undefined && err instanceof WitnessError)
        await this.#onRefusal(ml, state, req, err, opened?.logNote);
      throw err;
    }
    // addCheckpoint verified the log's signature by the origin's key, which for a member log is ml's:
    // `opened` is then defined.
    const logNote = ml === undefined ? req.note : (opened?.logNote ?? req.note);
    const cosigned = appendSignatures(logNote, [result.cosignature]);
    if (state !== undefined && state.cosigned === cosigned) return result.cosignatureLines; // asked again
    await this.#d.store.setCosigned(origin, {
      size: result.next.size,
      rootHash: result.next.rootHash,
      note: logNote,
      cosigned,
    });
    this.#cosignedSizes.set(origin, result.next.size);
    this.#d.metrics?.cosigned.inc();
    this.#d.events('witness:cosigned', { origin, size: result.next.size });
    if (ml !== undefined && opened !== undefined) {
      const self = this.#d.members.witnessKey(this.#d.home.config.org);
      if (self !== undefined) {
        this.#p.collector.collect(origin, ml, result.checkpoint, result.text, opened.logSig, [
          [this.#d.home.config.org, result.cosignature, self.vkey],
        ]);
      }
    }
    return result.cosignatureLines;
  }

  /** This witness's cosignature in the stored state, with the text it signs (addCheckpoint's `previous`). */
  #previous(state: CosignedState | undefined): { text: string; cosignature: NoteSignature } | undefined {
    if (state === undefined) return undefined;
    try {
      const { text, signatures } = parseNote(state.cosigned);
      const signer = this.#d.home.witnessSigner;
      const cosignature = signatures.find((x) => x.name === signer.name && x.keyHash === signer.keyHash);
      return cosignature === undefined ? undefined : { text, cosignature };
    } catch {
      return undefined;
    }
  }

  /** A refusal about a member's log: evidence of equivocation raises an alert, anything else is an event. */
  async #onRefusal(
    ml: MemberLog,
    state: CosignedState,
    req: AddCheckpointRequest,
    err: WitnessError,
    logNote: string | undefined,
  ): Promise<void> {
    let ev: Equivocation | undefined;
    if (logNote !== undefined && (err.code === 'ERR_ROOT_CONFLICT' || err.code === 'ERR_CONSISTENCY_FAILED')) {
      ev = findEquivocation({ logVerifier: ml.verifier, a: state.note, b: logNote, proof: req.proof });
    }
    if (ev !== undefined) await this.#p.alerts.raise(ev);
    else
      this.#d.events('witness:refused', { origin: req.checkpoint.origin, size: req.checkpoint.size, code: err.code });
  }
}
