/**
 * ModelIntake: what happens to a registry record once it verified (node/registry/models.ts decides that),
 * in order, one record at a time:
 *   1. the audit log — a deterministic governance leaf (`registry.model` / `registry.approval` /
 *      `registry.contract` / `registry.revocation` / `registry.deployment`, built by protocol/report/
 *      evidence.ts so that a compliance report can cite it; time = the record's own, digest = its
 *      statement's SHA-256, the envelope as the entry's record), looked up
 *      before it is appended, so a retry after a crash never logs it twice;
 *   2. DIR/registry/models/state.json (the records in the order taken: what members page through);
 *   3. the ModelBook, then an event.
 * Nothing is acknowledged before 1 and 2 are on disk. Records read back from that file at start skip 2.
 */
import { encodeLeaf, type GovernanceLeaf } from '../../protocol/audit/leaf.ts';
import { canonicalBytes } from '../../protocol/canonical/jcs.ts';
import type { Envelope } from '../../protocol/dsse/index.ts';
import { leafHash } from '../../protocol/log/hash.ts';
import {
  contractFollows,
  type Deployment,
  deploymentFollows,
  registrationId,
  type VerifiedApproval,
  type VerifiedContract,
  type VerifiedRegistration,
  type VerifiedRevocation,
} from '../../protocol/registry/index.ts';
import type { RegistryRecord } from '../../protocol/registry/model-sync.ts';
import {
  approvalLeaf,
  contractLeaf,
  deploymentLeaf,
  registrationLeaf,
  revocationLeaf,
} from '../../protocol/report/evidence.ts';
import { errorText } from '../chain/index.ts';
import { NodeError } from '../errors.ts';
import type { EventSink } from '../events.ts';
import type { AuditLog } from '../log/index.ts';
import type { DeploymentBook, HeldDeployment } from './deployment-book.ts';
import {
  type HeldApproval,
  type HeldContract,
  type HeldModel,
  type HeldRevocation,
  type ModelBook,
  modelKey,
} from './model-book.ts';
import type { ModelStore } from './model-store.ts';

export type Taken = { held: HeldModel; logIndex: number };
export type TakenApproval = Taken & { approval: HeldApproval };
export type TakenContract = Taken & { contract: HeldContract };
export type TakenRevocation = Taken & { revocation: HeldRevocation };
export type TakenDeployment = { deployment: HeldDeployment; logIndex: number };

export interface ModelIntakeOptions {
  log: Pick<AuditLog, 'append' | 'lookupLeafHash'>;
  store: ModelStore;
  book: ModelBook;
  deployments: DeploymentBook;
  events: EventSink;
  federationId(): string | undefined;
}

export class ModelIntake {
  readonly #o: ModelIntakeOptions;
  /** Every record taken, in order (what members page through). */
  #records: RegistryRecord[] = [];
  #tail: Promise<unknown> = Promise.resolve();

  constructor(o: ModelIntakeOptions) {
    this.#o = o;
  }

  get records(): readonly RegistryRecord[] {
    return this.#records;
  }

  /** Forgets every record (another federation); the file follows. */
  reset(): void {
    this.#records = [];
    this.persist();
  }

  /** Resolves once everything queued is done. */
  async flush(): Promise<void> {
    await this.#tail.catch(() => {});
  }

  /** Logs (once), stores and holds a verified registration; the held one when already taken. */
  async registration(
    env: Envelope,
    v: VerifiedRegistration,
    via: string,
    o: { refuseConflict: boolean; stored: boolean },
  ): Promise<Taken> {
    const id = registrationId(env);
    const p = v.predicate;
    const leaf = registrationLeaf(env, p);
    return await this.#serial(async () => {
      const held = this.#o.book.get(p.model.org, p.model.name, p.model.version);
      if (held !== undefined) {
        if (held.id === id) return { held, logIndex: held.logIndex };
        this.#o.events('registry:model-conflict', { model: held.key, held: held.id, other: id, via });
        if (o.refuseConflict)
          throw new NodeError('ERR_MODEL_EXISTS', `${held.key} is registered already (${held.digest})`);
        return { held, logIndex: held.logIndex };
      }
      const logIndex = await this.#logOnce(leaf, env);
      await this.#save({ kind: 'registration', envelope: env }, o.stored);
      const added = this.#o.book.addRegistration(id, env, v, logIndex);
      this.#o.events('registry:model', { model: added.key, digest: v.digest, tier: p.risk.tier, via });
      return { held: added, logIndex };
    });
  }

  async approval(
    env: Envelope,
    held: HeldModel,
    a: VerifiedApproval,
    via: string,
    stored = false,
  ): Promise<TakenApproval> {
    const p = a.predicate;
    const leaf = approvalLeaf(env, p);
    return await this.#serial(async () => {
      const had = held.approvals.get(a.id);
      if (had !== undefined) return { held, logIndex: had.logIndex, approval: had };
      this.#o.book.assertRoom(held);
      const logIndex = await this.#logOnce(leaf, env);
      await this.#save({ kind: 'approval', envelope: env }, stored);
      const approval = this.#o.book.addApproval(held, env, a, logIndex);
      this.#o.events('registry:approval', {
        model: held.key,
        approver: `${p.approver.org}/${p.approver.name}`,
        decision: p.decision,
        via,
      });
      return { held, logIndex, approval };
    });
  }

  /** Logs (once), stores and holds a verified contract that is the next version of `held`'s contract. */
  async contract(
    env: Envelope,
    held: HeldModel,
    c: VerifiedContract,
    via: string,
    stored = false,
  ): Promise<TakenContract> {
    const p = c.predicate;
    const leaf = contractLeaf(env, p);
    return await this.#serial(async () => {
      // Again inside the queue: another version may have been taken since it was checked.
      if (contractFollows(c, held.contracts) === 'held') {
        const had = held.contracts[p.version - 1] as HeldContract;
        return { held, logIndex: had.logIndex, contract: had };
      }
      const logIndex = await this.#logOnce(leaf, env);
      await this.#save({ kind: 'contract', envelope: env }, stored);
      const contract = this.#o.book.addContract(held, env, c, logIndex);
      this.#o.events('registry:contract', { model: held.key, version: p.version, id: c.id, via });
      return { held, logIndex, contract };
    });
  }

  /** Logs (once), stores and holds a verified kill-switch record. */
  async revocation(
    env: Envelope,
    held: HeldModel,
    r: VerifiedRevocation,
    via: string,
    stored = false,
  ): Promise<TakenRevocation> {
    const p = r.predicate;
    const leaf = revocationLeaf(env, p);
    return await this.#serial(async () => {
      const had = held.revocations.get(r.id);
      if (had !== undefined) return { held, logIndex: had.logIndex, revocation: had };
      const logIndex = await this.#logOnce(leaf, env);
      await this.#save({ kind: 'revocation', envelope: env }, stored);
      const revocation = this.#o.book.addRevocation(held, env, r, logIndex);
      this.#o.events('registry:revocation', {
        model: held.key,
        action: p.action,
        signer: `${p.signer.org}/${p.signer.name}`,
        state: this.#o.book.view(held).kill.state,
        via,
      });
      return { held, logIndex, revocation };
    });
  }

  /** Logs (once), stores and holds a verified deployment record that follows its org's chain. */
  async deployment(env: Envelope, d: Deployment, via: string, stored = false): Promise<TakenDeployment> {
    const leaf = deploymentLeaf(d);
    return await this.#serial(async () => {
      // Again inside the queue: the org's chain may have grown since it was checked.
      if (deploymentFollows(d, this.#o.deployments.chain(d.org)) === 'held') {
        const had = this.#o.deployments.at(d.org, d.seq) as HeldDeployment;
        return { deployment: had, logIndex: had.logIndex };
      }
      const logIndex = await this.#logOnce(leaf, env);
      await this.#save({ kind: 'deployment', envelope: env }, stored);
      const deployment = this.#o.deployments.add(d, logIndex);
      this.#o.events('registry:deployment', {
        deployer: d.org,
        model: modelKey(d.model),
        action: d.action,
        shadow: d.shadow,
        via,
      });
      return { deployment, logIndex };
    });
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const work = this.#tail.catch(() => {}).then(fn);
    this.#tail = work.catch(() => {});
    return work;
  }

  async #logOnce(leaf: GovernanceLeaf, env: Envelope): Promise<number> {
    const bytes = encodeLeaf(leaf);
    const logged = await this.#o.log.lookupLeafHash(leafHash(bytes));
    if (logged !== undefined) return logged;
    const [appended] = await this.#o.log.append([{ leaf: bytes, record: canonicalBytes(env) }]);
    if (appended === undefined) throw new NodeError('ERR_INTERNAL', 'the log appended nothing');
    return appended.index;
  }

  /** Adds a record to the list (and the file, unless it came from the file). */
  async #save(record: RegistryRecord, stored: boolean): Promise<void> {
    const records = [...this.#records, record];
    if (!stored) await this.#o.store.save({ version: 1, federationId: this.#o.federationId() ?? null, records });
    this.#records = records;
  }

  /** Writes the record list as it is now (after records stored earlier were dropped at start). */
  persist(): void {
    void this.#serial(() =>
      this.#o.store.save({ version: 1, federationId: this.#o.federationId() ?? null, records: this.#records }),
    ).catch((err) => this.#o.events('registry:error', { error: `saving the model registry: ${errorText(err)}` }));
  }
}
