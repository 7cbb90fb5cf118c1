/**
 * The deployment gate (docs/contracts.md "Deployments"): `govfed model deploy NAME@VERSION [--shadow]`
 * and `model undeploy` on this org's node (POST /v1/deployments). Deploying checks, in order:
 *
 *   1. the version is approved (its status under the charter's rule for its tier);
 *   2. it is not suspended or revoked (the kill switch);
 *   3. its contract allows this node: jurisdiction, risk tier, not expired (contract-check siteFindings);
 *   4. the policy baseline's `deploy` rules do not deny it.
 *
 * Either way the outcome is a record signed by this node's peer key (protocol/registry/deployment.ts), the
 * next in this org's chain, logged, stored and gossiped: a deployment, or a refusal with every reason —
 * then the caller gets ERR_DEPLOY_REFUSED (409) naming them. Deploying what runs already in that mode is
 * answered with the record that deployed it (nothing new is signed).
 */
import { canonicalBytes } from '../../protocol/canonical/jcs.ts';
import type { Envelope } from '../../protocol/dsse/index.ts';
import type { RiskTier } from '../../protocol/federation/approval-rules.ts';
import {
  DEPLOYMENT_PAYLOAD_TYPE,
  DEPLOYMENT_TYPE,
  type Deployment,
  type DeploymentAction,
  MAX_DEPLOYMENT_REASON_CHARS,
  MAX_DEPLOYMENT_REASONS,
  type ModelRef,
  siteFindings,
} from '../../protocol/registry/index.ts';
import { NodeError } from '../errors.ts';
import type { DeploymentBook, HeldDeployment } from './deployment-book.ts';
import { currentContract, type HeldModel, type ModelBook } from './model-book.ts';
import type { ModelIntake } from './model-intake.ts';

export interface ModelDeployerOptions {
  /** This node's org and charter jurisdiction. */
  org: string;
  jurisdiction: string;
  book: ModelBook;
  deployments: DeploymentBook;
  intake: ModelIntake;
  federationId(): string;
  now(): Date;
  /** Signs a payload with this node's peer key (the charter lists it for this org). */
  sign(payloadType: string, payload: Uint8Array): Envelope;
  publish(envelope: Envelope): void;
  /** Messages of the policy baseline's `deploy` deny rules that fire for `held` (none: allowed). */
  policyDenials(held: HeldModel, shadow: boolean): string[];
}

/** A reason as a record may hold it: no control characters, whole characters, 1..512 UTF-16 units. */
function reasonText(r: string): string {
  let out = '';
  for (const ch of r.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')) {
    if (out.length + ch.length > MAX_DEPLOYMENT_REASON_CHARS) break;
    out += ch;
  }
  return out.trim() === '' ? '(no reason given)' : out;
}

export interface Deployed {
  deployment: HeldDeployment;
  logIndex: number;
}

export class ModelDeployer {
  readonly #o: ModelDeployerOptions;

  constructor(o: ModelDeployerOptions) {
    this.#o = o;
  }

  /** Why `held` may not be deployed here now (empty: it may). */
  reasons(held: HeldModel, shadow: boolean): string[] {
    const view = this.#o.book.view(held);
    const out: string[] = [];
    // 1.
    if (view.status !== 'approved') {
      const missing = view.approval.missingRoles;
      out.push(`not approved: ${view.status}${missing.length > 0 ? ` (still needed: ${missing.join(', ')})` : ''}`);
    }
    // 2.
    if (view.kill.state !== 'active') {
      out.push(`${view.kill.state} by ${view.kill.by.join(', ')}: ${view.kill.reason ?? ''}`);
    }
    // 3.
    const contract = currentContract(held);
    if (contract !== undefined) {
      const site = { jurisdiction: this.#o.jurisdiction, tier: view.tier as RiskTier, now: this.#o.now().getTime() };
      for (const f of siteFindings(contract.predicate.terms, site)) out.push(`${f.rule}: ${f.message}`);
    }
    // 4.
    for (const m of this.#o.policyDenials(held, shadow)) out.push(`policy: ${m}`);
    return out;
  }

  async deploy(held: HeldModel, shadow: boolean): Promise<Deployed> {
    const mode = this.#o.deployments.mode(this.#o.org, held.key);
    if (mode === (shadow ? 'shadow' : 'live')) {
      const running = this.#o.deployments.running({ org: this.#o.org, key: held.key })[0];
      const had = running === undefined ? undefined : this.#o.deployments.at(this.#o.org, running.seq);
      if (had !== undefined) return { deployment: had, logIndex: had.logIndex };
    }
    const reasons = this.reasons(held, shadow);
    if (reasons.length > 0) {
      const refused = await this.#record(held, 'refused', shadow, reasons);
      throw new NodeError(
        'ERR_DEPLOY_REFUSED',
        `${held.key} is not deployed (refusal logged at index ${refused.logIndex}): ${reasons.join('; ')}`,
      );
    }
    return await this.#record(held, 'deploy', shadow);
  }

  async undeploy(held: HeldModel): Promise<Deployed> {
    const mode = this.#o.deployments.mode(this.#o.org, held.key);
    if (mode === undefined) throw new NodeError('ERR_NOT_DEPLOYED', `${held.key} is not deployed on this node`);
    return await this.#record(held, 'undeploy', mode === 'shadow');
  }

  async #record(held: HeldModel, action: DeploymentAction, shadow: boolean, reasons?: string[]): Promise<Deployed> {
    const last = this.#o.deployments.last(this.#o.org);
    const contract = currentContract(held);
    const record: Deployment = {
      type: DEPLOYMENT_TYPE,
      federation: this.#o.federationId(),
      org: this.#o.org,
      seq: (last?.record.seq ?? 0) + 1,
      previous: last?.digest ?? null,
      model: { org: held.model.org, name: held.model.name, version: held.model.version } satisfies ModelRef,
      digest: held.digest,
      action,
      shadow,
      ...(contract === undefined ? {} : { contract: `sha256:${contract.id}` }),
      ...(reasons === undefined ? {} : { reasons: reasons.slice(0, MAX_DEPLOYMENT_REASONS).map(reasonText) }),
      time: this.#o.now().toISOString(),
    };
    const envelope = this.#o.sign(DEPLOYMENT_PAYLOAD_TYPE, canonicalBytes(record));
    const taken = await this.#o.intake.deployment(envelope, record, 'local');
    this.#o.publish(envelope);
    return taken;
  }
}
