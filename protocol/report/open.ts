/**
 * Step 6 of a report's verification (verify.ts), also what the node runs on the report it builds
 * (node/report/gather.ts): each evidence record verifies as its kind — deployments, windows and counts
 * against the peer keys the charter lists (windows against the report's own contract and registration
 * records too), person-signed records (registrations, approvals, contracts, kill-switch records) by their
 * strict shape (evidence.ts) and by the signature of the person they name, whose key the report's copy
 * of that org's roster lists (current or revoked: a person revoked later signed while listed) — the
 * roster itself signed by the org's peer key; each was made by the evidence's org, is about a version the
 * report lists, is cited once, and gives exactly the entry the log proves.
 */
import { encodeLeaf } from '../audit/leaf.ts';
import { canonicalBytes } from '../canonical/jcs.ts';
import type { VerifyOptions } from '../crypto/ed25519.ts';
import { sha256 } from '../crypto/sha256.ts';
import { decodeEnvelope, type Envelope, keyIdOf, parseEnvelope } from '../dsse/index.ts';
import { equalBytes, fromBase64, toHex } from '../encoding/bytes.ts';
import { GovfedError } from '../errors.ts';
import type { CharterChain } from '../federation/index.ts';
import type { Baseline } from '../monitoring/baseline.ts';
import { verifyWindow } from '../monitoring/statement.ts';
import type { RequiredMonitor } from '../registry/contract-terms.ts';
import { verifyDeployment } from '../registry/deployment.ts';
import type { ModelRef } from '../registry/model-ref.ts';
import { checkPersonSignature } from '../registry/person-signed.ts';
import { verifyRoster } from '../registry/roster.ts';
import { verifyCounts } from './counts.ts';
import { type Claimed, claimPersonSigned, countsLeaf, deploymentLeaf, windowLeaf } from './evidence.ts';
import type { Report, ReportEvidence } from './report.ts';
import { mismatch } from './shape.ts';
import type { OpenedEvidence } from './summary.ts';

export interface EvidenceContext {
  federation: string;
  peerIdOf(org: string): string | undefined;
  /** The people of each org's roster in the report (verified), current and revoked. */
  people: Map<string, { name: string; role: string; publicKey: Uint8Array }[]>;
  /** Contracts (by `sha256:<id>`) and baselines (by model key) of the report, for windows. */
  contracts: Map<string, { model: string; monitors: RequiredMonitor[] }>;
  baselines: Map<string, { digest: string; baseline?: Baseline }>;
}

const keyOf = (m: ModelRef) => `${m.org}/${m.name}@${m.version}`;

/** Step 6 for one item: the record verifies as its kind and gives exactly `entry`. Returns what it says. */
export function openEvidence(
  e: Pick<ReportEvidence, 'id' | 'kind' | 'org' | 'record'>,
  entry: Uint8Array,
  ctx: EvidenceContext,
  opts: VerifyOptions = {},
): OpenedEvidence {
  const env = e.record as Envelope;
  let opened: OpenedEvidence;
  let expected: Uint8Array;
  let maker: string;
  switch (e.kind) {
    case 'deployment': {
      const record = verifyDeployment(env, ctx, opts);
      opened = { id: e.id, org: record.org, kind: 'deployment', record };
      expected = encodeLeaf(deploymentLeaf(record));
      maker = record.org;
      break;
    }
    case 'counts': {
      const counts = verifyCounts(env, ctx, opts);
      opened = { id: e.id, org: counts.org, kind: 'counts', counts };
      expected = encodeLeaf(countsLeaf(env, counts));
      maker = counts.org;
      break;
    }
    case 'window': {
      const window = verifyWindow(
        env,
        {
          federation: ctx.federation,
          peerIdOf: (org) => ctx.peerIdOf(org),
          monitorOf: (model, contract, index) => {
            const c = ctx.contracts.get(contract);
            const b = ctx.baselines.get(keyOf(model));
            const monitor = c?.model === keyOf(model) ? c.monitors[index] : undefined;
            if (monitor === undefined || b === undefined) return undefined;
            return { monitor, digest: b.digest, ...(b.baseline === undefined ? {} : { baseline: b.baseline }) };
          },
        },
        opts,
      );
      opened = { id: e.id, org: window.org, kind: 'window', window };
      expected = encodeLeaf(windowLeaf(env, window));
      maker = window.org;
      break;
    }
    default: {
      const c = claimPersonSigned(e.kind, parseEnvelope(env, { maxBytes: 256 * 1024 * 2, maxSignatures: 1 }));
      if (c.predicate.federation !== ctx.federation) {
        throw mismatch('ERR_EVIDENCE_MISMATCH', `${e.id}: a record of another federation`);
      }
      checkSigner(e.id, env, c, ctx, opts);
      const recordId = toHex(sha256(decodeEnvelope(env).payload));
      if (c.kind === 'contract')
        opened = { id: e.id, org: c.maker, kind: 'contract', predicate: c.predicate, contractId: recordId };
      else if (c.kind === 'revocation') {
        const keyid = env.signatures[0]?.keyid ?? '';
        opened = { id: e.id, org: c.maker, kind: 'revocation', predicate: c.predicate, keyid, recordId };
      } else if (c.kind === 'approval') opened = { id: e.id, org: c.maker, kind: 'approval', predicate: c.predicate };
      else opened = { id: e.id, org: c.maker, kind: 'registration', predicate: c.predicate };
      expected = encodeLeaf(c.leaf);
      maker = c.maker;
    }
  }
  if (maker !== e.org) throw mismatch('ERR_EVIDENCE_MISMATCH', `${e.id}: made by ${maker}, not ${e.org}`);
  if (!equalBytes(expected, entry)) {
    throw mismatch('ERR_EVIDENCE_MISMATCH', `${e.id}: the log entry is not the leaf its record gives`);
  }
  return opened;
}

/** The person a person-signed record names, in its org's roster in the report; its signature verifies. */
function checkSigner(id: string, env: Envelope, c: Claimed, ctx: EvidenceContext, opts: VerifyOptions): void {
  const who =
    c.kind === 'registration'
      ? { org: c.maker, ...c.predicate.submitter }
      : c.kind === 'approval'
        ? c.predicate.approver
        : c.kind === 'contract'
          ? { org: c.maker, ...c.predicate.signer }
          : c.predicate.signer;
  const keyid = env.signatures[0]?.keyid;
  const person = ctx.people
    .get(who.org)
    ?.find((p) => keyIdOf(p.publicKey) === keyid && p.name === who.name && p.role === who.role);
  if (person === undefined) {
    throw mismatch(
      'ERR_EVIDENCE_MISMATCH',
      `${id}: ${who.org}/${who.name} (${who.role}) with that key is in no roster of the report`,
    );
  }
  checkPersonSignature(env, person, `${id} (${c.kind})`, opts);
}

/** The people of the report's rosters, each roster verified against the charter (signed by its org's node). */
export function rosterPeople(r: Report, chain: CharterChain, opts: VerifyOptions = {}): EvidenceContext['people'] {
  const out: EvidenceContext['people'] = new Map();
  for (const [i, env] of r.rosters.entries()) {
    let org: unknown;
    try {
      org = JSON.parse(new TextDecoder().decode(decodeEnvelope(parseEnvelope(env)).payload)).org;
    } catch (cause) {
      throw new GovfedError('ERR_MALFORMED_ROSTER', `report: rosters[${i}] is not a roster envelope`, { cause });
    }
    const peer = typeof org === 'string' ? chain.current.members.find((m) => m.org === org)?.peerId : undefined;
    if (typeof org !== 'string' || peer === undefined) {
      throw new GovfedError('ERR_UNKNOWN_SIGNER', `report: rosters[${i}] is of no member`);
    }
    if (out.has(org)) throw mismatch('ERR_MALFORMED_REPORT', `rosters: ${org} listed twice`);
    const roster = verifyRoster(env, { federation: chain.federationId, org, orgPeerId: peer }, opts);
    out.set(
      org,
      [...roster.people, ...roster.revoked].map((p) => ({
        name: p.name,
        role: p.role,
        publicKey: fromBase64(p.publicKey),
      })),
    );
  }
  return out;
}

/** The windows' context from the report's own contract and registration records (claimed, then proven). */
export function evidenceContext(r: Report, chain: CharterChain, opts: VerifyOptions = {}): EvidenceContext {
  const members = chain.current.members;
  const contracts: EvidenceContext['contracts'] = new Map();
  const baselines: EvidenceContext['baselines'] = new Map();
  const digests = new Map(r.versions.map((v) => [keyOf(v.model), v.digest]));
  for (const e of r.evidence) {
    if (e.kind !== 'contract' && e.kind !== 'registration') continue;
    try {
      const c = claimPersonSigned(e.kind, e.record);
      const key = keyOf(c.model);
      if (c.kind === 'contract') {
        const id = `sha256:${toHex(sha256(decodeEnvelope(e.record).payload))}`;
        contracts.set(id, { model: key, monitors: c.predicate.terms.requiredMonitors ?? [] });
      } else if (c.kind === 'registration') {
        const digest = digests.get(key);
        const b = c.predicate.baseline;
        if (digest !== undefined) baselines.set(key, { digest, ...(b === undefined ? {} : { baseline: b }) });
      }
    } catch {
      // step 6 reports it on the item itself
    }
  }
  return {
    federation: chain.federationId,
    peerIdOf: (org) => members.find((m) => m.org === org)?.peerId,
    people: rosterPeople(r, chain, opts),
    contracts,
    baselines,
  };
}

/** Step 6 for the whole report: every item opens, is about a listed version, and no record is cited twice. */
export function checkEvidence(
  r: Report,
  chain: CharterChain,
  entries: readonly Uint8Array[],
  opts: VerifyOptions = {},
): OpenedEvidence[] {
  const ctx = evidenceContext(r, chain, opts);
  const listed = new Set(r.versions.map((v) => keyOf(v.model)));
  const seen = new Set<string>();
  return r.evidence.map((e, i) => {
    const o = openEvidence(e, entries[i] as Uint8Array, ctx, opts);
    const model =
      o.kind === 'deployment'
        ? o.record.model
        : o.kind === 'window'
          ? o.window.model
          : o.kind === 'counts'
            ? o.counts.model
            : o.predicate.model;
    if (!listed.has(keyOf(model)))
      throw mismatch('ERR_EVIDENCE_MISMATCH', `${e.id}: about ${keyOf(model)}, not a listed version`);
    const h = toHex(sha256(canonicalBytes(e.record)));
    if (seen.has(h)) throw mismatch('ERR_EVIDENCE_MISMATCH', `${e.id}: a record cited twice`);
    seen.add(h);
    return o;
  });
}
