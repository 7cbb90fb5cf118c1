/**
 * WitnessService: this node as a witness of the other members' logs, as the collector of their
 * cosignatures, and as the publisher of its own log's checkpoints (a FederationModule).
 *
 * Own log   every new checkpoint (polled, at most one gossip per PUBLISH_MIN_MS) goes out as gossip
 *           `checkpoint` {note}; while it is not witnessed it is re-sent each sync round.
 * Witness   for a member's `checkpoint` (or a cosignature showing a newer one) this node fetches a
 *           consistency proof from its last cosigned size over /govfed/log/1.0.0, and decides with the
 *           same pure tlog-witness rule as POST /v1/witness/add-checkpoint (protocol/witness): read the
 *           cosigned state, decide, store the new state — one step under a per-origin lock. Then it
 *           gossips `cosignature` {note: the checkpoint with its cosignature line}.
 * Collector every cosignature (checked against the charter's witnessKey of its sender, never the log
 *           owner's own) is kept per checkpoint; with >= k = witnessThreshold(charter, org) of them the
 *           checkpoint is the origin's newest *witnessed* one, which cross-org proofs are built on.
 * Alerts    two checkpoints of one log that cannot both be true (same size and another root; a proof
 *           reproducing the new root but not the old) become Equivocation evidence. It is signed as an
 *           alert and gossiped; every node checks the evidence itself (verifyAlert), stores it, marks the
 *           origin misbehaving, appends a `witness.equivocation` leaf to its audit log, and never
 *           cosigns for that origin again.
 * Inbound gossip bodies are attacker-controlled: validators check them synchronously (signatures
 * included) and hand the work to the per-origin queue.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { encodeLeaf, type GovernanceLeaf } from '../../protocol/audit/leaf.ts';
import { canonicalBytes } from '../../protocol/canonical/jcs.ts';
import { sha256 } from '../../protocol/crypto/sha256.ts';
import { equalBytes, fromBase64, toBase64, toHex } from '../../protocol/encoding/bytes.ts';
import { GovfedError, isGovfedError } from '../../protocol/errors.ts';
import {
  type Charter,
  type CharterChain,
  type Envelope,
  envelopeBody,
  envelopeFromBody,
  type GossipMessage,
  type Member,
  witnessThreshold,
} from '../../protocol/federation/index.ts';
import { leafHash, verifyConsistency, verifyInclusion } from '../../protocol/log/index.ts';
import {
  appendSignatures,
  type Checkpoint,
  formatSignatureLine,
  type KeyedVerifier,
  type NoteSignature,
  type NoteSigner,
  openCheckpoint,
} from '../../protocol/note/index.ts';
import { type CrossOrgBundle, createCrossOrgBundle } from '../../protocol/witness/bundle.ts';
import {
  ALERT_PAYLOAD_TYPE,
  type Equivocation,
  encodeEquivocation,
  findEquivocation,
  verifyAlert,
} from '../../protocol/witness/evidence.ts';
import { parseLogKey, parseWitnessKey } from '../../protocol/witness/keys.ts';
import { type AddCheckpointRequest, parseAddCheckpoint } from '../../protocol/witness/request.ts';
import { addCheckpoint, knownLogsFromKeys, WitnessError } from '../../protocol/witness/witness.ts';
import { NodeError } from '../errors.ts';
import type { EventFields, EventName, EventSink } from '../events.ts';
import type { FederationContext, FederationModule } from '../federation/module.ts';
import type { AuditLog } from '../log/index.ts';
import type { Verdict } from '../p2p/pubsub.ts';
import {
  decodeHashes,
  decodeLogRequest,
  decodeLogResponse,
  encodeLogMessage,
  isUnavailableAnswer,
  LOG_PROTOCOL,
  LOG_PROTOCOL_MAX_BYTES,
  logProtocolHandler,
} from './log-protocol.ts';
import { type CosignedState, type WitnessedCheckpoint, WitnessStore } from './store.ts';

/**
 * Least time between two gossips of this node's checkpoint. New checkpoints come at most one per
 * checkpoint interval (1 s by default) and are gossiped as they are signed; this bound keeps a node with
 * a short interval from flooding, without delaying the normal one-per-second case.
 */
export const PUBLISH_MIN_MS = 500;
/** How often the own log's latest checkpoint is looked at. */
const POLL_MS = 200;
/**
 * Every this many sync rounds (5 s each) a witness gossips again its newest cosignature of each other
 * member's log. Cosignatures are otherwise gossiped once, when made: two halves of a partition that each
 * cosigned a different checkpoint of one size (a split view) would never compare them after the heal.
 */
export const RESEND_COSIGNATURES_ROUNDS = 6;
/** Checkpoints (sizes) kept per origin while their cosignatures are collected. */
const MAX_COLLECTED = 16;
/** Distinct alerts kept (and logged) per origin. */
const MAX_ALERTS_PER_ORIGIN = 16;
/** Largest note accepted in gossip. */
const MAX_NOTE_CHARS = 64 * 1024;
/** Timeout of one /govfed/log/1.0.0 exchange. */
const REQUEST_TIMEOUT_MS = 5000;

export interface WitnessServiceOptions {
  /** This node: its org, log origin and keys (config.verifierKey, config.witnessKey), the witness signer. */
  home: {
    config: { org: string; origin: string; verifierKey: string; witnessKey?: string };
    paths: { witness: string };
    witnessSigner: NoteSigner;
  };
  log: Pick<
    AuditLog,
    'checkpoint' | 'onCheckpoint' | 'entry' | 'proveConsistency' | 'proveInclusion' | 'treeHash' | 'append' | 'size'
  >;
  events?: EventSink;
  now?: () => Date;
  /** Where to register govfed_witness_* metrics. */
  registry?: Registry;
}

/** A member log: its owner and the log's verifier. */
interface MemberLog {
  member: Member;
  verifier: KeyedVerifier;
}

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

export interface CrossOrgConsistency {
  origin: string;
  from: number;
  to: number;
  /** Root of the first `from` entries, as the log computes it (check it against a checkpoint you hold). */
  oldRoot: string;
  proof: string[];
  /** The witnessed checkpoint of size `to` the proof was verified against. */
  checkpoint: string;
}

export interface WitnessOriginStatus {
  origin: string;
  org: string;
  /** The size this node last cosigned (null for its own log or when never). */
  cosignedSize: number | null;
  /** The newest witnessed checkpoint's size this node holds (null when none). */
  witnessedSize: number | null;
  /** How many cosignatures that checkpoint carries, and how many are needed. */
  cosignatures: number;
  k: number;
  misbehaving: boolean;
}

function logOnlyNote(text: string, logSig: NoteSignature): string {
  return `${text}\n${formatSignatureLine(logSig)}`;
}

function bodyNote(body: Record<string, unknown>): string {
  const keys = Object.keys(body);
  if (keys.length !== 1 || typeof body.note !== 'string' || body.note.length > MAX_NOTE_CHARS) {
    throw new GovfedError('ERR_INVALID_INPUT', 'expected {note} with a signed note of bounded size');
  }
  return body.note;
}

const collectedKey = (size: number, root: Uint8Array) => `${size}:${toBase64(root)}`;

export class WitnessService implements FederationModule {
  readonly name = 'witness';
  readonly gossip: Readonly<Record<string, (msg: GossipMessage, from: string) => Verdict>>;
  readonly protocols: FederationModule['protocols'];

  readonly #home: WitnessServiceOptions['home'];
  readonly #log: WitnessServiceOptions['log'];
  readonly #events: EventSink;
  readonly #now: () => Date;
  readonly #store: WitnessStore;
  #ctx: FederationContext | undefined;
  #charter: Charter | undefined;
  #chain: CharterChain | undefined;
  /** Member logs by origin (this node's own included). */
  #logs = new Map<string, MemberLog>();
  /** Witness verifiers by org (members with a witnessKey). */
  #witnessKeys = new Map<string, KeyedVerifier>();
  #external: string[] = [];
  #locks = new Map<string, Promise<unknown>>();
  #collected = new Map<string, Map<string, Collected>>();
  #witnessed = new Map<string, WitnessedCheckpoint & { rootHash: Uint8Array; count: number }>();
  #cosignedSizes = new Map<string, number>();
  #alerts = new Map<string, Set<string>>();
  /** A checkpoint per origin whose witnessing failed for lack of a proof (retried each sync round). */
  #pending = new Map<string, string>();
  #timer: NodeJS.Timeout | undefined;
  #lastPublished: { size: number; at: number } = { size: -1, at: 0 };
  #syncRounds = 0;
  #started = false;
  #lagMs: number | null = null;
  readonly #metrics: { cosigned: Counter; equivocations: Counter; lag: Gauge } | undefined;

  constructor(opts: WitnessServiceOptions) {
    this.#home = opts.home;
    this.#log = opts.log;
    this.#events = opts.events ?? (() => {});
    this.#now = opts.now ?? (() => new Date());
    this.#store = new WitnessStore(opts.home.paths.witness);
    this.gossip = {
      checkpoint: (msg) => this.#onCheckpointGossip(msg),
      cosignature: (msg) => this.#onCosignatureGossip(msg),
      alert: (msg) => this.#onAlertGossip(msg),
    };
    const handle = logProtocolHandler(opts.log, opts.home.config.origin);
    this.protocols = {
      [LOG_PROTOCOL]: { maxBytes: LOG_PROTOCOL_MAX_BYTES, handle: (req) => this.#relayOr(req, handle) },
    };
    if (opts.registry !== undefined) {
      const registers = [opts.registry];
      this.#metrics = {
        cosigned: new Counter({
          name: 'govfed_witness_cosigned_total',
          help: 'Checkpoints of other logs this node cosigned as a witness.',
          registers,
        }),
        equivocations: new Counter({
          name: 'govfed_witness_equivocations_total',
          help: 'Distinct equivocation alerts this node verified and recorded.',
          registers,
        }),
        lag: new Gauge({
          name: 'govfed_witnessed_lag_seconds',
          help: "Time from this node's checkpoint being signed to it being witnessed (k cosignatures), last one.",
          registers,
        }),
      };
    }
  }

  // ---- lifecycle ----

  attach(ctx: FederationContext): void {
    this.#ctx = ctx;
  }

  async start(): Promise<void> {
    await this.#store.open();
    this.#external = await this.#store.externalLogs();
    this.#started = true;
    await this.#reload();
    // New checkpoints are gossiped as the log signs them; the poll is the fallback (and re-sends).
    this.#log.onCheckpoint(() => this.#tick());
    this.#timer = setInterval(() => this.#tick(), POLL_MS);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#started = false;
    await Promise.allSettled([...this.#locks.values()]);
    await this.#store.close();
  }

  /** Loads what the store holds: witnessed checkpoints, alerts (misbehaving origins), cosigned sizes. */
  async #reload(): Promise<void> {
    for (const [origin, w] of await this.#store.witnessed()) {
      const text = w.note.slice(0, w.note.indexOf('\n\n') + 1);
      const lines = w.note
        .slice(text.length + 1)
        .split('\n')
        .filter((l) => l.length > 0);
      const rootLine = text.split('\n')[2] ?? '';
      this.#witnessed.set(origin, { ...w, rootHash: fromBase64(rootLine), count: Math.max(0, lines.length - 1) });
    }
    for (const a of await this.#store.alerts()) {
      const set = this.#alerts.get(a.origin) ?? new Set<string>();
      set.add(a.id);
      this.#alerts.set(a.origin, set);
    }
  }

  onCharter(chain: CharterChain): void {
    this.#chain = chain;
    this.#charter = chain.current;
    const logs = new Map<string, MemberLog>();
    const witnesses = new Map<string, KeyedVerifier>();
    for (const m of chain.current.members) {
      if (m.logKey !== undefined) {
        try {
          const v = parseLogKey(m.logKey);
          logs.set(v.name, { member: m, verifier: v });
        } catch {
          // a member with a broken key cannot be witnessed; its entries cannot be proved
        }
      }
      if (m.witnessKey !== undefined) {
        try {
          witnesses.set(m.org, parseWitnessKey(m.witnessKey));
        } catch {
          // cannot cosign
        }
      }
    }
    this.#logs = logs;
    this.#witnessKeys = witnesses;
  }

  onPeerConnected(): void {
    this.#lastPublished.at = 0; // a new member should see our checkpoint soon
  }

  async onSyncRound(): Promise<void> {
    const own = this.#home.config.origin;
    const cp = this.#log.checkpoint();
    const w = this.#witnessed.get(own);
    if (w === undefined || w.size < cp.size) await this.#publishOwn(true);
    for (const [origin, note] of this.#pending) {
      this.#pending.delete(origin);
      this.#enqueue(origin, () => this.#witness(origin, note));
    }
    this.#syncRounds += 1;
    if (this.#syncRounds % RESEND_COSIGNATURES_ROUNDS === 0) await this.#resendCosignatures();
  }

  /** Anti-entropy: our newest cosignature of each other log, gossiped again (see RESEND_COSIGNATURES_ROUNDS). */
  async #resendCosignatures(): Promise<void> {
    for (const origin of this.#logs.keys()) {
      if (origin === this.#home.config.origin || this.isMisbehaving(origin)) continue;
      try {
        const state = await this.#store.cosigned(origin);
        if (state !== undefined) await this.#ctx?.publish('cosignature', { note: state.cosigned });
      } catch (err) {
        this.#event('witness:error', { origin, error: errorText(err) });
      }
    }
  }

  memberStatus(member: Member): Record<string, unknown> {
    const origin = member.logKey === undefined ? undefined : this.#originOfKey(member.logKey);
    return { misbehaving: origin !== undefined && this.isMisbehaving(origin) };
  }

  status(): Record<string, unknown> {
    return {
      origins: this.origins(),
      alerts: [...this.#alerts.values()].reduce((n, s) => n + s.size, 0),
      misbehaving: [...this.#alerts.keys()].sort(),
      witnessedLagMs: this.#lagMs,
    };
  }

  /** One row per member log. */
  origins(): WitnessOriginStatus[] {
    const out: WitnessOriginStatus[] = [];
    for (const [origin, { member }] of this.#logs) {
      const w = this.#witnessed.get(origin);
      out.push({
        origin,
        org: member.org,
        cosignedSize: this.#cosignedSizes.get(origin) ?? null,
        witnessedSize: w?.size ?? null,
        cosignatures: w?.count ?? 0,
        k: this.#k(member),
        misbehaving: this.isMisbehaving(origin),
      });
    }
    return out.sort((a, b) => (a.org < b.org ? -1 : a.org > b.org ? 1 : 0));
  }

  isMisbehaving(origin: string): boolean {
    return (this.#alerts.get(origin)?.size ?? 0) > 0;
  }

  #originOfKey(vkey: string): string | undefined {
    for (const [origin, l] of this.#logs) if (l.member.logKey === vkey) return origin;
    return undefined;
  }

  #k(member: Member): number {
    return this.#charter === undefined ? 0 : witnessThreshold(this.#charter, member.org);
  }

  // ---- own log ----

  #tick(): void {
    void this.#publishOwn(false).catch((err) => this.#event('witness:error', { error: errorText(err) }));
  }

  async #publishOwn(force: boolean): Promise<void> {
    if (!this.#started || this.#ctx === undefined) return;
    let cp: ReturnType<AuditLog['checkpoint']>;
    try {
      cp = this.#log.checkpoint();
    } catch {
      return; // the log is stopping
    }
    const now = Date.now();
    if (now - this.#lastPublished.at < PUBLISH_MIN_MS) return;
    if (!force && cp.size <= this.#lastPublished.size) return;
    const origin = this.#home.config.origin;
    this.#collectOwn(cp.note, cp.signedAt.getTime());
    if (this.#ctx.chain() === undefined || this.#logs.get(origin) === undefined) return;
    this.#lastPublished = { size: cp.size, at: now };
    await this.#ctx.publish('checkpoint', { note: cp.note });
  }

  #collectOwn(note: string, signedAt: number): void {
    const own = this.#logs.get(this.#home.config.origin);
    if (own === undefined) return;
    const opened = openCheckpoint(note, own.verifier);
    const logSig = opened.verified[0] as NoteSignature;
    this.#collect(this.#home.config.origin, own, opened.checkpoint, opened.text, logSig, [], signedAt);
  }

  /**
   * The latest checkpoint of this node's log with the cosignature lines collected for it appended
   * (GET /v1/log/checkpoint).
   */
  checkpointWithCosignatures(): string {
    const cp = this.#log.checkpoint();
    const c = this.#collected.get(this.#home.config.origin)?.get(collectedKey(cp.size, cp.rootHash));
    if (c === undefined || c.cosigs.size === 0) return cp.note;
    return appendSignatures(
      cp.note,
      [...c.cosigs.values()].map((x) => x.sig),
    );
  }

  // ---- gossip validators (synchronous; attacker-controlled bodies) ----

  #memberLog(origin: string): MemberLog {
    const l = this.#logs.get(origin);
    if (l === undefined) throw new GovfedError('ERR_UNKNOWN_ORIGIN', `no member has a log with origin ${origin}`);
    return l;
  }

  #onCheckpointGossip(msg: GossipMessage): Verdict {
    const note = bodyNote(msg.body);
    const origin = originOf(note);
    const ml = this.#memberLog(origin);
    const opened = openCheckpoint(note, ml.verifier);
    const verified = {
      checkpoint: opened.checkpoint,
      logNote: logOnlyNote(opened.text, opened.verified[0] as NoteSignature),
    };
    if (origin !== this.#home.config.origin) this.#enqueue(origin, () => this.#witness(origin, note, verified));
    return { result: 'accept' };
  }

  #onCosignatureGossip(msg: GossipMessage): Verdict {
    const note = bodyNote(msg.body);
    const origin = originOf(note);
    const ml = this.#memberLog(origin);
    const sender = this.#chain?.member(msg.sender);
    const key = sender === undefined ? undefined : this.#witnessKeys.get(sender.org);
    if (sender === undefined || key === undefined || sender.org === ml.member.org) {
      throw new GovfedError('ERR_UNKNOWN_WITNESS', 'the sender has no witness key for this log');
    }
    const opened = openCheckpoint(note, ml.verifier, [key]);
    const cosig = opened.verified.find((s) => s.name === key.name && s.keyHash === key.keyHash);
    if (cosig === undefined)
      throw new GovfedError('ERR_UNKNOWN_WITNESS', "the note carries no cosignature by its sender's witness");
    const logSig = opened.verified.find((s) => s.name === ml.verifier.name) as NoteSignature;
    this.#enqueue(origin, async () => {
      this.#collect(origin, ml, opened.checkpoint, opened.text, logSig, [[sender.org, cosig, key.vkey]], Date.now());
      if (origin === this.#home.config.origin) return;
      const alerted = await this.#checkConflicts(origin, ml, opened.checkpoint, logOnlyNote(opened.text, logSig));
      const logNote = logOnlyNote(opened.text, logSig);
      if (!alerted) await this.#witness(origin, logNote, { checkpoint: opened.checkpoint, logNote });
    });
    return { result: 'accept' };
  }

  #onAlertGossip(msg: GossipMessage): Verdict {
    const charter = this.#charter;
    if (charter === undefined) throw new GovfedError('ERR_INVALID_INPUT', 'no charter');
    const env = envelopeFromBody(msg.body);
    const verified = verifyAlert(env, charter);
    this.#enqueue(verified.evidence.origin, () => this.#recordAlert(env, verified.evidence));
    return { result: 'accept' };
  }

  // ---- witnessing ----

  /** Runs `job` after every earlier job of `origin` (the per-origin lock). Errors are logged. */
  #enqueue(origin: string, job: () => Promise<unknown>): Promise<unknown> {
    const prev = this.#locks.get(origin) ?? Promise.resolve();
    const next = prev.then(job, job).catch((err) => {
      this.#event('witness:error', { origin, error: errorText(err) });
    });
    this.#locks.set(origin, next);
    void next.then(() => {
      if (this.#locks.get(origin) === next) this.#locks.delete(origin);
    });
    return next;
  }

  /** Witnesses a member's checkpoint (a log-signed note): fetch a proof, decide, store, cosign, gossip. */
  /**
   * `verified`: the checkpoint and its log-signed note when the caller (a gossip validator) has just
   * checked the log's signature — it is not checked a second time.
   */
  async #witness(origin: string, note: string, verified?: { checkpoint: Checkpoint; logNote: string }): Promise<void> {
    if (!this.#started || this.isMisbehaving(origin)) return;
    const ml = this.#logs.get(origin);
    if (ml === undefined || ml.member.peerId === this.#ctx?.peerId) return;
    let cp: Checkpoint;
    let logNote: string;
    if (verified !== undefined) {
      ({ checkpoint: cp, logNote } = verified);
    } else {
      const opened = openCheckpoint(note, ml.verifier);
      cp = opened.checkpoint;
      logNote = logOnlyNote(opened.text, opened.verified[0] as NoteSignature);
    }
    const state = await this.#store.cosigned(origin);
    if (state !== undefined && cp.size < state.size) return; // older than what we cosigned
    if (state !== undefined && cp.size === state.size) {
      if (equalBytes(cp.rootHash, state.rootHash)) return;
      const ev = findEquivocation({ logVerifier: ml.verifier, a: state.note, b: logNote });
      if (ev !== undefined) await this.#raiseAlert(ev);
      return;
    }
    if (await this.#checkConflicts(origin, ml, cp, logNote)) return;
    const oldSize = state?.size ?? 0;
    let proof: Uint8Array[] = [];
    let oldRoot: Uint8Array | undefined;
    if (oldSize > 0) {
      try {
        const res = await this.#requestLog(ml, {
          type: 'get-consistency',
          origin,
          from: oldSize,
          to: cp.size,
        });
        const r = decodeLogResponse(res, 'consistency');
        proof = decodeHashes(r.proof);
        oldRoot = decodeHashes([r.oldRoot])[0];
      } catch (err) {
        this.#pending.set(origin, logNote);
        this.#event('witness:proof-unavailable', { origin, size: cp.size, error: errorText(err) });
        return;
      }
    }
    const req: AddCheckpointRequest = { oldSize, proof, note: logNote, checkpoint: cp };
    await this.#decideAndStore(origin, ml, state, req, oldRoot);
  }

  /**
   * The tlog-witness decision and the store of its new state, for a request about `origin`: call only
   * inside the origin's lock. Returns the cosignature lines; rethrows the WitnessError of a refusal
   * after keeping any evidence it holds.
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
      result = addCheckpoint({ known: this.#knownLogs(), state, req, signer: this.#home.witnessSigner });
    } catch (err) {
      if (ml !== undefined && state !== undefined && err instanceof WitnessError) {
        const logNote = this.#logNoteOf(req.note, ml);
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
        if (ev !== undefined) await this.#raiseAlert(ev);
        else this.#event('witness:refused', { origin, size: req.checkpoint.size, code: err.code });
      }
      throw err;
    }
    const logNote = ml === undefined ? req.note : (this.#logNoteOf(req.note, ml) ?? req.note);
    const cosigned = appendSignatures(logNote, [result.cosignature]);
    await this.#store.setCosigned(origin, {
      size: result.next.size,
      rootHash: result.next.rootHash,
      note: logNote,
      cosigned,
    });
    this.#cosignedSizes.set(origin, result.next.size);
    this.#pending.delete(origin);
    this.#metrics?.cosigned.inc();
    this.#event('witness:cosigned', { origin, size: result.next.size });
    if (ml !== undefined) {
      const self = this.#witnessKeys.get(this.#home.config.org);
      if (self !== undefined) {
        const logSig = openCheckpoint(logNote, ml.verifier).verified[0] as NoteSignature;
        this.#collect(origin, ml, result.checkpoint, result.text, logSig, [
          [this.#home.config.org, result.cosignature, self.vkey],
        ]);
      }
      await this.#ctx?.publish('cosignature', { note: cosigned });
    }
    return result.cosignatureLines;
  }

  /** The log-signed part of a note (text + the log's signature line), or undefined if it does not verify. */
  #logNoteOf(note: string, ml: MemberLog): string | undefined {
    try {
      const opened = openCheckpoint(note, ml.verifier);
      const sig = opened.verified.find((s) => s.name === ml.verifier.name && s.keyHash === ml.verifier.keyHash);
      return sig === undefined ? undefined : logOnlyNote(opened.text, sig);
    } catch {
      return undefined;
    }
  }

  /** Equivocation against checkpoints of the same size seen from others (kind 1). True when alerted. */
  async #checkConflicts(origin: string, ml: MemberLog, cp: Checkpoint, logNote: string): Promise<boolean> {
    const state = await this.#store.cosigned(origin);
    const candidates: string[] = [];
    if (state !== undefined && state.size === cp.size && !equalBytes(state.rootHash, cp.rootHash)) {
      candidates.push(state.note);
    }
    for (const c of this.#collected.get(origin)?.values() ?? []) {
      if (c.size === cp.size && !equalBytes(c.rootHash, cp.rootHash)) candidates.push(logOnlyNote(c.text, c.logSig));
    }
    for (const other of candidates) {
      const ev = findEquivocation({ logVerifier: ml.verifier, a: other, b: logNote });
      if (ev !== undefined) {
        await this.#raiseAlert(ev);
        return true;
      }
    }
    return false;
  }

  #knownLogs(): Map<string, KeyedVerifier[]> {
    const known = new Map<string, KeyedVerifier[]>();
    for (const [origin, l] of this.#logs) {
      if (origin !== this.#home.config.origin) known.set(origin, [l.verifier]);
    }
    for (const [origin, vs] of knownLogsFromKeys(this.#external)) {
      if (!known.has(origin)) known.set(origin, vs as KeyedVerifier[]);
    }
    return known;
  }

  /**
   * A request about another member's log (`origin` set, not ours) is relayed once, unchanged, to that
   * member's node: members that cannot dial each other directly still reach each other's logs. The
   * answer is passed back as is — the requester verifies it against signed checkpoints anyway.
   */
  async #relayOr(req: Uint8Array, local: (req: Uint8Array) => Promise<Uint8Array>): Promise<Uint8Array> {
    let origin: string | undefined;
    try {
      const decoded = decodeLogRequest(req);
      origin = 'origin' in decoded ? decoded.origin : undefined;
    } catch {
      return await local(req); // the local handler answers with the error
    }
    const ml = origin === undefined ? undefined : this.#logs.get(origin);
    if (origin === undefined || origin === this.#home.config.origin || ml === undefined) return await local(req);
    try {
      return (
        (await this.#ctx?.request(ml.member.peerId, LOG_PROTOCOL, req, LOG_PROTOCOL_MAX_BYTES, REQUEST_TIMEOUT_MS)) ??
        (await local(req))
      );
    } catch (err) {
      return encodeLogMessage({ type: 'error', code: 'ERR_PEER_UNAVAILABLE', message: errorText(err).slice(0, 512) });
    }
  }

  /**
   * One request about `ml`'s log: to its owner's node, or — when that cannot be reached — relayed by
   * a connected member.
   */
  async #requestLog(ml: MemberLog, req: Parameters<typeof encodeLogMessage>[0]): Promise<Uint8Array> {
    try {
      return await this.#request(ml.member.peerId, req);
    } catch (first) {
      const ctx = this.#ctx;
      const relays = (ctx?.connectedMembers() ?? []).filter((p) => p !== ml.member.peerId && p !== ctx?.peerId);
      for (const relay of relays) {
        try {
          // A relay that cannot reach the owner either answers ERR_PEER_UNAVAILABLE: ask the next one (a
          // member admitted by someone else is often reachable through its inviter only).
          const answer = await this.#request(relay, req);
          if (!isUnavailableAnswer(answer)) return answer;
        } catch {
          // try the next one
        }
      }
      throw first;
    }
  }

  async #request(peer: string, req: Parameters<typeof encodeLogMessage>[0]): Promise<Uint8Array> {
    const ctx = this.#ctx;
    if (ctx === undefined) throw new NodeError('ERR_NO_FEDERATION', 'not in a federation');
    return await ctx.request(peer, LOG_PROTOCOL, encodeLogMessage(req), LOG_PROTOCOL_MAX_BYTES, REQUEST_TIMEOUT_MS);
  }

  // ---- cosignature collection ----

  #collect(
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

  #updateWitnessed(origin: string, ml: MemberLog, c: Collected): void {
    const k = this.#k(ml.member);
    if (c.cosigs.size < k || this.#charter === undefined) return;
    const cur = this.#witnessed.get(origin);
    if (cur !== undefined && (cur.size > c.size || (cur.size === c.size && cur.count >= c.cosigs.size))) return;
    const sigs = [...c.cosigs.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([, x]) => x.sig);
    const note = `${logOnlyNote(c.text, c.logSig)}${sigs.map(formatSignatureLine).join('')}`;
    const w = { size: c.size, note, rootHash: c.rootHash, count: c.cosigs.size };
    const first = cur === undefined || cur.size < c.size;
    this.#witnessed.set(origin, w);
    void this.#store.setWitnessed(origin, { size: w.size, note }).catch(() => {});
    if (first) {
      const own = origin === this.#home.config.origin;
      if (own) {
        this.#lagMs = Math.max(0, Date.now() - c.firstSeen);
        this.#metrics?.lag.set(this.#lagMs / 1000);
      }
      this.#event('witness:witnessed', {
        origin,
        size: c.size,
        cosignatures: c.cosigs.size,
        k,
        // own checkpoints: ms from signed to witnessed
        ...(own ? { lagMs: this.#lagMs } : {}),
      });
    }
  }

  // ---- alerts ----

  async #raiseAlert(ev: Equivocation): Promise<void> {
    const ctx = this.#ctx;
    if (ctx === undefined) return;
    const env = ctx.signAsPeer(ALERT_PAYLOAD_TYPE, encodeEquivocation(ev));
    const charter = this.#charter;
    if (charter === undefined) return;
    verifyAlert(env, charter); // our own evidence passes the check every node will make
    if (await this.#recordAlert(env, ev)) await ctx.publish('alert', envelopeBody(env));
  }

  /** Stores a verified alert, marks its origin and logs it. False when already known (or too many). */
  async #recordAlert(env: Envelope, ev: Equivocation): Promise<boolean> {
    const id = toHex(sha256(encodeEquivocation(ev)));
    const set = this.#alerts.get(ev.origin) ?? new Set<string>();
    if (set.has(id) || set.size >= MAX_ALERTS_PER_ORIGIN) return false;
    set.add(id);
    this.#alerts.set(ev.origin, set);
    await this.#store.addAlert(ev.origin, id, env);
    this.#metrics?.equivocations.inc();
    this.#event('witness:equivocation', {
      origin: ev.origin,
      alert: id,
      reporters: env.signatures.map((s) => s.keyid),
    });
    const record = canonicalBytes(env);
    const leaf: GovernanceLeaf = {
      v: 1,
      type: 'governance',
      kind: 'witness.equivocation',
      time: this.#now().toISOString(),
      digest: `sha256:${id}`,
      ref: `witness/${ev.origin}`.slice(0, 512),
    };
    await this.#log.append([{ leaf: encodeLeaf(leaf), record }]);
    return true;
  }

  // ---- the HTTP witness (POST /v1/witness/add-checkpoint) ----

  /**
   * A tlog-witness add-checkpoint request (attacker-controlled body). Returns the cosignature lines;
   * throws a WitnessError (its `status` is the HTTP status) or ERR_EQUIVOCATION for a log caught
   * equivocating.
   */
  async addCheckpoint(body: Uint8Array): Promise<string> {
    if (!this.#started) throw new NodeError('ERR_SHUTTING_DOWN', 'the witness is not running');
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
    await this.#enqueue(origin, async () => {
      try {
        out = await this.#addCheckpointLocked(origin, req);
      } catch (err) {
        failure = err;
      }
    });
    if (failure !== undefined) throw failure;
    return out as string;
  }

  async #addCheckpointLocked(origin: string, req: AddCheckpointRequest): Promise<string> {
    const ml = this.#logs.get(origin);
    if (this.isMisbehaving(origin)) {
      throw new NodeError('ERR_EQUIVOCATION', `log ${origin} was caught equivocating; this witness cosigns no more`);
    }
    const state = await this.#store.cosigned(origin);
    if (ml !== undefined && origin !== this.#home.config.origin) {
      const logNote = this.#logNoteOf(req.note, ml);
      if (logNote !== undefined && (await this.#checkConflicts(origin, ml, req.checkpoint, logNote))) {
        throw new NodeError('ERR_EQUIVOCATION', `log ${origin} showed another tree of size ${req.checkpoint.size}`);
      }
    }
    return await this.#decideAndStore(origin, origin === this.#home.config.origin ? undefined : ml, state, req);
  }

  /** Verifier keys of the logs outside the federation this node witnesses. */
  externalLogs(): string[] {
    return [...this.#external];
  }

  /** Replaces the list of logs outside the federation (each key must be an Ed25519 log verifier key). */
  async setExternalLogs(keys: readonly string[]): Promise<string[]> {
    knownLogsFromKeys(keys); // throws ERR_MALFORMED_VERIFIER_KEY
    const unique = [...new Set(keys)].sort();
    await this.#store.setExternalLogs(unique);
    this.#external = unique;
    return unique;
  }

  // ---- cross-org proofs ----

  #requireWitnessed(origin: string): { ml: MemberLog; w: WitnessedCheckpoint & { rootHash: Uint8Array } } {
    const ml = this.#logs.get(origin);
    if (ml === undefined || this.#chain === undefined) {
      throw new NodeError('ERR_NOT_FOUND', `no member of the federation has a log with origin ${origin}`);
    }
    const w = this.#witnessed.get(origin);
    if (w === undefined)
      throw new NodeError('ERR_NOT_WITNESSED', `this node holds no witnessed checkpoint of ${origin} yet`);
    return { ml, w };
  }

  /**
   * The cross-org proof bundle of entry `index` of `origin`'s log, against the newest witnessed
   * checkpoint of it this node holds. The entry and its inclusion proof come from the origin's node
   * over libp2p (or this node's own log) and are verified here before the bundle is returned.
   */
  async proveInclusion(origin: string, index: number): Promise<CrossOrgBundle> {
    const { ml, w } = this.#requireWitnessed(origin);
    if (index >= w.size) {
      throw new NodeError(
        'ERR_NOT_WITNESSED',
        `entry ${index} is not covered by the newest witnessed checkpoint of ${origin} (size ${w.size}); retry shortly`,
      );
    }
    let entry: Uint8Array;
    let proof: Uint8Array[];
    if (origin === this.#home.config.origin) {
      entry = await this.#log.entry(index);
      proof = await this.#log.proveInclusion(index, w.size);
    } else {
      const res = await this.#peerRequest(ml, { type: 'get-inclusion', origin, index, treeSize: w.size });
      const r = decodeLogResponse(res, 'inclusion');
      if (r.index !== index || r.treeSize !== w.size) throw badPeer(origin, 'answered for another entry');
      entry = fromBase64(r.entry);
      proof = decodeHashes(r.proof);
    }
    try {
      verifyInclusion(index, w.size, leafHash(entry), proof, w.rootHash);
    } catch (cause) {
      throw badPeer(origin, `its inclusion proof of entry ${index} does not verify`, cause);
    }
    const chain = this.#chain as CharterChain;
    const witnessKeys = this.#cosignerKeys(origin, w.note);
    return createCrossOrgBundle({
      origin,
      index,
      treeSize: w.size,
      entry,
      inclusion: proof,
      checkpoint: w.note,
      logKey: ml.verifier.vkey,
      witnessKeys,
      federation: { id: chain.federationId, charters: chain.versions().map((e) => e.envelope) },
    });
  }

  /** A consistency proof of `origin`'s log from `from` to the newest witnessed size (or `to`), verified. */
  async proveConsistency(origin: string, from: number, to?: number): Promise<CrossOrgConsistency> {
    const { ml, w } = this.#requireWitnessed(origin);
    const target = to ?? w.size;
    if (target !== w.size) {
      throw new NodeError(
        'ERR_NOT_WITNESSED',
        `the newest witnessed checkpoint of ${origin} has size ${w.size}, not ${target}`,
      );
    }
    if (from > target) throw new GovfedError('ERR_INVALID_TREE_SIZE', `from ${from} is larger than to ${target}`);
    let proof: Uint8Array[];
    let oldRoot: Uint8Array;
    if (origin === this.#home.config.origin) {
      proof = await this.#log.proveConsistency(from, target);
      oldRoot = await this.#log.treeHash(from);
    } else {
      const res = await this.#peerRequest(ml, { type: 'get-consistency', origin, from, to: target });
      const r = decodeLogResponse(res, 'consistency');
      proof = decodeHashes(r.proof);
      oldRoot = decodeHashes([r.oldRoot])[0] as Uint8Array;
    }
    try {
      verifyConsistency(from, target, proof, oldRoot, w.rootHash);
    } catch (cause) {
      throw badPeer(origin, `its consistency proof ${from} -> ${target} does not verify`, cause);
    }
    return {
      origin,
      from,
      to: target,
      oldRoot: toBase64(oldRoot),
      proof: proof.map(toBase64),
      checkpoint: w.note,
    };
  }

  async #peerRequest(ml: MemberLog, req: Parameters<typeof encodeLogMessage>[0]): Promise<Uint8Array> {
    try {
      return await this.#requestLog(ml, req);
    } catch (cause) {
      throw new NodeError('ERR_PEER_UNAVAILABLE', `cannot reach ${ml.member.org}'s node: ${errorText(cause)}`, {
        cause,
      });
    }
  }

  /** The witness keys of the cosignature lines in a witnessed note. */
  #cosignerKeys(origin: string, note: string): string[] {
    const ml = this.#logs.get(origin) as MemberLog;
    const keys: string[] = [];
    const verifiers = [...this.#witnessKeys.entries()].filter(([org]) => org !== ml.member.org).map(([, v]) => v);
    const opened = openCheckpoint(note, ml.verifier, verifiers);
    for (const s of opened.verified) {
      const v = verifiers.find((x) => x.name === s.name && x.keyHash === s.keyHash);
      if (v !== undefined) keys.push(v.vkey);
    }
    return keys;
  }

  #event<E extends EventName>(event: E, fields: EventFields[E]): void {
    this.#events(event, fields);
  }
}

/** The origin line of a note (attacker-controlled; checked by openCheckpoint afterwards). */
function originOf(note: string): string {
  const nl = note.indexOf('\n');
  if (nl <= 0 || nl > 1024) throw new GovfedError('ERR_MALFORMED_CHECKPOINT', 'no origin line');
  return note.slice(0, nl);
}

function badPeer(origin: string, what: string, cause?: unknown): NodeError {
  return new NodeError(
    'ERR_BAD_PEER_RESPONSE',
    `the node of ${origin}: ${what}`,
    cause === undefined ? undefined : { cause },
  );
}

function errorText(err: unknown): string {
  if (isGovfedError(err)) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
