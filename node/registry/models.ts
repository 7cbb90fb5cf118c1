/**
 * ModelRegistry (issues 13, 14): every member's model registrations, their contracts and approvals, as a federation
 * module (docs/registry.md; formats and checklists: protocol/registry/registration.ts, approval.ts; the
 * node's own checks: model-checks.ts).
 *
 *   - A registration is posted to its org's node (POST /v1/models), an approval to the approver's; the node
 *     verifies, takes (model-intake.ts: logged once, stored, held) and gossips it (kind `model`/`approval`).
 *   - Every member verifies what it receives by gossip and sync the same way, so every node computes the
 *     same status (pending, approved, rejected) from the same signed records.
 *   - Sync: each node numbers the records it took; each round it asks the round's members for their records
 *     from where it stopped (`/govfed/models/1.0.0`, protocol/registry/model-sync.ts).
 *   - A contract (docs/contracts.md) is posted with its registration or later (POST …/contracts) to the
 *     model org's node, checked, taken and gossiped (kind `contract`) the same way; approvals name the
 *     contract version they approve.
 *   - A record that cannot be judged yet waits (model-waiting.ts) and is tried again when anything is
 *     taken and every sync round; judging a record off the wire is model-judge.ts.
 *   - One registration per org/name@version: a second, different one is refused (ERR_MODEL_EXISTS) and, off
 *     the wire, kept out with an event `registry:model-conflict`; likewise one contract per version number.
 *
 * What happens to a record once it verified — logged once, stored, held, in that order, nothing
 * acknowledged before it is on disk twice — is model-intake.ts.
 */
import type { Ed25519Verify } from '../../protocol/crypto/ed25519.ts';
import { type Envelope, parseEnvelope } from '../../protocol/dsse/index.ts';
import type { ApprovalRule, RiskTier } from '../../protocol/federation/approval-rules.ts';
import {
  type CharterChain,
  type GossipMessage,
  GossipValidationError,
  type Head,
  type Member,
} from '../../protocol/federation/index.ts';
import { killRuleOf, type ModelRef, type RevocationState } from '../../protocol/registry/index.ts';
import {
  decodeModelsHello,
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
import type { ModuleState } from '../home/shared-state.ts';
import type { AuditLog } from '../log/index.ts';
import type { GossipVerdict } from '../p2p/pubsub.ts';
import { DeploymentBook } from './deployment-book.ts';
import { type HeldModel, ModelBook, modelKey, type ResolvedModel } from './model-book.ts';
import type { CheckContext, RiskCheck } from './model-checks.ts';
import { type Deployed, ModelDeployer } from './model-deploy.ts';
import {
  ModelIntake,
  type Taken,
  type TakenApproval,
  type TakenContract,
  type TakenRevocation,
} from './model-intake.ts';
import { judgeRecord } from './model-judge.ts';
import { ModelPosts, type PostedKind } from './model-posts.ts';
import { type Cursor, pullRecords, recordsHead } from './model-pull.ts';
import { ModelStore } from './model-store.ts';
import { WaitingRecords } from './model-waiting.ts';
import { rosterLookup } from './roster-lookup.ts';
import type { RosterModule } from './rosters.ts';

/** Tolerated difference between a posted record's time and this node's clock. */
const _POST_SKEW_MS = 5 * 60_000;

export interface ModelRegistryOptions {
  home: { dir: string; config: { org: string; jurisdiction: string } };
  /**
   * Where the module keeps its state (node/home/shared-state.ts): the home directory when absent; the
   * log's PostgreSQL database on a home whose log is there (the daemon passes openHomeState's).
   */
  state?: ModuleState;
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
  readonly #waiting = new WaitingRecords();
  readonly #cursors = new Map<string, Cursor>();
  #ctx: FederationContext | undefined;
  #federationId: string | undefined;
  readonly #intake: ModelIntake;
  readonly #posts: ModelPosts;
  readonly #deployer: ModelDeployer;
  /** Every member's deployment records: which org runs which version. */
  readonly deployments: DeploymentBook;

  constructor(o: ModelRegistryOptions) {
    this.#o = o;
    this.#now = o.now ?? (() => new Date());
    this.#store = new ModelStore(o.state?.storage ?? o.home.dir);
    this.book = new ModelBook({
      deployed: (key) => this.deployments.mode(o.home.config.org, key),
      rosters: o.rosters,
      now: () => this.#now().getTime(),
      rules: () => this.#ctx?.chain()?.current.approvals,
      kill: () => killRuleOf(this.#ctx?.chain()?.current),
    });
    this.deployments = new DeploymentBook(() => this.book.touch());
    this.#intake = new ModelIntake({
      log: o.log,
      store: this.#store,
      book: this.book,
      deployments: this.deployments,
      events: o.events,
      federationId: () => this.#federationId,
    });
    this.#posts = new ModelPosts({
      org: o.home.config.org,
      book: this.book,
      intake: this.#intake,
      checkContext: () => this.#checkContext('strict'),
      now: this.#now,
      publish: (kind, env) => this.#publish(kind, env),
    });
    this.#deployer = new ModelDeployer({
      org: o.home.config.org,
      jurisdiction: o.home.config.jurisdiction,
      book: this.book,
      deployments: this.deployments,
      intake: this.#intake,
      federationId: () => this.#checkContext('strict').federationId,
      now: this.#now,
      sign: (type, payload) => this.#requireCtx().signAsPeer(type, payload),
      publish: (env) => this.#publish('deployment', env),
      policyDenials: (held, shadow) => {
        const p = held.registration.predicate;
        const model = { ...held.model, status: this.book.view(held).status, tier: p.risk.tier, score: p.risk.score };
        const where = { shadow, org: o.home.config.org, jurisdiction: o.home.config.jurisdiction };
        return this.#o.risk.deployDenials?.(model, p.card, where) ?? [];
      },
    });
    this.gossip = {
      model: (msg) => this.#judgeGossip('registration', msg),
      approval: (msg) => this.#judgeGossip('approval', msg),
      contract: (msg) => this.#judgeGossip('contract', msg),
      revocation: (msg) => this.#judgeGossip('revocation', msg),
      deployment: (msg) => this.#judgeGossip('deployment', msg),
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
      this.deployments.clear();
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

  /** The deployment gate: deploys `ref` here (live or shadow), or logs the refusal and throws ERR_DEPLOY_REFUSED. */
  deploy(ref: ModelRef, shadow: boolean): Promise<Deployed> {
    return this.#deployer.deploy(this.find(ref.name, ref.version, ref.org), shadow);
  }

  undeploy(ref: ModelRef): Promise<Deployed> {
    return this.#deployer.undeploy(this.find(ref.name, ref.version, ref.org));
  }

  /** Why `ref` may not be deployed here now (empty: it may). */
  deployReasons(ref: ModelRef, shadow: boolean): string[] {
    return this.#deployer.reasons(this.find(ref.name, ref.version, ref.org), shadow);
  }

  /** GET /v1/federation members: the versions each member runs. */
  memberStatus(member: Member): Record<string, unknown> {
    return {
      deployed: this.deployments
        .running({ org: member.org })
        .map((r) => `${modelKey(r.model)}${r.shadow ? ' (shadow)' : ''}`),
    };
  }

  #requireCtx(): FederationContext {
    if (this.#ctx === undefined) throw new NodeError('ERR_NO_FEDERATION', 'not in a federation');
    return this.#ctx;
  }

  /** The kill-switch state this node holds (stated in its freshness statements). */
  revocationState(): RevocationState | undefined {
    return this.#federationId === undefined ? undefined : this.book.revocationState();
  }

  /** The charter's approval rule for a risk tier (undefined: that tier needs no approval). */
  rule(tier: RiskTier): ApprovalRule | undefined {
    return this.#ctx?.chain()?.current.approvals?.[tier];
  }

  /** Records posted by people (POST /v1/models …): model-posts.ts checks them, then they are taken and gossiped. */
  register(envelope: unknown, contract?: unknown): Promise<Taken & { contract?: TakenContract }> {
    return this.#posts.register(envelope, contract);
  }

  attachContract(ref: ModelRef, envelope: unknown): Promise<TakenContract> {
    return this.#posts.attachContract(ref, envelope);
  }

  approve(ref: ModelRef, envelope: unknown): Promise<TakenApproval> {
    return this.#posts.approve(ref, envelope);
  }

  revoke(ref: ModelRef, envelope: unknown): Promise<TakenRevocation> {
    return this.#posts.revoke(ref, envelope);
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
      peerIdOf: (org) => chain.current.members.find((m) => m.org === org)?.peerId,
      ...(this.#o.verify === undefined ? {} : { verify: this.#o.verify }),
    };
  }

  #publish(kind: PostedKind, envelope: Envelope): void {
    void this.#ctx
      ?.publish(kind, { envelope })
      .catch((err) => this.#o.events('federation:publish-failed', { kind, error: errorText(err) }));
  }

  /** Judges a record from a member or from disk (model-judge.ts). */
  #offer(record: RegistryRecord, via: string): Promise<unknown> | false {
    return judgeRecord(record, via, {
      ctx: this.#checkContext('lenient'),
      now: this.#now().getTime(),
      book: this.book,
      intake: this.#intake,
      deployments: this.deployments,
      events: this.#o.events,
      wait: (r) => this.#waiting.add(r, this.#now().getTime()),
    });
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

  #retryWaiting(): void {
    for (const record of this.#waiting.take(this.#now().getTime())) {
      try {
        this.#offerFromWire(record, 'waiting');
      } catch (err) {
        this.#o.events('registry:rejected', { kind: record.kind, error: errorText(err) });
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

  /** Pages through each round member's records from where this node stopped (model-pull.ts). */
  async onSyncRound(peers: readonly string[]): Promise<void> {
    const ctx = this.#ctx;
    if (ctx === undefined || ctx.chain() === undefined) return;
    this.#retryWaiting();
    await pullRecords(ctx, peers, this.#cursors, (r) => this.#offerFromWire(r, 'sync'));
  }

  syncHeads(): Record<string, Head> {
    const records = this.#intake.records;
    return { models: recordsHead(records.length, records.at(-1)) };
  }
}
