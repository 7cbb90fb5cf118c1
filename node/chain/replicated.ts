/**
 * ReplicatedChain: one signed object chain that the federation's members propose, co-sign, gossip,
 * sync and log — the component under policy baselines, and under the model registry, approvals and
 * revocations to come. The object-specific parts come from a ReplicatedObject (object.ts).
 *
 *   offer    an envelope made or signed here, or received (gossip, sync; attacker-controlled): verified
 *            against the charter, merged with our copy; complete → applied, otherwise kept pending
 *            (PendingSet: TTL, bound, the no-two-versions rule) and, when local, gossiped.
 *   apply    ObjectChain.acceptRun (the module's acceptance rule; rollback, gap, fork, … are its typed
 *            rejections) → onHead (synchronously: the owner swaps what it enforces) → on the serial
 *            tail: persist → audit leaf → the module's signed receipt, gossiped.
 *   forks    a complete rival of a version we hold: kept as evidence (forks.ts), audited, an event.
 *   receipts the newest verified receipt of each member (objects without receipts: none).
 * Optional parts (the charter's: deadlines, withdrawals, …): object.ts and the owner's hooks (owner.ts).
 * gossip.ts: synchronous gossip verdicts; sync.ts: the hello/pull/push exchange.
 */
import { GovfedError, isGovfedError } from '../../protocol/errors.ts';
import type { CharterChain, Envelope } from '../../protocol/federation/index.ts';
import { NodeError } from '../errors.ts';
import type { FederationContext } from '../federation/module.ts';
import { appendAuditLeaf } from './audit.ts';
import { ForkBook } from './forks.ts';
import type {
  AuditStep,
  ChainEmit,
  ChainSnapshot,
  ObjectChain,
  ObjectEntry,
  ObjectStatus,
  ProposalInfo,
  ReplicatedObject,
} from './object.ts';
import { ObjectPending } from './object-pending.ts';
import type { ReplicatedChainOptions } from './owner.ts';
import { type PendingProposal, PendingSet } from './pending.ts';
import { ReceiptBook } from './receipts.ts';
import { errorText, Rejections, SerialTail } from './util.ts';

export class ReplicatedChain<O> {
  readonly object: ReplicatedObject<O>;
  readonly self: string;
  readonly #o: ReplicatedChainOptions<O>;
  readonly pending: PendingSet;
  /** The pending set read through the module. */
  readonly #pending: ObjectPending<O>;
  readonly tail: SerialTail;
  readonly #rejections: Rejections;
  #ctx: FederationContext | undefined;
  #chain: ObjectChain<O> | undefined;
  #stored: Envelope[] = [];
  readonly #receipts: ReceiptBook;
  readonly #forks: ForkBook<O>;
  #applied: { appliedAt: string; logIndex: number | null } | undefined;

  /** The sink, untyped: a module names its events (node/events.ts) and adds fields (`appliedFields`). */
  readonly #emit: ChainEmit;

  constructor(opts: ReplicatedChainOptions<O>) {
    this.#o = opts;
    this.#emit = opts.events as unknown as ChainEmit;
    this.object = opts.object;
    this.self = opts.self;
    this.pending = new PendingSet({
      self: opts.self,
      versionOf: (env) => opts.object.versionOf(opts.object.decode(env)),
      now: () => opts.now().getTime(),
      ...(opts.object.conflictIgnoresExpired === true ? { conflictIgnoresExpired: true } : {}),
      ...(opts.onPendingDropped === undefined ? {} : { onDrop: (p: PendingProposal) => opts.onPendingDropped?.(p) }),
    });
    this.tail = new SerialTail((err) => this.#emit(opts.object.events.error, { error: errorText(err) }));
    this.#rejections = new Rejections();
    this.#receipts = new ReceiptBook(opts.object.receipts);
    this.#forks = new ForkBook(opts.object);
    this.#pending = new ObjectPending(opts.object, this.pending);
  }

  attach(ctx: FederationContext): void {
    this.#ctx = ctx;
  }

  /** The chain, once the charter re-verified it (undefined before). */
  get chain(): ObjectChain<O> | undefined {
    return this.#chain;
  }

  get version(): number {
    return this.#chain?.version ?? 0;
  }

  /** The head: the verified chain's, else the stored one (verified when it was applied). */
  head(): ObjectEntry<O> | undefined {
    const cur = this.#chain?.current;
    if (cur !== undefined) return cur;
    const env = this.#stored.at(-1);
    if (env === undefined) return undefined;
    const object = this.object.decode(env);
    return { version: this.object.versionOf(object), digest: this.object.digestOf(object), envelope: env, object };
  }

  receipts(): ReadonlyMap<string, Envelope> {
    return this.#receipts.all();
  }

  forks(): readonly Envelope[] {
    return this.#forks.list();
  }

  rejected(): Record<string, number> {
    return this.#rejections.snapshot();
  }

  /** Since this start: when the head was applied and its log index. */
  get applied(): { appliedAt: string; logIndex: number | null } | undefined {
    return this.#applied;
  }

  /** Loads what start() read from the state file; the stored head is enforced until the charter arrives. */
  restore(s: ChainSnapshot): void {
    this.#stored = s.objects;
    for (const p of s.pending) this.pending.set(this.object.digestOf(this.object.decode(p.envelope)), p);
    this.#receipts.restore(s.receipts);
    this.#forks.restore(s.forks);
    this.#o.onHead(this.head(), 'loaded');
  }

  snapshot(): ChainSnapshot & { federationId: string | null } {
    const chain = this.#chain;
    return {
      federationId: chain?.federationId ?? this.#ctx?.chain()?.federationId ?? null,
      // A chain that holds nothing yet (not loaded, or the stored one failed to re-verify) keeps what is stored.
      objects: chain === undefined || chain.version === 0 ? this.#stored : chain.versions().map((e) => e.envelope),
      pending: this.pending.values(),
      receipts: this.#receipts.list(),
      forks: [...this.#forks.list()],
    };
  }

  async persist(): Promise<void> {
    await this.#o.persist();
    const chain = this.#chain;
    if (chain !== undefined && chain.version > 0) this.#stored = chain.versions().map((e) => e.envelope);
  }

  /** The charter is known (network start) or changed: verify the stored chain once, re-check the rest. */
  onCharter(charter: CharterChain): void {
    if (this.#chain !== undefined) {
      this.#dropStalePending();
      return;
    }
    try {
      this.#chain = this.object.loadChain(charter.federationId, this.#stored, charter);
    } catch (err) {
      // The stored chain no longer verifies against this charter: keep enforcing the stored head (fail
      // closed) and say so loudly; a valid newer version from the federation replaces it.
      const name = this.object.events.reloadFailed;
      if (name !== undefined) this.#emit(name, { error: errorText(err) });
      this.#chain = this.object.emptyChain(charter.federationId);
      return;
    }
    this.#receipts.recheck(charter);
    this.#dropStalePending();
    // Proposals restored from the state file re-open what they opened before the restart (join windows).
    for (const { status, proposal: p } of this.#pending.checked(charter)) {
      this.#o.onPending?.(status, p.envelope, p.expiresAt, false);
    }
    this.#o.onHead(this.#chain.current, 'loaded');
  }

  // ---- proposals ----

  /** ERR_PROPOSAL_PENDING when this node signed another pending object for `version`. */
  assertNoConflict(version: number, digest: string): void {
    this.#pending.assertNoConflict(version, digest);
  }

  /** Co-signs the pending proposal `id` names (digest or unique hex prefix). */
  async sign(id: string): Promise<ProposalInfo<O>> {
    const p = this.pending.resolve(id, `pending ${this.object.noun} proposal`, () => this.#chain?.versions() ?? []);
    const object = this.object.decode(p.envelope);
    this.assertNoConflict(this.object.versionOf(object), this.object.digestOf(object));
    return await this.offer(this.object.cosign(p.envelope, this.#o.seed), 'local');
  }

  info(s: ObjectStatus<O>, expiresAt: string): ProposalInfo<O> {
    return { status: s, expiresAt, applied: this.#chain?.current?.digest === s.digest };
  }

  /** The pending proposals that still check under the charter. */
  pendingInfos(): ProposalInfo<O>[] {
    const charter = this.#ctx?.chain();
    if (charter === undefined) return [];
    return this.#pending.checked(charter).map(({ status, proposal }) => this.info(status, proposal.expiresAt));
  }

  /**
   * An envelope we signed or received (attacker-controlled unless `via` is local): checked against
   * the charter, merged with our copy; applied when complete, otherwise kept pending and (when local)
   * gossiped.
   */
  async offer(received: Envelope, via: 'local' | 'gossip' | 'sync', from?: string): Promise<ProposalInfo<O>> {
    const charter = this.requireCharter();
    // Signatures their signers withdrew (object.withdrawn) never count here again: taken out first.
    const s1 = this.object.status(received, charter);
    const env = this.#pending.withoutWithdrawn(s1.digest, received);
    const s0 = env === received ? s1 : this.object.status(env, charter);
    const chain = this.requireChain();
    if (chain.current !== undefined && s0.digest === chain.current.digest) return this.info(s0, this.#expiry());
    // The module's admission of a received proposal (deadlines, limits), before anything is stored.
    if (via !== 'local') this.object.admit?.(s0, env, this.pending, charter);
    const prev = this.pending.get(s0.digest);
    const merged = prev === undefined ? env : this.object.merge(prev.envelope, env);
    const s = this.object.status(merged, charter);
    if (s.complete) {
      this.applyRun([merged], via, from);
      // Gossip first: the audit leaf and the receipt (on the tail) can wait; members that learnt the
      // object some other way first would answer our gossip with `ignore` and not forward it. A received
      // copy that our signatures completed is news to its senders too: it is passed on as well.
      if (via === 'local' || !s0.complete) {
        await this.#publish(this.object.completeGossipKind ?? this.object.gossipKind, merged);
      }
      await this.tail.idle();
      return this.info(s, prev?.expiresAt ?? this.#expiry(s.object));
    }
    return await this.#keep(s, merged, prev, via, from);
  }

  /**
   * A proposal signed here that only sync hands over (a joiner's own signature: members do not hear it
   * by gossip before they admit it): kept pending, neither gossiped nor logged.
   */
  async hold(env: Envelope): Promise<ProposalInfo<O>> {
    const charter = this.requireCharter();
    const prev = this.pending.get(this.object.status(env, charter).digest);
    const merged = prev === undefined ? env : this.object.merge(prev.envelope, env);
    return await this.#keep(this.object.status(merged, charter), merged, prev, 'hold');
  }

  /** Stores a pending proposal (merged), opens what it opens, persists; local ones are logged and gossiped. */
  async #keep(
    s: ObjectStatus<O>,
    merged: Envelope,
    prev: PendingProposal | undefined,
    via: 'local' | 'gossip' | 'sync' | 'hold',
    from?: string,
  ): Promise<ProposalInfo<O>> {
    const chain = this.requireChain();
    if (s.version <= chain.version) {
      throw new GovfedError(
        this.object.codes.rollback,
        `${this.object.objectNoun} version ${s.version} is not newer than ${chain.version}`,
      );
    }
    const expiresAt = prev?.expiresAt ?? this.#expiry(s.object);
    const grew = prev === undefined || merged.signatures.length > prev.envelope.signatures.length;
    this.pending.set(s.digest, { envelope: merged, expiresAt });
    this.pending.trim(this.object.maxPending);
    if (this.pending.has(s.digest)) this.#o.onPending?.(s, merged, expiresAt, via === 'local' || via === 'hold');
    if (grew) {
      this.#emit(this.object.events.proposal, {
        via,
        ...(from === undefined ? {} : { from }),
        id: s.digest,
        version: s.version,
        signatures: s.signedBy.length,
        required: s.required,
        complete: s.complete,
      });
      await this.persist();
      if (via === 'local' && this.object.auditKinds.proposal !== undefined) {
        await this.#audit('proposal', { version: s.version, digest: s.digest, envelope: merged });
      }
    }
    if (via === 'local') await this.#publish(this.object.gossipKind, merged);
    return this.info(s, expiresAt);
  }

  /**
   * Takes versions current+1..n now (the module's acceptance rule; the head is handed to onHead in the
   * same turn); persistence, the audit leaves and the receipt follow in order on the tail. Throws the
   * chain's typed rejection; a fork is recorded as evidence. False for a duplicate.
   */
  applyRun(envs: readonly Envelope[], via: string, from?: string): boolean {
    const chain = this.requireChain();
    const charter = this.requireCharter();
    let taken: ObjectEntry<O>[];
    try {
      taken = chain.acceptRun(envs, charter, this.#o.now().getTime());
    } catch (err) {
      if (isGovfedError(err, this.object.codes.fork)) {
        const held = chain.version;
        const fork = envs.find((e) => this.object.versionOf(this.object.decode(e)) === held);
        if (fork !== undefined) this.#onFork(fork, via, from);
      }
      throw err;
    }
    const head = taken.at(-1);
    if (head === undefined) return false;
    for (const e of taken.slice(0, -1)) this.tail.queue(async () => void (await this.#audit('accepted', e)));
    this.#o.onHead(head, 'applied');
    this.pending.prune((p) => this.object.versionOf(this.object.decode(p.envelope)) > head.version);
    const appliedAt = this.#o.now().toISOString();
    this.#applied = { appliedAt, logIndex: null };
    // One `applied` event per version taken, oldest first (a node catching up says each one).
    for (const e of taken) {
      this.#emit(this.object.events.applied, {
        version: e.version,
        digest: e.digest,
        via,
        ...(from === undefined ? {} : { from }),
        ...(this.object.appliedFields?.(e.object) ?? {}),
      });
    }
    this.tail.queue(async () => {
      await this.persist();
      const logIndex = await this.#audit('accepted', head);
      if (this.#chain?.current?.digest === head.digest) this.#applied = { appliedAt, logIndex: logIndex ?? null };
      if (logIndex !== undefined && this.object.receipts !== undefined)
        await this.#issueReceipt(head, logIndex, appliedAt);
      await this.#o.onApplied?.(head, via);
    });
    return true;
  }

  #onFork(env: Envelope, via: string, from?: string): void {
    const fork = this.#forks.add(env);
    if (fork === undefined) return;
    const { version, digest } = fork;
    const name = this.object.events.fork;
    if (name !== undefined)
      this.#emit(name, {
        version,
        digest,
        current: this.#chain?.current?.digest ?? null,
        via,
        ...(from === undefined ? {} : { from }),
      });
    this.tail.queue(async () => {
      await this.persist();
      await this.#audit('fork', { version, digest, envelope: env });
    });
  }

  async #issueReceipt(entry: ObjectEntry<O>, logIndex: number, appliedAt: string): Promise<void> {
    const spec = this.object.receipts;
    if (spec === undefined) return;
    const env = spec.issue(entry, logIndex, appliedAt, this.#o.seed);
    this.#receipts.setOwn(this.self, env);
    await this.persist();
    await this.#ctx?.publish(spec.kind, { envelope: env });
  }

  #dropStalePending(): void {
    this.#pending.dropStale(this.#ctx?.chain(), this.#o.now().getTime(), this.#chain?.version ?? 0);
  }

  /** Verifies a receipt (attacker-controlled) and keeps it when it is that member's newest. */
  takeReceipt(value: unknown): boolean {
    const stored = this.#receipts.take(value as Envelope, this.requireCharter()); // throws without receipts
    if (stored) this.tail.queue(() => this.persist());
    return stored;
  }

  /** Counts a rejected message and raises the module's `rejected` event. */
  reject(via: string, peer: string, err: unknown): void {
    const code = this.#rejections.add(err);
    if (code === undefined) return;
    this.#o.onRejected?.(code, via, peer, err);
    const name = this.object.events.rejected;
    if (name !== undefined) this.#emit(name, { code, via, peer, message: errorText(err) });
  }

  #publish = async (kind: string, env: Envelope): Promise<void> => await this.#ctx?.publish(kind, { envelope: env });

  #audit(kind: AuditStep, e: Omit<ObjectEntry<O>, 'object'>): Promise<number | undefined> {
    const ctx = { object: this.object, log: this.#o.log, emit: this.#emit, now: this.#o.now };
    return appendAuditLeaf(ctx, kind, e, this.#chain?.federationId);
  }

  #expiry(object?: O): string {
    const deadline = object === undefined ? undefined : this.object.deadlineOf?.(object);
    return deadline ?? new Date(this.#o.now().getTime() + this.object.proposalTtlMs).toISOString();
  }

  get context(): FederationContext | undefined {
    return this.#ctx;
  }

  /** The federation's charter chain (object and receipt checks use its current charter and its id). */
  requireCharter(): CharterChain {
    const chain = this.#ctx?.chain();
    if (chain === undefined) throw new NodeError('ERR_NO_FEDERATION', 'this node is not in a federation');
    return chain;
  }

  requireChain(): ObjectChain<O> {
    if (this.#chain === undefined) this.onCharter(this.requireCharter());
    return this.#chain as ObjectChain<O>;
  }
}
