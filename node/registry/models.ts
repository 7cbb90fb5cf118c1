/**
 * ModelRegistry (issue 13): every member's model registrations and the approvals of them, as a federation
 * module (docs/registry.md; formats and checklists: protocol/registry/registration.ts, approval.ts; the
 * node's own checks: model-checks.ts).
 *
 *   - A registration is posted to its org's node (POST /v1/models), an approval to the approver's; the node
 *     verifies, takes (model-intake.ts: logged once, stored, held) and gossips it (kind `model`/`approval`).
 *   - Every member verifies what it receives by gossip and sync the same way, so every node computes the
 *     same status (pending, approved, rejected) from the same signed records.
 *   - Sync: each node numbers the records it took; each round it asks the round's members for their records
 *     from where it stopped (`/govfed/models/1.0.0`, protocol/registry/model-sync.ts).
 *   - A record that cannot be judged yet (an approval before its registration, a score under a policy
 *     version not yet here, a roster not yet here) waits (bounded, WAIT_TTL_MS) and is tried again when
 *     anything is taken and every sync round.
 *   - One registration per org/name@version: a second, different one is refused (ERR_MODEL_EXISTS) and, off
 *     the wire, kept out with an event `registry:model-conflict`.
 *
 * What happens to a record once it verified — logged once, stored, held, in that order, nothing
 * acknowledged before it is on disk twice — is model-intake.ts.
 */
import type { Ed25519Verify } from '../../protocol/crypto/ed25519.ts';
import { type Envelope, parseEnvelope } from '../../protocol/dsse/index.ts';
import { GovfedError, isGovfedError } from '../../protocol/errors.ts';
import type { ApprovalRule, RiskTier } from '../../protocol/federation/approval-rules.ts';
import { type CharterChain, type GossipMessage, GossipValidationError } from '../../protocol/federation/index.ts';
import { registrationId } from '../../protocol/registry/index.ts';
import {
  decodeModelsHello,
  decodeModelsPage,
  encodeModelsHello,
  encodeModelsPage,
  MAX_MODELS_FRAME,
  MODELS_PROTOCOL,
  type RegistryRecord,
  type RegistryRecordKind,
  recordLimits,
} from '../../protocol/registry/model-sync.ts';
import { errorText } from '../chain/index.ts';
import { NodeError } from '../errors.ts';
import type { EventSink } from '../events.ts';
import type { FederationContext, FederationModule, ModuleProtocol } from '../federation/module.ts';
import type { AuditLog } from '../log/index.ts';
import type { GossipVerdict } from '../p2p/pubsub.ts';
import { type HeldModel, ModelBook, modelKey, type ResolvedModel } from './model-book.ts';
import {
  type CheckContext,
  checkApproval,
  checkRegistration,
  claimedApprovalModel,
  type RiskCheck,
} from './model-checks.ts';
import { ModelIntake, type Taken, type TakenApproval } from './model-intake.ts';
import { ModelStore } from './model-store.ts';
import { rosterLookup } from './roster-lookup.ts';
import type { RosterModule } from './rosters.ts';

const REQUEST_TIMEOUT_MS = 5000;
/** How long a record that cannot be judged yet waits, and how many wait. */
export const WAIT_TTL_MS = 10 * 60_000;
export const MAX_WAITING = 1024;
/** Tolerated difference between a posted record's time and this node's clock. */
const POST_SKEW_MS = 5 * 60_000;

export interface ModelRegistryOptions {
  home: { dir: string; config: { org: string } };
  log: Pick<AuditLog, 'append' | 'lookupLeafHash'>;
  events: EventSink;
  rosters: Pick<RosterModule, 'roster' | 'generation'>;
  risk: RiskCheck;
  now?: () => Date;
  verify?: Ed25519Verify;
}

export class ModelRegistry implements FederationModule {
  readonly name = 'models';
  readonly gossip: Readonly<Record<string, (msg: GossipMessage, from: string) => GossipVerdict>>;
  readonly protocols: Readonly<Record<string, ModuleProtocol>>;
  readonly book: ModelBook;
  readonly #o: ModelRegistryOptions;
  readonly #store: ModelStore;
  readonly #now: () => Date;
  /** Records stored on disk, judged once the first charter is known. */
  #stored: RegistryRecord[] | undefined;
  readonly #waiting = new Map<string, { record: RegistryRecord; until: number }>();
  readonly #cursors = new Map<string, number>();
  #ctx: FederationContext | undefined;
  #federationId: string | undefined;
  readonly #intake: ModelIntake;

  constructor(o: ModelRegistryOptions) {
    this.#o = o;
    this.#now = o.now ?? (() => new Date());
    this.#store = new ModelStore(o.home.dir);
    this.book = new ModelBook({
      rosters: o.rosters,
      now: () => this.#now().getTime(),
      rules: () => this.#ctx?.chain()?.current.approvals,
    });
    this.#intake = new ModelIntake({
      log: o.log,
      store: this.#store,
      book: this.book,
      events: o.events,
      federationId: () => this.#federationId,
    });
    this.gossip = {
      model: (msg) => this.#judgeGossip('registration', msg),
      approval: (msg) => this.#judgeGossip('approval', msg),
    };
    this.protocols = {
      [MODELS_PROTOCOL]: {
        maxBytes: MAX_MODELS_FRAME,
        handle: async (req) => encodeModelsPage(this.#intake.records, decodeModelsHello(req)),
      },
    };
  }

  attach(ctx: FederationContext): void {
    this.#ctx = ctx;
  }

  async start(): Promise<void> {
    const s = await this.#store.load();
    if (s === undefined) return;
    this.#federationId = s.federationId ?? undefined;
    this.#stored = s.records;
  }

  async stop(): Promise<void> {
    await this.#intake.flush();
    await this.#store.flush();
  }

  onCharter(chain: CharterChain): void {
    if (this.#federationId !== chain.federationId) {
      this.#federationId = chain.federationId;
      this.#stored = undefined;
      this.book.clear();
      this.#waiting.clear();
      this.#intake.reset();
    }
    this.book.touch();
    const stored = this.#stored;
    if (stored === undefined) return;
    this.#stored = undefined;
    // Judge what was stored again, in order; what cannot be judged yet waits.
    void this.#replay(stored);
  }

  status(): Record<string, unknown> {
    return { models: this.book.size, records: this.#intake.records.length, waiting: this.#waiting.size };
  }

  /**
   * The version `name@version` registered by `org` — or, without `org`, by this org, else by the one org
   * that registered it. ERR_NOT_FOUND; ERR_AMBIGUOUS_MODEL when several other orgs did.
   */
  find(name: string, version: string, org?: string): HeldModel {
    if (org !== undefined) {
      const held = this.book.get(org, name, version);
      if (held === undefined)
        throw new NodeError('ERR_NOT_FOUND', `no model ${org}/${name}@${version} in the registry`);
      return held;
    }
    const all = this.book.named(name, version);
    const held = all.find((h) => h.model.org === this.#o.home.config.org) ?? (all.length === 1 ? all[0] : undefined);
    if (held !== undefined) return held;
    if (all.length === 0) throw new NodeError('ERR_NOT_FOUND', `no model ${name}@${version} in the registry`);
    throw new NodeError(
      'ERR_AMBIGUOUS_MODEL',
      `${name}@${version} is registered by ${all.map((h) => h.model.org).join(', ')}: name the org`,
    );
  }

  /** The model a decision names (`NAME@VERSION` or `ORG/NAME@VERSION`), as the registry knows it now. */
  resolve(ref: string): ResolvedModel {
    return this.book.resolve(ref, this.#o.home.config.org);
  }

  /** The charter's approval rule for a risk tier (undefined: that tier needs no approval). */
  rule(tier: RiskTier): ApprovalRule | undefined {
    return this.#ctx?.chain()?.current.approvals?.[tier];
  }

  /** A registration posted by a person of this org (POST /v1/models). */
  async register(envelope: unknown): Promise<Taken> {
    const env = parseEnvelope(envelope, recordLimits('registration'));
    const ctx = this.#checkContext('strict');
    const v = checkRegistration(env, ctx);
    if ('later' in v) throw new GovfedError('ERR_REGISTRATION_MISMATCH', `this node does not hold ${v.later} yet`);
    const p = v.predicate;
    if (p.model.org !== this.#o.home.config.org) {
      throw new GovfedError(
        'ERR_REGISTRATION_MISMATCH',
        `a registration of ${p.model.org}'s model is posted to ${p.model.org}'s node, not to ${this.#o.home.config.org}'s`,
      );
    }
    const head = this.#o.risk.head();
    if (p.risk.policyVersion !== head.version) {
      throw new GovfedError(
        'ERR_REGISTRATION_MISMATCH',
        `scored under policy version ${p.risk.policyVersion}, but this node enforces version ${head.version}: score it again`,
      );
    }
    this.#assertRecent(p.registeredAt, 'registeredAt');
    const taken = await this.#intake.registration(env, v, 'local', { refuseConflict: true, stored: false });
    this.#publish('model', env);
    return taken;
  }

  /** An approval posted by a person (POST /v1/models/{name}/{version}/approvals). */
  async approve(ref: { org: string; name: string; version: string }, envelope: unknown): Promise<TakenApproval> {
    const env = parseEnvelope(envelope, recordLimits('approval'));
    const held = this.book.get(ref.org, ref.name, ref.version);
    if (held === undefined) {
      throw new NodeError('ERR_NOT_FOUND', `no model ${ref.org}/${ref.name}@${ref.version} in the registry`);
    }
    const claimed = claimedApprovalModel(env);
    if (modelKey(claimed) !== held.key) {
      throw new GovfedError('ERR_APPROVAL_MISMATCH', `the approval is about ${modelKey(claimed)}, not ${held.key}`);
    }
    const a = checkApproval(env, held.registration, { ...this.#checkContext('strict'), now: this.#now().getTime() });
    this.#assertRecent(a.predicate.issuedAt, 'issuedAt');
    const view = this.book.view(held);
    const denied = this.#o.risk.approveDenials(
      { decision: a.predicate.decision, ...a.predicate.approver },
      {
        ...held.model,
        status: view.status,
        tier: held.registration.predicate.risk.tier,
        score: held.registration.predicate.risk.score,
      },
      held.registration.predicate.card,
    );
    if (denied.length > 0)
      throw new GovfedError('ERR_POLICY_DENIED', `approval denied by policy: ${denied.join('; ')}`);
    const taken = await this.#intake.approval(env, held, a, 'local');
    this.#publish('approval', env);
    return taken;
  }

  #assertRecent(time: string, field: string): void {
    if (Math.abs(Date.parse(time) - this.#now().getTime()) > POST_SKEW_MS) {
      throw new NodeError('ERR_VALIDATION', `${field} ${time} is more than 5 minutes from this node's clock`);
    }
  }

  #checkContext(mode: 'strict' | 'lenient'): CheckContext {
    const chain = this.#ctx?.chain();
    if (chain === undefined || this.#federationId === undefined) {
      throw new NodeError('ERR_NO_FEDERATION', 'the model registry is kept in a federation: create or join one first');
    }
    return {
      federationId: chain.federationId,
      members: new Set(chain.current.members.map((m) => m.org)),
      person: rosterLookup(this.#o.rosters, mode),
      risk: this.#o.risk,
      ...(this.#o.verify === undefined ? {} : { verify: this.#o.verify }),
    };
  }

  #publish(kind: 'model' | 'approval', envelope: Envelope): void {
    void this.#ctx
      ?.publish(kind, { envelope })
      .catch((err) => this.#o.events('federation:publish-failed', { kind, error: errorText(err) }));
  }

  /**
   * Judges a record from a member or from disk (attacker-controlled): the work that takes it (logged,
   * stored, held — in order) when it is new, false when held already or waiting; throws the checklist's
   * coded error.
   */
  #offer(record: RegistryRecord, via: string): Promise<unknown> | false {
    const ctx = this.#checkContext('lenient');
    const env = record.envelope;
    const stored = via === 'stored';
    if (record.kind === 'registration') {
      const v = checkRegistration(env, ctx);
      if ('later' in v) return this.#wait(record);
      const held = this.book.get(v.predicate.model.org, v.predicate.model.name, v.predicate.model.version);
      if (held?.id === registrationId(env)) return false;
      if (held !== undefined) {
        this.#o.events('registry:model-conflict', { model: held.key, held: held.id, other: registrationId(env), via });
        return false;
      }
      return this.#intake.registration(env, v, via, { refuseConflict: false, stored });
    }
    const ref = claimedApprovalModel(env);
    const held = this.book.get(ref.org, ref.name, ref.version);
    if (held === undefined) {
      if (!ctx.members.has(ref.org)) {
        throw new GossipValidationError(
          'ERR_UNKNOWN_SIGNER',
          'reject',
          `approval of a model of ${ref.org}, not a member`,
        );
      }
      return this.#wait(record);
    }
    const a = checkApproval(env, held.registration, { ...ctx, now: this.#now().getTime() });
    if (held.approvals.has(a.id)) return false;
    return this.#intake.approval(env, held, a, via, stored);
  }

  /** Offers a record off the wire; what it takes is stored after the verdict, then waiting ones are retried. */
  #offerFromWire(record: RegistryRecord, via: string): boolean {
    const work = this.#offer(record, via);
    if (work === false) return false;
    void work
      .then(() => this.#retryWaiting())
      .catch((err) => this.#o.events('registry:error', { error: `taking a ${record.kind}: ${errorText(err)}` }));
    return true;
  }

  /** Judges the stored records again, one after the other (what fails now is dropped, with an event). */
  async #replay(stored: RegistryRecord[]): Promise<void> {
    for (const r of stored) {
      try {
        const work = this.#offer(r, 'stored');
        if (work !== false) await work;
      } catch (err) {
        this.#o.events('registry:error', { error: `stored ${r.kind} dropped: ${errorText(err)}` });
      }
    }
    if (this.#intake.records.length !== stored.length) this.#intake.persist();
    this.#retryWaiting();
  }

  #wait(record: RegistryRecord): false {
    const id = registrationId(record.envelope);
    if (!this.#waiting.has(id) && this.#waiting.size >= MAX_WAITING) {
      const oldest = this.#waiting.keys().next().value;
      if (oldest !== undefined) this.#waiting.delete(oldest);
    }
    this.#waiting.set(id, { record, until: this.#now().getTime() + WAIT_TTL_MS });
    return false;
  }

  #retryWaiting(): void {
    const now = this.#now().getTime();
    for (const [id, w] of [...this.#waiting]) {
      this.#waiting.delete(id);
      if (w.until <= now) continue;
      try {
        this.#offerFromWire(w.record, 'waiting');
      } catch (err) {
        this.#o.events('registry:rejected', { kind: w.record.kind, error: errorText(err) });
      }
    }
  }

  #judgeGossip(kind: RegistryRecordKind, msg: GossipMessage): GossipVerdict {
    try {
      const keys = Object.keys(msg.body);
      if (keys.length !== 1 || keys[0] !== 'envelope') {
        throw new GossipValidationError('ERR_MALFORMED_GOSSIP', 'reject', `${kind} body must be {envelope}`);
      }
      const envelope = parseEnvelope(msg.body.envelope, recordLimits(kind));
      return this.#offerFromWire({ kind, envelope }, 'gossip')
        ? { result: 'accept' }
        : { result: 'ignore', error: undefined };
    } catch (err) {
      return { result: 'reject', error: err };
    }
  }

  /** Pages through each round member's records from where this node stopped. */
  async onSyncRound(peers: readonly string[]): Promise<void> {
    const ctx = this.#ctx;
    if (ctx === undefined || ctx.chain() === undefined) return;
    this.#retryWaiting();
    await Promise.all(
      peers.map(async (peer) => {
        try {
          const from = this.#cursors.get(peer) ?? 0;
          const bytes = await ctx.request(
            peer,
            MODELS_PROTOCOL,
            encodeModelsHello(from),
            MAX_MODELS_FRAME,
            REQUEST_TIMEOUT_MS,
          );
          const page = decodeModelsPage(bytes);
          this.#cursors.set(peer, page.total < from ? 0 : page.next);
          for (const r of page.records) {
            try {
              this.#offerFromWire(r, 'sync');
            } catch (err) {
              ctx.reject('request', r.kind === 'registration' ? 'model' : 'approval', peer, err, 'reject');
            }
          }
        } catch (err) {
          if (isGovfedError(err)) ctx.reject('request', 'model', peer, err, 'reject');
          else ctx.events('registry:sync-failed', { peer, error: errorText(err) });
        }
      }),
    );
  }
}
