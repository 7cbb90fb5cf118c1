/**
 * The compliance report's evidence: a signed record and the governance leaf its maker's log holds for it.
 * Every record a report cites is one of these kinds; for each, the leaf is a function of the record alone
 * (kind, time, digest = SHA-256 of the envelope's payload, ref), so a verifier recomputes it and needs no
 * trust in whoever put the report together. node/registry/model-intake.ts and node/monitoring log the
 * very leaves these functions build (one definition).
 *
 *   kind           record                              leaf kind            maker (whose log proves it)
 *   registration   in-toto model-registration          registry.model       the model's org
 *   approval       in-toto model-approval               registry.approval    the approver's org
 *   contract       in-toto model-contract               registry.contract    the model's org
 *   revocation     in-toto model-revocation (suspend,   registry.revocation  the signer's org
 *                  revoke, reinstate)
 *   deployment     govfed.deployment/v1 (peer-signed)   registry.deployment  the deploying org
 *   window         govfed.monitor-window/v1 (peer)      monitor.window       the measuring org
 *   counts         govfed.model-counts/v1 (peer)        model.counts         the counting org
 *
 * claimEvidence opens a record (attacker-controlled) strictly but does not check person signatures:
 * report verification (verify.ts) checks the peer-signed kinds' signatures against the charter, and
 * proves every record's leaf in its maker's witnessed log — the maker logged a person-signed record
 * only after checking it against its rosters (docs/reports.md "What the verifier checks").
 */
import type { GovernanceLeaf } from '../audit/leaf.ts';
import { sha256 } from '../crypto/sha256.ts';
import { decodeEnvelope, type Envelope } from '../dsse/index.ts';
import { toHex } from '../encoding/bytes.ts';
import { GovfedError } from '../errors.ts';
import type { MonitorWindow } from '../monitoring/statement.ts';
import { APPROVAL_PREDICATE_TYPE, type ApprovalPredicate, checkApprovalPredicate } from '../registry/approval.ts';
import { type ContractPredicate, claimedContract } from '../registry/contract.ts';
import { type Deployment, deploymentDigest } from '../registry/deployment.ts';
import type { ModelRef } from '../registry/model-ref.ts';
import { openPersonSigned } from '../registry/person-signed.ts';
import {
  checkRegistrationPredicate,
  REGISTRATION_PREDICATE_TYPE,
  type RegistrationPredicate,
} from '../registry/registration.ts';
import { claimedRevocation, type RevocationPredicate } from '../registry/revocation.ts';
import type { ModelCounts } from './counts.ts';

export const EVIDENCE_KINDS = [
  'registration',
  'approval',
  'contract',
  'revocation',
  'deployment',
  'window',
  'counts',
] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

export const LEAF_KIND: Readonly<Record<EvidenceKind, string>> = {
  registration: 'registry.model',
  approval: 'registry.approval',
  contract: 'registry.contract',
  revocation: 'registry.revocation',
  deployment: 'registry.deployment',
  window: 'monitor.window',
  counts: 'model.counts',
};

const MAX_REF = 512;
const keyOf = (m: ModelRef) => `${m.org}/${m.name}@${m.version}`;
const payloadDigest = (env: Envelope) => `sha256:${toHex(sha256(decodeEnvelope(env).payload))}`;

function leaf(kind: string, time: string, digest: string, ref: string): GovernanceLeaf {
  return { v: 1, type: 'governance', kind, time, digest, ref: ref.slice(0, MAX_REF) };
}

export function registrationLeaf(env: Envelope, p: RegistrationPredicate): GovernanceLeaf {
  return leaf('registry.model', p.registeredAt, payloadDigest(env), `registry/${p.federation}/model/${keyOf(p.model)}`);
}

export function approvalLeaf(env: Envelope, p: ApprovalPredicate): GovernanceLeaf {
  const ref = `registry/${p.federation}/approval/${keyOf(p.model)}/${p.approver.org}/${p.approver.name}`;
  return leaf('registry.approval', p.issuedAt, payloadDigest(env), ref);
}

export function contractLeaf(env: Envelope, p: ContractPredicate): GovernanceLeaf {
  const ref = `registry/${p.federation}/contract/${keyOf(p.model)}/${p.version}`;
  return leaf('registry.contract', p.issuedAt, payloadDigest(env), ref);
}

export function revocationLeaf(env: Envelope, p: RevocationPredicate): GovernanceLeaf {
  const ref = `registry/${p.federation}/${p.action}/${keyOf(p.model)}/${p.signer.org}/${p.signer.name}`;
  return leaf('registry.revocation', p.issuedAt, payloadDigest(env), ref);
}

export function deploymentLeaf(d: Deployment): GovernanceLeaf {
  const ref = `registry/${d.federation}/deployment/${d.org}/${d.seq}/${d.action}/${keyOf(d.model)}`;
  return leaf('registry.deployment', d.time, deploymentDigest(d), ref);
}

export function windowLeaf(env: Envelope, w: Omit<MonitorWindow, 'type'>): GovernanceLeaf {
  const ref = `monitor/${w.federation}/${w.org}/${keyOf(w.model)}/${w.monitor}/${w.seq}`;
  return leaf('monitor.window', w.to, payloadDigest(env), ref);
}

export function countsLeaf(env: Envelope, c: ModelCounts): GovernanceLeaf {
  const ref = `report/${c.federation}/${c.org}/${keyOf(c.model)}/${c.through}`;
  return leaf('model.counts', c.time, payloadDigest(env), ref);
}

/** A person-signed record's claims (not its signature): see the top. */
export type Claimed =
  | { kind: 'registration'; maker: string; model: ModelRef; predicate: RegistrationPredicate; leaf: GovernanceLeaf }
  | { kind: 'approval'; maker: string; model: ModelRef; predicate: ApprovalPredicate; leaf: GovernanceLeaf }
  | { kind: 'contract'; maker: string; model: ModelRef; predicate: ContractPredicate; leaf: GovernanceLeaf }
  | { kind: 'revocation'; maker: string; model: ModelRef; predicate: RevocationPredicate; leaf: GovernanceLeaf };

function bad(message: string): GovfedError {
  return new GovfedError('ERR_MALFORMED_REPORT_EVIDENCE', message);
}

function wrap<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (cause) {
    if (cause instanceof GovfedError && cause.code === 'ERR_MALFORMED_REPORT_EVIDENCE') throw cause;
    throw new GovfedError('ERR_MALFORMED_REPORT_EVIDENCE', `${what}: ${(cause as Error).message}`, { cause });
  }
}

/** Opens a person-signed record of `kind` (attacker-controlled): its claims and the leaf it must have. */
export function claimPersonSigned(kind: Claimed['kind'], env: Envelope): Claimed {
  return wrap(kind, () => {
    switch (kind) {
      case 'registration': {
        const o = openPersonSigned(env, { predicateType: REGISTRATION_PREDICATE_TYPE, maxBytes: 256 * 1024, bad });
        const p = checkRegistrationPredicate(o.statement.predicate);
        return { kind, maker: p.model.org, model: p.model, predicate: p, leaf: registrationLeaf(env, p) };
      }
      case 'approval': {
        const o = openPersonSigned(env, { predicateType: APPROVAL_PREDICATE_TYPE, maxBytes: 64 * 1024, bad });
        const p = checkApprovalPredicate(o.statement.predicate);
        return { kind, maker: p.approver.org, model: p.model, predicate: p, leaf: approvalLeaf(env, p) };
      }
      case 'contract': {
        const p = claimedContract(env);
        return { kind, maker: p.model.org, model: p.model, predicate: p, leaf: contractLeaf(env, p) };
      }
      case 'revocation': {
        const p = claimedRevocation(env);
        return { kind, maker: p.signer.org, model: p.model, predicate: p, leaf: revocationLeaf(env, p) };
      }
    }
  });
}
