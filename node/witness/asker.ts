/**
 * Asking for cosignatures — the log's side of C2SP witnessing (c2sp.org/tlog-witness): for each new
 * checkpoint of this node's logs (the current one and any retired one still unwitnessed), the node asks
 * every other member's witness directly, over `/govfed/witness/1.0.0` (protocol/witness/
 * witness-protocol.ts), with the add-checkpoint request: the size it believes that witness last cosigned
 * and a consistency proof from there. A 409 answer names the witness's size: the request is made again
 * with the proof from that size. Each cosignature line is verified against the charter's witness key of
 * that org before it is kept (collector.ts); once k are in, the checkpoint is witnessed and the publisher
 * gossips it, once.
 *
 * One request per witness at a time: a checkpoint signed while a witness is being asked is asked for
 * when that request ends (the newest one then), so a slow witness sees at most one request in flight and
 * a fast one every checkpoint. A witness that already cosigned the current checkpoint is not asked
 * again. Messages per checkpoint: one request and one answer per witness, then one gossip — O(N).
 */
import type { Member } from '../../protocol/federation/index.ts';
import { openCheckpoint } from '../../protocol/note/index.ts';
import { formatAddCheckpoint } from '../../protocol/witness/request.ts';
import {
  decodeWitnessResponse,
  encodeWitnessMessage,
  WITNESS_PROTOCOL,
  WITNESS_PROTOCOL_MAX_BYTES,
  type WitnessResponse,
} from '../../protocol/witness/witness-protocol.ts';
import type { CosignatureCollector } from './collector.ts';
import { ownLog, type WitnessDeps } from './deps.ts';
import { errorText } from './failures.ts';
import type { ServedLog } from './log-server.ts';
import type { MemberLog } from './members.ts';

type CosignaturesAnswer = Extract<WitnessResponse, { type: 'cosignatures' | 'error' }>;

/** Timeout of one add-checkpoint exchange (dial included). */
export const ASK_TIMEOUT_MS = 5000;
/** Requests made for one checkpoint and one witness (the first, and one after each 409 with its size). */
const MAX_ATTEMPTS = 3;

export class WitnessAsker {
  readonly #d: WitnessDeps;
  readonly #collector: CosignatureCollector;
  /** Per origin and witness org: the size that witness last cosigned, as far as this node knows. */
  #sizes = new Map<string, Map<string, number>>();
  /** Requests in flight, by `origin \n org`: `again` when a newer checkpoint came meanwhile. */
  #asking = new Map<string, { again: boolean }>();
  /** Witnesses whose last request failed (`origin \n org`): a failure is reported once, not per checkpoint. */
  #failing = new Set<string>();

  constructor(deps: WitnessDeps, collector: CosignatureCollector) {
    this.#d = deps;
    this.#collector = collector;
  }

  /**
   * Asks every witness of `origin` (one of this node's logs) that holds no cosignature of its latest
   * checkpoint yet; starts that checkpoint's collection.
   */
  ask(origin: string): void {
    const ctx = this.#d.federation();
    const log = ownLog(this.#d, origin);
    const ml = this.#d.members.get(origin);
    const charter = this.#d.members.charter;
    if (!this.#d.running() || ctx === undefined || log === undefined || ml === undefined || charter === undefined)
      return;
    let cp: ReturnType<ServedLog['checkpoint']>;
    try {
      cp = log.checkpoint();
    } catch {
      return; // the log is stopping
    }
    try {
      this.#collector.collectOwn(cp.note, cp.signedAt.getTime(), origin);
    } catch (err) {
      this.#d.events('witness:error', { origin, error: errorText(err) }); // our own signature does not verify
      return;
    }
    const have = this.#collector.cosignersOf(origin, cp);
    for (const [org] of this.#d.members.witnessesBut(ml.member.org)) {
      if (have.has(org)) continue;
      const witness = charter.members.find((m) => m.org === org);
      if (witness === undefined || witness.peerId === ctx.peerId) continue;
      const key = `${origin}\n${org}`;
      const running = this.#asking.get(key);
      if (running !== undefined) {
        running.again = true;
        continue;
      }
      const entry = { again: false };
      this.#asking.set(key, entry);
      void this.#askOne(origin, log, ml, witness)
        .catch((err) => this.#d.events('witness:error', { origin, witness: org, error: errorText(err) }))
        .finally(() => {
          this.#asking.delete(key);
          if (entry.again) this.ask(origin);
        });
    }
  }

  /** Requests in flight (tests, status). */
  get inFlight(): number {
    return this.#asking.size;
  }

  async #askOne(origin: string, log: ServedLog, ml: MemberLog, witness: Member): Promise<void> {
    const ctx = this.#d.federation();
    if (ctx === undefined || this.#d.members.witnessKey(witness.org) === undefined) return;
    const key = `${origin}\n${witness.org}`;
    const sizes = this.#sizes.get(origin) ?? new Map<string, number>();
    this.#sizes.set(origin, sizes);
    for (let attempt = 0; attempt < MAX_ATTEMPTS && this.#d.running(); attempt++) {
      const cp = log.checkpoint();
      const known = sizes.get(witness.org) ?? 0;
      const oldSize = known <= cp.size ? known : 0;
      const proof = oldSize > 0 && oldSize < cp.size ? await log.proveConsistency(oldSize, cp.size) : [];
      const body = formatAddCheckpoint({ oldSize, proof, note: cp.note });
      let answer: CosignaturesAnswer;
      try {
        const raw = await ctx.request(
          witness.peerId,
          WITNESS_PROTOCOL,
          encodeWitnessMessage({ type: 'add-checkpoint', body }),
          WITNESS_PROTOCOL_MAX_BYTES,
          ASK_TIMEOUT_MS,
        );
        answer = decodeWitnessResponse(raw, 'cosignatures');
      } catch (err) {
        this.#d.metrics?.requests.inc({ result: 'failed' });
        if (!this.#failing.has(key)) {
          this.#failing.add(key);
          this.#d.events('witness:ask-failed', { origin, witness: witness.org, error: errorText(err) });
        }
        return;
      }
      this.#failing.delete(key);
      if (answer.type === 'cosignatures') {
        const cosigned = this.#verifyLines(origin, cp.note, answer.lines, ml, witness.org);
        this.#d.metrics?.requests.inc({ result: cosigned ? 'cosigned' : 'refused' });
        if (cosigned) sizes.set(witness.org, cp.size);
        return;
      }
      this.#d.metrics?.requests.inc({ result: 'refused' });
      if (answer.code === 'ERR_OLD_SIZE_MISMATCH' && answer.size !== undefined && answer.size !== known) {
        sizes.set(witness.org, answer.size);
        if (answer.size <= cp.size) continue; // ask again with the proof from the witness's size
      }
      this.#d.events('witness:refused-by', {
        origin,
        witness: witness.org,
        size: cp.size,
        code: answer.code,
        status: answer.status,
      });
      return;
    }
  }

  /**
   * Keeps the cosignature `lines` (attacker-controlled) of witness `org` on the checkpoint `note` if its
   * witness key signed that exact checkpoint; false (and an event) otherwise.
   */
  #verifyLines(origin: string, note: string, lines: string, ml: MemberLog, org: string): boolean {
    const wkey = this.#d.members.witnessKey(org);
    if (wkey === undefined) return false;
    try {
      const opened = openCheckpoint(`${note}${lines}`, ml.verifier, [wkey]);
      const logSig = opened.verified.find((s) => s.name === ml.verifier.name && s.keyHash === ml.verifier.keyHash);
      const sig = opened.verified.find((s) => s.name === wkey.name && s.keyHash === wkey.keyHash);
      if (logSig === undefined || sig === undefined) throw new Error('no cosignature by the witness key');
      this.#collector.collect(origin, ml, opened.checkpoint, opened.text, logSig, [[org, sig, wkey.vkey]]);
      return true;
    } catch (err) {
      this.#d.events('witness:bad-cosignature', { origin, witness: org, error: errorText(err) });
      return false;
    }
  }
}
