/**
 * Asking for cosignatures — the log's side of C2SP witnessing (c2sp.org/tlog-witness): for each new
 * checkpoint of this node's logs (the current one and any retired one still unwitnessed), the node asks
 * other members' witnesses directly, over `/govfed/witness/1.0.0` (protocol/witness/
 * witness-protocol.ts), with the add-checkpoint request: the size it believes that witness last cosigned
 * and a consistency proof from there. A 409 answer names the witness's size: the request is made again
 * with the proof from that size. Each cosignature line is verified against the charter's witness key of
 * that org before it is kept (collector.ts); once k are in, the checkpoint is witnessed and the publisher
 * gossips it, once.
 *
 * It asks until the threshold is met, not everyone: k plus SPARE_WITNESSES at a time, the choice
 * rotating with the checkpoint size so that every member witnesses in turn (and keeps a recent state to
 * compare split views with), witnesses that failed last. A request that ends without a cosignature brings
 * in the next witness; one that ends with one asks for the newest checkpoint if it moved meanwhile. One
 * request per witness is in flight at a time, so a slow witness sees one request, not one per checkpoint.
 * Messages per checkpoint: about k + 1 requests and answers, then one gossip — O(N).
 */
import type { Member } from '../../protocol/federation/index.ts';
import { parseCheckpoint, parseNote, verifyCosignature } from '../../protocol/note/index.ts';
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
/**
 * Witnesses asked beyond the threshold: with one spare, one slow, failing or refusing witness does not
 * hold witnessing up by a request round trip (the next one is asked when a request ends without a
 * cosignature anyway).
 */
export const SPARE_WITNESSES = 1;
/** Requests made for one checkpoint and one witness (the first, and one after each 409 with its size). */
const MAX_ATTEMPTS = 3;

export class WitnessAsker {
  readonly #d: WitnessDeps;
  readonly #collector: CosignatureCollector;
  /** Per origin and witness org: the size that witness last cosigned, as far as this node knows. */
  #sizes = new Map<string, Map<string, number>>();
  /** Requests in flight, by `origin \n org`. */
  #asking = new Set<string>();
  /** Per origin: the checkpoint note whose collection was started (its log signature checked once). */
  #started = new Map<string, string>();
  /** Per origin: the checkpoint size being witnessed and the witnesses that did not cosign it when asked. */
  #passed = new Map<string, { size: number; orgs: Set<string> }>();
  /** Witnesses whose last request failed (`origin \n org`): a failure is reported once, not per checkpoint. */
  #failing = new Set<string>();

  constructor(deps: WitnessDeps, collector: CosignatureCollector) {
    this.#d = deps;
    this.#collector = collector;
  }

  /**
   * Asks witnesses of `origin` (one of this node's logs) for its latest checkpoint until k of them have
   * cosigned it: as many as are missing plus SPARE_WITNESSES, minus those being asked already — in an
   * order that rotates with the checkpoint size (the load spreads over the members), witnesses whose
   * last request failed last, each at most once per checkpoint until `retry`. Starts the checkpoint's
   * collection. Called again whenever a request ends, so a refusal or failure brings in the next one.
   */
  ask(origin: string, opts: { retry?: boolean } = {}): void {
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
    if (this.#started.get(origin) !== cp.note) {
      try {
        this.#collector.collectOwn(cp.note, cp.signedAt.getTime(), origin);
      } catch (err) {
        this.#d.events('witness:error', { origin, error: errorText(err) }); // our own signature does not verify
        return;
      }
      this.#started.set(origin, cp.note);
    }
    if (opts.retry === true) this.#passed.delete(origin);
    const passed = this.#passedAt(origin, cp.size);
    const have = this.#collector.cosignersOf(origin, cp);
    const k = this.#d.members.k(ml.member);
    if (have.size >= k) return; // witnessed: nobody else is asked
    const order = this.#order(origin, ml, cp.size).filter((w) => !have.has(w.org) && w.peerId !== ctx.peerId);
    const running = order.filter((w) => this.#asking.has(`${origin}\n${w.org}`)).length;
    let wanted = k - have.size + SPARE_WITNESSES - running;
    for (const witness of order) {
      if (wanted <= 0) break;
      const key = `${origin}\n${witness.org}`;
      if (this.#asking.has(key) || passed.has(witness.org)) continue;
      wanted -= 1;
      this.#asking.add(key);
      void this.#askOne(origin, log, ml, witness)
        .then((cosigned) => {
          if (!cosigned) passed.add(witness.org);
        })
        .catch((err) => {
          passed.add(witness.org);
          this.#d.events('witness:error', { origin, witness: witness.org, error: errorText(err) });
        })
        .finally(() => {
          this.#asking.delete(key);
          this.ask(origin);
        });
    }
  }

  /** A member connected: its witness is no longer taken for unreachable. */
  reachable(peer: string): void {
    const org = this.#d.members.memberByPeer(peer)?.org;
    if (org === undefined) return;
    for (const key of [...this.#failing]) if (key.endsWith(`\n${org}`)) this.#failing.delete(key);
  }

  /** The witnesses of `ml`'s log, rotated by `size`, those whose last request failed last. */
  #order(origin: string, ml: MemberLog, size: number): Member[] {
    const members = this.#d.members.charter?.members ?? [];
    const orgs = this.#d.members
      .witnessesBut(ml.member.org)
      .map(([org]) => org)
      .sort();
    const start = orgs.length === 0 ? 0 : size % orgs.length;
    const rotated = [...orgs.slice(start), ...orgs.slice(0, start)];
    const healthy = rotated.filter((o) => !this.#failing.has(`${origin}\n${o}`));
    const failing = rotated.filter((o) => this.#failing.has(`${origin}\n${o}`));
    return [...healthy, ...failing]
      .map((org) => members.find((m) => m.org === org))
      .filter((m): m is Member => m !== undefined);
  }

  /** The witnesses that did not cosign checkpoint `size` of `origin` when asked (reset by a new size). */
  #passedAt(origin: string, size: number): Set<string> {
    const cur = this.#passed.get(origin);
    if (cur !== undefined && cur.size === size) return cur.orgs;
    const next = { size, orgs: new Set<string>() };
    this.#passed.set(origin, next);
    return next.orgs;
  }

  /** Requests in flight (tests, status). */
  get inFlight(): number {
    return this.#asking.size;
  }

  /** Asks one witness (409 → again with the proof from its size); true when it cosigned. */
  async #askOne(origin: string, log: ServedLog, ml: MemberLog, witness: Member): Promise<boolean> {
    const ctx = this.#d.federation();
    if (ctx === undefined || this.#d.members.witnessKey(witness.org) === undefined) return false;
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
        return false;
      }
      this.#failing.delete(key);
      if (answer.type === 'cosignatures') {
        const cosigned = this.#verifyLines(origin, cp.note, answer.lines, ml, witness.org);
        this.#d.metrics?.requests.inc({ result: cosigned ? 'cosigned' : 'refused' });
        if (cosigned) sizes.set(witness.org, cp.size);
        return cosigned;
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
      return false;
    }
    return false;
  }

  /**
   * Keeps the cosignature `lines` (attacker-controlled) of witness `org` on the checkpoint `note` if its
   * witness key signed that exact checkpoint; false (and an event) otherwise.
   */
  #verifyLines(origin: string, note: string, lines: string, ml: MemberLog, org: string): boolean {
    const wkey = this.#d.members.witnessKey(org);
    if (wkey === undefined) return false;
    try {
      // `note` is our log's own checkpoint: only the witness's line needs checking.
      const { text, signatures } = parseNote(`${note}${lines}`);
      const logSig = signatures.find((s) => s.name === ml.verifier.name && s.keyHash === ml.verifier.keyHash);
      const sig = signatures.find((s) => s.name === wkey.name && s.keyHash === wkey.keyHash);
      if (logSig === undefined || sig === undefined) throw new Error('no cosignature by the witness key');
      verifyCosignature(text, sig, wkey);
      this.#collector.collect(origin, ml, parseCheckpoint(text), text, logSig, [[org, sig, wkey.vkey]]);
      return true;
    } catch (err) {
      this.#d.events('witness:bad-cosignature', { origin, witness: org, error: errorText(err) });
      return false;
    }
  }
}
