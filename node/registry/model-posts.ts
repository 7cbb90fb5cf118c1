/**
 * What people post to this node's registry (node/api/routes/models.ts → ModelRegistry): the checks a
 * posted record passes beyond those of a record off the wire (model-checks.ts, which run first), then it
 * is taken (model-intake.ts) and gossiped.
 *
 *   registration  posted to its own org's node, scored under the baseline this node enforces NOW, signed
 *                 within 5 minutes of this node's clock; with its contract's version 1, both checked
 *                 before either is taken. One per org/name@version (ERR_MODEL_EXISTS).
 *   contract      the model org's node only; the next version of the version's contract (else
 *                 ERR_CONTRACT_CONFLICT), issued within 5 minutes.
 *   approval      any member's node; names the version's current contract (ERR_APPROVAL_MISMATCH); the
 *                 baseline's `approve` deny rules do not fire (ERR_POLICY_DENIED).
 *   revocation    any member's node (the kill switch: a risk officer of any member), issued within 5
 *                 minutes; gossiped at once.
 */
import { type Envelope, parseEnvelope } from '../../protocol/dsse/index.ts';
import { GovfedError } from '../../protocol/errors.ts';
import { claimedRevocation, type ModelRef } from '../../protocol/registry/index.ts';
import { recordLimits } from '../../protocol/registry/model-sync.ts';
import { NodeError } from '../errors.ts';
import { currentContract, type HeldModel, type ModelBook, modelKey } from './model-book.ts';
import {
  type CheckContext,
  checkApproval,
  checkContract,
  checkRegistration,
  checkRevocation,
  claimedApprovalModel,
} from './model-checks.ts';
import type { ModelIntake, Taken, TakenApproval, TakenContract, TakenRevocation } from './model-intake.ts';

/** Tolerated difference between a posted record's time and this node's clock. */
const POST_SKEW_MS = 5 * 60_000;

export type PostedKind = 'model' | 'approval' | 'contract' | 'revocation' | 'deployment';

export interface ModelPostsOptions {
  /** This node's org. */
  org: string;
  book: ModelBook;
  intake: ModelIntake;
  /** The strict check context (throws ERR_NO_FEDERATION outside a federation). */
  checkContext(): CheckContext;
  now(): Date;
  publish(kind: PostedKind, envelope: Envelope): void;
}

export class ModelPosts {
  readonly #o: ModelPostsOptions;

  constructor(o: ModelPostsOptions) {
    this.#o = o;
  }

  /**
   * A registration posted by a person of this org (POST /v1/models), with the first version of its
   * contract when it has one: both are checked before either is taken.
   */
  async register(envelope: unknown, contract?: unknown): Promise<Taken & { contract?: TakenContract }> {
    const env = parseEnvelope(envelope, recordLimits('registration'));
    const contractEnv = contract === undefined ? undefined : parseEnvelope(contract, recordLimits('contract'));
    const ctx = this.#o.checkContext();
    const v = checkRegistration(env, ctx);
    if ('later' in v) throw new GovfedError('ERR_REGISTRATION_MISMATCH', `this node does not hold ${v.later} yet`);
    const p = v.predicate;
    if (p.model.org !== this.#o.org) {
      throw new GovfedError(
        'ERR_REGISTRATION_MISMATCH',
        `a registration of ${p.model.org}'s model is posted to ${p.model.org}'s node, not to ${this.#o.org}'s`,
      );
    }
    const head = ctx.risk.head();
    if (p.risk.policyVersion !== head.version) {
      throw new GovfedError(
        'ERR_REGISTRATION_MISMATCH',
        `scored under policy version ${p.risk.policyVersion}, but this node enforces version ${head.version}: score it again`,
      );
    }
    this.#assertRecent(p.registeredAt, 'registeredAt');
    if (contractEnv !== undefined) {
      const c = checkContract(contractEnv, v, [], ctx).contract;
      if (c.predicate.version !== 1) {
        throw new GovfedError('ERR_CONTRACT_MISMATCH', 'the contract registered with a model version is its version 1');
      }
      this.#assertRecent(c.predicate.issuedAt, 'contract issuedAt');
    }
    const taken = await this.#o.intake.registration(env, v, 'local', { refuseConflict: true, stored: false });
    this.#o.publish('model', env);
    if (contractEnv === undefined) return taken;
    return { ...taken, contract: await this.#takeContract(taken.held, contractEnv, ctx) };
  }

  /** A new contract version posted by a person of the model's org (POST /v1/models/{name}/{version}/contracts). */
  async attachContract(ref: ModelRef, envelope: unknown): Promise<TakenContract> {
    const env = parseEnvelope(envelope, recordLimits('contract'));
    const held = this.#held(ref);
    if (ref.org !== this.#o.org) {
      throw new GovfedError(
        'ERR_CONTRACT_MISMATCH',
        `a contract of ${ref.org}'s model is posted to ${ref.org}'s node, not to ${this.#o.org}'s`,
      );
    }
    return await this.#takeContract(held, env, this.#o.checkContext());
  }

  async #takeContract(held: HeldModel, env: Envelope, ctx: CheckContext): Promise<TakenContract> {
    const { contract: c, place } = checkContract(env, held.registration, held.contracts, ctx);
    if (place === 'later') {
      throw new GovfedError(
        'ERR_CONTRACT_CONFLICT',
        `contract version ${c.predicate.version} does not follow the newest version held (${held.contracts.length})`,
      );
    }
    if (place === 'next') this.#assertRecent(c.predicate.issuedAt, 'issuedAt');
    const taken = await this.#o.intake.contract(env, held, c, 'local');
    this.#o.publish('contract', env);
    return taken;
  }

  /** An approval posted by a person (POST /v1/models/{name}/{version}/approvals). */
  async approve(ref: ModelRef, envelope: unknown): Promise<TakenApproval> {
    const env = parseEnvelope(envelope, recordLimits('approval'));
    const held = this.#held(ref);
    const claimed = claimedApprovalModel(env);
    if (modelKey(claimed) !== held.key) {
      throw new GovfedError('ERR_APPROVAL_MISMATCH', `the approval is about ${modelKey(claimed)}, not ${held.key}`);
    }
    const ctx = this.#o.checkContext();
    const a = checkApproval(env, held.registration, { ...ctx, now: this.#o.now().getTime() });
    this.#assertRecent(a.predicate.issuedAt, 'issuedAt');
    const current = currentContract(held);
    const wanted = current === undefined ? undefined : `sha256:${current.id}`;
    if (a.predicate.contract !== wanted) {
      throw new GovfedError(
        'ERR_APPROVAL_MISMATCH',
        current === undefined
          ? `the approval names contract ${a.predicate.contract}, but ${held.key} has no contract`
          : `the approval must name ${held.key}'s current contract (version ${current.version}, ${wanted})`,
      );
    }
    const view = this.#o.book.view(held);
    const denied = ctx.risk.approveDenials(
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
    const taken = await this.#o.intake.approval(env, held, a, 'local');
    this.#o.publish('approval', env);
    return taken;
  }

  /** A kill-switch record posted by a risk officer of any member (POST /v1/models/{name}/{version}/revocations). */
  async revoke(ref: ModelRef, envelope: unknown): Promise<TakenRevocation> {
    const env = parseEnvelope(envelope, recordLimits('revocation'));
    const held = this.#held(ref);
    const claimed = claimedRevocation(env).model;
    if (modelKey(claimed) !== held.key) {
      throw new GovfedError('ERR_REVOCATION_MISMATCH', `the record is about ${modelKey(claimed)}, not ${held.key}`);
    }
    const r = checkRevocation(env, held.registration, { ...this.#o.checkContext(), now: this.#o.now().getTime() });
    this.#assertRecent(r.predicate.issuedAt, 'issuedAt');
    const taken = await this.#o.intake.revocation(env, held, r, 'local');
    this.#o.publish('revocation', env);
    return taken;
  }

  #held(ref: ModelRef): HeldModel {
    const held = this.#o.book.get(ref.org, ref.name, ref.version);
    if (held === undefined) {
      throw new NodeError('ERR_NOT_FOUND', `no model ${ref.org}/${ref.name}@${ref.version} in the registry`);
    }
    return held;
  }

  #assertRecent(time: string, field: string): void {
    if (Math.abs(Date.parse(time) - this.#o.now().getTime()) > POST_SKEW_MS) {
      throw new NodeError('ERR_VALIDATION', `${field} ${time} is more than 5 minutes from this node's clock`);
    }
  }
}
