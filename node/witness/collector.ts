/**
 * Cosignature collection: the cosignatures of a checkpoint — those this node's own log asked its
 * witnesses for (asker.ts), those on a witnessed checkpoint another member gossiped, those a peer
 * answered get-witnessed with (exchange.ts) — each checked against the charter's witnessKey of its
 * org, never the log owner's own, and kept per checkpoint; with >= k = witnessThreshold(charter, org) of
 * them the checkpoint is the origin's newest *witnessed* one — stored, and the base of cross-org proofs.
 * For this node's own log the collected lines are served with its checkpoint (GET /v1/log/checkpoint),
 * the signed→witnessed lag is measured, and the witnessed listeners (the publisher) are told.
 */
import { equalBytes, toBase64 } from '../../protocol/encoding/bytes.ts';
import {
  appendSignatures,
  type Checkpoint,
  formatSignatureLine,
  type NoteSignature,
  openCheckpoint,
} from '../../protocol/note/index.ts';
import { checkCheckpointBody } from '../../protocol/witness/gossip.ts';
import type { WitnessDeps } from './deps.ts';
import type { MemberLog } from './members.ts';
import { logOnlyNote, storedWitnessed } from './notes.ts';
import type { WitnessedCheckpoint } from './store.ts';

/** Checkpoints (sizes) kept per origin while their cosignatures are collected. */
const MAX_COLLECTED = 16;

/** One checkpoint of an origin with the cosignatures collected for it. */
interface Collected {
  size: number;
  rootHash: Uint8Array;
  text: string;
  logSig: NoteSignature;
  /** By cosigning org: its cosignature and its witness key. */
  cosigs: Map<string, { sig: NoteSignature; key: string }>;
  firstSeen: number;
}

/** The newest witnessed checkpoint of an origin, with its root and number of cosignatures. */
export type Witnessed = WitnessedCheckpoint & { rootHash: Uint8Array; count: number };

/** A checkpoint note of a member log, opened with the charter's keys. */
export interface OpenedNote {
  origin: string;
  ml: MemberLog;
  checkpoint: Checkpoint;
  text: string;
  logSig: NoteSignature;
  /** The log-signed part of the note. */
  logNote: string;
  /** Its verified cosignatures by members' witness keys: [org, cosignature, witness key]. */
  cosigs: [string, NoteSignature, string][];
}

/** Called when an origin's newest witnessed checkpoint moves to a larger size. */
export type WitnessedListener = (origin: string, w: Witnessed) => void;

const collectedKey = (size: number, root: Uint8Array) => `${size}:${toBase64(root)}`;

export class CosignatureCollector {
  readonly #d: WitnessDeps;
  #collected = new Map<string, Map<string, Collected>>();
  #witnessed = new Map<string, Witnessed>();
  #lagMs: number | null = null;
  #listeners: WitnessedListener[] = [];

  constructor(deps: WitnessDeps) {
    this.#d = deps;
  }

  /** Loads the witnessed checkpoints the store holds (the store must be open). */
  async start(): Promise<void> {
    for (const [origin, w] of await this.#d.store.witnessed()) {
      this.#witnessed.set(origin, { ...w, ...storedWitnessed(w.note) });
    }
  }

  /** The newest witnessed checkpoint of `origin` this node holds. */
  witnessed(origin: string): Witnessed | undefined {
    return this.#witnessed.get(origin);
  }

  /** Ms from this node's last witnessed checkpoint being signed to it being witnessed (null: none yet). */
  get lagMs(): number | null {
    return this.#lagMs;
  }

  /** Tells `fn` of every newly witnessed size (of every origin). */
  onWitnessed(fn: WitnessedListener): void {
    this.#listeners.push(fn);
  }

  /**
   * Opens a checkpoint note of a member's log (attacker-controlled, synchronous): the log's signature
   * must verify (ERR_UNKNOWN_ORIGIN for a log no member has, a note error otherwise); every signature
   * line by a member's witness key is verified — one that fails rejects the note — and returned as a
   * cosignature. Lines by other keys are ignored.
   */
  open(note: string): OpenedNote {
    const body = checkCheckpointBody({ note });
    const origin = body.checkpoint.origin;
    const ml = this.#d.members.require(origin);
    const witnesses = this.#d.members.witnessesBut(ml.member.org);
    const opened = openCheckpoint(
      note,
      ml.verifier,
      witnesses.map(([, v]) => v),
    );
    const logSig = opened.verified.find(
      (s) => s.name === ml.verifier.name && s.keyHash === ml.verifier.keyHash,
    ) as NoteSignature;
    const cosigs: [string, NoteSignature, string][] = [];
    for (const [org, key] of witnesses) {
      const sig = opened.verified.find((s) => s.name === key.name && s.keyHash === key.keyHash);
      if (sig !== undefined) cosigs.push([org, sig, key.vkey]);
    }
    return {
      origin,
      ml,
      checkpoint: opened.checkpoint,
      text: opened.text,
      logSig,
      logNote: logOnlyNote(opened.text, logSig),
      cosigs,
    };
  }

  /** Keeps an opened note's cosignatures (call inside the origin's queue). */
  add(v: OpenedNote): void {
    this.collect(v.origin, v.ml, v.checkpoint, v.text, v.logSig, v.cosigs);
  }

  /** The orgs whose cosignature of checkpoint `cp` of `origin` this node holds. */
  cosignersOf(origin: string, cp: { size: number; rootHash: Uint8Array }): Set<string> {
    return new Set(this.#collected.get(origin)?.get(collectedKey(cp.size, cp.rootHash))?.cosigs.keys() ?? []);
  }

  /** This node's own new checkpoint (no cosignatures yet): starts its collection and lag clock. */
  collectOwn(note: string, signedAt: number, origin = this.#d.home.config.origin): void {
    const own = this.#d.members.get(origin);
    if (own === undefined) return;
    const opened = openCheckpoint(note, own.verifier);
    this.collect(origin, own, opened.checkpoint, opened.text, opened.verified[0] as NoteSignature, [], signedAt);
  }

  /** Adds cosignatures ([org, signature, witness key]) to checkpoint `cp` of `origin`. */
  collect(
    origin: string,
    ml: MemberLog,
    cp: Checkpoint,
    text: string,
    logSig: NoteSignature,
    cosigs: readonly [string, NoteSignature, string][],
    seenAt = Date.now(),
  ): void {
    let perOrigin = this.#collected.get(origin);
    if (perOrigin === undefined) {
      perOrigin = new Map();
      this.#collected.set(origin, perOrigin);
    }
    const key = collectedKey(cp.size, cp.rootHash);
    let c = perOrigin.get(key);
    if (c === undefined) {
      c = { size: cp.size, rootHash: cp.rootHash, text, logSig, cosigs: new Map(), firstSeen: seenAt };
      perOrigin.set(key, c);
      if (perOrigin.size > MAX_COLLECTED) {
        const oldest = [...perOrigin.entries()].sort((a, b) => a[1].size - b[1].size)[0];
        if (oldest !== undefined) perOrigin.delete(oldest[0]);
      }
    }
    for (const [org, sig, vkey] of cosigs) {
      if (org === ml.member.org) continue; // a log's owner does not witness itself
      c.cosigs.set(org, { sig, key: vkey });
    }
    this.#updateWitnessed(origin, ml, c);
  }

  /** Log-signed notes of `origin` collected with the size of `cp` and another root (equivocation candidates). */
  conflicting(origin: string, cp: Checkpoint): string[] {
    const out: string[] = [];
    for (const c of this.#collected.get(origin)?.values() ?? []) {
      if (c.size === cp.size && !equalBytes(c.rootHash, cp.rootHash)) out.push(logOnlyNote(c.text, c.logSig));
    }
    return out;
  }

  /** `note` (this node's checkpoint of `cp`) with the cosignature lines collected for it appended. */
  withCosignatures(note: string, cp: { size: number; rootHash: Uint8Array }): string {
    const c = this.#collected.get(this.#d.home.config.origin)?.get(collectedKey(cp.size, cp.rootHash));
    if (c === undefined || c.cosigs.size === 0) return note;
    return appendSignatures(
      note,
      [...c.cosigs.values()].map((x) => x.sig),
    );
  }

  #updateWitnessed(origin: string, ml: MemberLog, c: Collected): void {
    const k = this.#d.members.k(ml.member);
    if (c.cosigs.size < k || this.#d.members.charter === undefined) return;
    const cur = this.#witnessed.get(origin);
    if (cur !== undefined && (cur.size > c.size || (cur.size === c.size && cur.count >= c.cosigs.size))) return;
    const sigs = [...c.cosigs.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([, x]) => x.sig);
    const note = `${logOnlyNote(c.text, c.logSig)}${sigs.map(formatSignatureLine).join('')}`;
    const w = { size: c.size, note, rootHash: c.rootHash, count: c.cosigs.size };
    const first = cur === undefined || cur.size < c.size;
    this.#witnessed.set(origin, w);
    void this.#d.store.setWitnessed(origin, { size: w.size, note }).catch(() => {});
    if (!first) return;
    for (const fn of this.#listeners) fn(origin, w);
    const own = origin === this.#d.home.config.origin;
    if (own) {
      this.#lagMs = Math.max(0, Date.now() - c.firstSeen);
      this.#d.metrics?.lag.set(this.#lagMs / 1000);
    }
    this.#d.events('witness:witnessed', {
      origin,
      size: c.size,
      cosignatures: c.cosigs.size,
      k,
      // own checkpoints: ms from signed to witnessed
      ...(own ? { lagMs: this.#lagMs } : {}),
    });
  }
}
