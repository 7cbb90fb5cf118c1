/**
 * Judging a registry record that comes from a member (gossip, sync) or from this node's own file at
 * start — attacker-controlled either way (node/registry/models.ts calls it). For each kind:
 *
 *   registration  checkRegistration; the one held for that org/name@version (same id: nothing to do; a
 *                 different one: kept out, event `registry:model-conflict`); else taken.
 *   approval      needs its model's registration (else it waits; a model of a non-member: refused);
 *                 checkApproval against it; held already: nothing to do; else taken.
 *   revocation    needs its model's registration (as above); checkRevocation; held already: nothing; else
 *                 taken (the kill switch's records are a set: every one that verified is kept).
 *   deployment    signed by its org's node (the charter's peer); its model's registration needed (else it
 *                 waits); held already: nothing; ahead of its org's chain: waits; conflicting with it: kept
 *                 out, event `registry:deployment-conflict`; else taken.
 *   contract      needs its model's registration (as above); checkContract: held already: nothing; the
 *                 versions between missing: it waits; a conflicting version: kept out, event
 *                 `registry:contract-conflict`; else taken.
 *
 * Returns the work that takes the record (logged, stored, held — model-intake.ts), `false` when there is
 * nothing to take now (held, conflicting, or waiting), or throws the checklist's coded error.
 */
import type { Envelope } from '../../protocol/dsse/index.ts';
import { isGovfedError } from '../../protocol/errors.ts';
import { GossipValidationError } from '../../protocol/federation/index.ts';
import {
  claimedContract,
  claimedDeployment,
  claimedRevocation,
  registrationId,
} from '../../protocol/registry/index.ts';
import type { RegistryRecord } from '../../protocol/registry/model-sync.ts';
import type { EventSink } from '../events.ts';
import type { DeploymentBook } from './deployment-book.ts';
import type { HeldModel, ModelBook } from './model-book.ts';
import {
  type CheckContext,
  checkApproval,
  checkContract,
  checkDeployment,
  checkRegistration,
  checkRevocation,
  claimedApprovalModel,
} from './model-checks.ts';
import type { ModelIntake } from './model-intake.ts';

export interface JudgeDeps {
  ctx: CheckContext;
  now: number;
  book: ModelBook;
  intake: ModelIntake;
  deployments: DeploymentBook;
  events: EventSink;
  /** Holds a record that cannot be judged yet. */
  wait(record: RegistryRecord): void;
}

export function judgeRecord(record: RegistryRecord, via: string, d: JudgeDeps): Promise<unknown> | false {
  const env = record.envelope;
  const stored = via === 'stored';
  if (record.kind === 'registration') {
    const v = checkRegistration(env, d.ctx);
    if ('later' in v) return waitFor(record, d);
    const m = v.predicate.model;
    const held = d.book.get(m.org, m.name, m.version);
    if (held !== undefined) {
      const other = registrationId(env);
      if (held.id !== other) d.events('registry:model-conflict', { model: held.key, held: held.id, other, via });
      return false;
    }
    return d.intake.registration(env, v, via, { refuseConflict: false, stored });
  }
  if (record.kind === 'deployment') return judgeDeployment(env, record, via, d);
  const ref =
    record.kind === 'approval'
      ? claimedApprovalModel(env)
      : record.kind === 'revocation'
        ? claimedRevocation(env).model
        : claimedContract(env).model;
  const held = d.book.get(ref.org, ref.name, ref.version);
  if (held === undefined) {
    if (!d.ctx.members.has(ref.org)) {
      throw new GossipValidationError(
        'ERR_UNKNOWN_SIGNER',
        'reject',
        `${record.kind} of a model of ${ref.org}, not a member`,
      );
    }
    return waitFor(record, d);
  }
  if (record.kind === 'approval') {
    const a = checkApproval(env, held.registration, { ...d.ctx, now: d.now });
    if (held.approvals.has(a.id)) return false;
    return d.intake.approval(env, held, a, via, stored);
  }
  if (record.kind === 'revocation') {
    const r = checkRevocation(env, held.registration, { ...d.ctx, now: d.now });
    if (held.revocations.has(r.id)) return false;
    return d.intake.revocation(env, held, r, via, stored);
  }
  return judgeContract(env, held, record, via, d);
}

function judgeContract(env: Envelope, held: HeldModel, record: RegistryRecord, via: string, d: JudgeDeps) {
  let c: ReturnType<typeof checkContract>;
  try {
    c = checkContract(env, held.registration, held.contracts, d.ctx);
  } catch (err) {
    if (isGovfedError(err) && err.code === 'ERR_CONTRACT_CONFLICT') {
      d.events('registry:contract-conflict', { model: held.key, error: err.message, via });
      return false;
    }
    throw err;
  }
  if (c.place === 'held') return false;
  if (c.place === 'later') return waitFor(record, d);
  return d.intake.contract(env, held, c.contract, via, via === 'stored');
}

function judgeDeployment(env: Envelope, record: RegistryRecord, via: string, d: JudgeDeps) {
  const claimed = claimedDeployment(env);
  if (d.book.get(claimed.model.org, claimed.model.name, claimed.model.version) === undefined) {
    if (!d.ctx.members.has(claimed.model.org)) {
      throw new GossipValidationError(
        'ERR_UNKNOWN_SIGNER',
        'reject',
        `deployment of a model of ${claimed.model.org}, not a member`,
      );
    }
    return waitFor(record, d);
  }
  let c: ReturnType<typeof checkDeployment>;
  try {
    c = checkDeployment(env, (org) => d.deployments.chain(org), d.ctx);
  } catch (err) {
    if (isGovfedError(err) && err.code === 'ERR_DEPLOYMENT_MISMATCH' && err.message.includes('seq')) {
      d.events('registry:deployment-conflict', { deployer: claimed.org, error: err.message, via });
      return false;
    }
    throw err;
  }
  if (c.place === 'held') return false;
  if (c.place === 'later') return waitFor(record, d);
  return d.intake.deployment(env, c.deployment, via, via === 'stored');
}

function waitFor(record: RegistryRecord, d: JudgeDeps): false {
  d.wait(record);
  return false;
}
