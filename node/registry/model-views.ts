/**
 * What the API (and so the CLI and the console) shows of a model version: a summary for lists, the full
 * record for one version. Built from the ModelBook's held records and computed view; nothing here is
 * stored.
 */
import type { ApprovalRule } from '../../protocol/federation/approval-rules.ts';
import type { KillStatus } from '../../protocol/registry/index.ts';
import { currentContract, type HeldContract, type HeldModel, type ModelBook } from './model-book.ts';

export interface ModelSummaryJson {
  org: string;
  name: string;
  version: string;
  digest: string;
  assurance: 'files' | 'opaque';
  status: string;
  risk: {
    score: number;
    tier: string;
    hits: { rule: string; points: number }[];
    policyVersion: number;
    policyDigest: string;
  };
  euAiActCategory: string | null;
  submitter: { name: string; role: string };
  registeredAt: string;
  id: string;
  logIndex: number;
  contract: { version: number; id: string } | null;
  /** The kill switch: active, suspended or revoked, with who and why. */
  kill: KillStatus;
  approvals: { votes: number; counted: number; missingRoles: string[]; orgs: { have: number; need: number } };
}

export function modelSummary(book: ModelBook, held: HeldModel): ModelSummaryJson {
  const p = held.registration.predicate;
  const v = book.view(held);
  return {
    org: p.model.org,
    name: p.model.name,
    version: p.model.version,
    digest: held.digest,
    assurance: p.assurance,
    status: v.status,
    risk: p.risk,
    euAiActCategory: p.card?.euAiActCategory ?? null,
    submitter: p.submitter,
    registeredAt: p.registeredAt,
    id: held.id,
    logIndex: held.logIndex,
    contract: contractRef(currentContract(held)),
    kill: v.kill,
    approvals: {
      votes: held.approvals.size,
      counted: v.approval.counted.length,
      missingRoles: v.approval.missingRoles,
      orgs: v.approval.orgs,
    },
  };
}

export function modelDetail(book: ModelBook, held: HeldModel, rule: ApprovalRule | undefined) {
  const p = held.registration.predicate;
  const v = book.view(held);
  return {
    ...modelSummary(book, held),
    ...(p.external === undefined ? {} : { external: p.external }),
    ...(p.oms === undefined ? {} : { oms: p.oms }),
    card: p.card ?? null,
    contract: contractDetail(held),
    rule: rule === undefined ? null : { roles: rule.roles, orgs: rule.orgs },
    votes: v.votes.map(({ approval: a, counts, why }) => ({
      id: a.id,
      approver: a.predicate.approver,
      decision: a.predicate.decision,
      issuedAt: a.predicate.issuedAt,
      expiresAt: a.predicate.expiresAt,
      ...(a.predicate.reason === undefined ? {} : { reason: a.predicate.reason }),
      ...(a.predicate.conditions === undefined ? {} : { conditions: a.predicate.conditions }),
      ...(a.predicate.contract === undefined ? {} : { contract: a.predicate.contract }),
      counts,
      ...(why === undefined ? {} : { why }),
      logIndex: a.logIndex,
      envelope: a.envelope,
    })),
    revocations: [...held.revocations.values()].map((r) => ({
      id: r.id,
      action: r.predicate.action,
      signer: r.predicate.signer,
      reason: r.predicate.reason,
      issuedAt: r.predicate.issuedAt,
      logIndex: r.logIndex,
      envelope: r.envelope,
    })),
    envelope: held.envelope,
  };
}

function contractRef(c: HeldContract | undefined): { version: number; id: string } | null {
  return c === undefined ? null : { version: c.version, id: `sha256:${c.id}` };
}

/** The current contract in full with every version's short form (null: none). */
export function contractDetail(held: HeldModel) {
  const c = currentContract(held);
  if (c === undefined) return null;
  const short = (h: HeldContract) => ({
    version: h.version,
    id: `sha256:${h.id}`,
    signer: h.predicate.signer,
    issuedAt: h.predicate.issuedAt,
    logIndex: h.logIndex,
  });
  return { ...short(c), terms: c.predicate.terms, envelope: c.envelope, history: held.contracts.map(short) };
}
