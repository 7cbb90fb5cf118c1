/**
 * Policy bundles as a replicated object (node/chain): what the generic chain needs to know of them —
 * decoding and checking a bundle envelope under the charter (bundleStatus), merging co-signatures,
 * PolicyChain's acceptance rule (acceptRun), the `policy.bundle` / `policy.fork` audit leaves, the
 * signed receipt {org, version, bundleHash, logIndex}, and the names on the wire: gossip `policy` and
 * `policy-receipt`, sync messages policy-hello / get-policies / policies / policy-proposal /
 * get-receipts / receipts on POLICY_SYNC_PROTOCOL, events `policy:*`, codes ERR_POLICY_*.
 */
import type { Ed25519Verify } from '../../protocol/crypto/ed25519.ts';
import type { CharterChain, Envelope } from '../../protocol/federation/index.ts';
import {
  addBundleSignature,
  baselineDigest,
  bundleStatus,
  decodeBaselineEnvelope,
  decodePolicySyncMessage,
  encodePolicySyncMessage,
  MAX_POLICY_SYNC_BYTES,
  mergeBundleSignatures,
  POLICY_SYNC_PROTOCOL,
  type PolicyBaseline,
  PolicyChain,
  type PolicyEntry,
  type PolicySyncMessage,
  policyFromGossipBody,
  RECEIPT_TYPE,
  receiptFromGossipBody,
  receiptOf,
  signReceipt,
  verifyReceipt,
} from '../../protocol/policy/index.ts';
import type { ChainSyncMessage, ObjectChain, ObjectEntry, ReceiptFacts, ReplicatedObject } from '../chain/index.ts';
import { policyAuditItem } from './audit.ts';

/** Lifetime of a pending proposal (made here or learned from a peer). */
export const POLICY_PROPOSAL_TTL_MS = 24 * 60 * 60_000;
/** Largest number of pending proposals kept (oldest dropped first). */
export const MAX_PENDING_PROPOSALS = 32;
/** Largest number of fork envelopes kept as evidence. */
export const MAX_FORKS = 16;
/** Most bundle versions one sync round pulls and takes as a run (each at most MAX_BUNDLE_BYTES). */
export const MAX_CATCH_UP = 256;

const decoded = new WeakMap<Envelope, PolicyBaseline>();

/**
 * The bundle inside an envelope we hold (decoding compiles every rule, so it is cached per envelope
 * object; envelopes are never mutated, merges make new ones).
 */
export function bundleOf(env: Envelope): PolicyBaseline {
  let b = decoded.get(env);
  if (b === undefined) {
    b = decodeBaselineEnvelope(env).bundle;
    decoded.set(env, b);
  }
  return b;
}

function entry(e: PolicyEntry): ObjectEntry<PolicyBaseline> {
  return { version: e.version, digest: e.digest, envelope: e.envelope, object: e.bundle };
}

/** PolicyChain seen as an ObjectChain. */
class BundleChain implements ObjectChain<PolicyBaseline> {
  readonly #c: PolicyChain;
  constructor(c: PolicyChain) {
    this.#c = c;
  }
  get federationId(): string {
    return this.#c.federationId;
  }
  get version(): number {
    return this.#c.version;
  }
  get current(): ObjectEntry<PolicyBaseline> | undefined {
    const c = this.#c.current;
    return c === undefined ? undefined : entry(c);
  }
  versions(): ObjectEntry<PolicyBaseline>[] {
    return this.#c.versions().map(entry);
  }
  since(from: number): ObjectEntry<PolicyBaseline>[] {
    return this.#c.since(from).map(entry);
  }
  acceptRun(envs: readonly Envelope[], charter: CharterChain, now: number): ObjectEntry<PolicyBaseline>[] {
    return this.#c.acceptRun(envs, charter, now).map(entry);
  }
}

const WIRE: Record<ChainSyncMessage['type'], PolicySyncMessage['type']> = {
  hello: 'policy-hello',
  get: 'get-policies',
  objects: 'policies',
  proposal: 'policy-proposal',
  'get-receipts': 'get-receipts',
  receipts: 'receipts',
};
const GENERIC = Object.fromEntries(Object.entries(WIRE).map(([g, w]) => [w, g])) as Record<
  PolicySyncMessage['type'],
  ChainSyncMessage['type']
>;

function receiptFacts(env: Envelope, r = receiptOf(env)): ReceiptFacts {
  return { peerId: r.peerId, version: r.version, appliedAt: r.appliedAt, digest: r.bundleHash, logIndex: r.logIndex };
}

/** The policy bundle module for `org` (its receipts name it); every signature is checked with `verify`. */
export function policyObject(org: string, peerId: string, verify: Ed25519Verify): ReplicatedObject<PolicyBaseline> {
  const v = { verify };
  return {
    noun: 'policy',
    objectNoun: 'bundle',
    gossipKind: 'policy',
    protocol: POLICY_SYNC_PROTOCOL,
    maxSyncBytes: MAX_POLICY_SYNC_BYTES,
    events: {
      proposal: 'policy:proposal',
      applied: 'policy:applied',
      fork: 'policy:fork',
      rejected: 'policy:rejected',
      syncFailed: 'policy:sync-failed',
      auditFailed: 'policy:audit-failed',
      error: 'policy:error',
      reloadFailed: 'policy:reload-failed',
    },
    codes: { gap: 'ERR_POLICY_GAP', rollback: 'ERR_POLICY_ROLLBACK', fork: 'ERR_POLICY_FORK' },
    proposalTtlMs: POLICY_PROPOSAL_TTL_MS,
    maxPending: MAX_PENDING_PROPOSALS,
    maxForks: MAX_FORKS,
    maxCatchUp: MAX_CATCH_UP,
    auditKinds: { accepted: 'policy.bundle', fork: 'policy.fork' },
    decode: bundleOf,
    versionOf: (b) => b.version,
    digestOf: (b) => baselineDigest(b),
    status: (env, charter) => {
      const s = bundleStatus(env, charter, undefined, v);
      return { ...s, object: s.bundle, version: s.bundle.version };
    },
    merge: (a, b) => mergeBundleSignatures(a, b, v),
    cosign: (env, seed) => addBundleSignature(env, seed, v),
    emptyChain: (federationId) => new BundleChain(new PolicyChain(federationId, v)),
    loadChain: (federationId, envs, charter) =>
      new BundleChain(PolicyChain.fromEnvelopes(federationId, envs, charter, v)),
    fromGossip: policyFromGossipBody,
    auditItem: (kind, e) =>
      policyAuditItem({
        kind: kind === 'accepted' ? 'policy.bundle' : 'policy.fork',
        version: e.version,
        object: e.envelope,
        digest: e.digest,
        time: e.time,
        ...(e.federationId === undefined ? {} : { federationId: e.federationId }),
      }),
    receipts: {
      kind: 'policy-receipt',
      fromGossip: receiptFromGossipBody,
      issue: (e, logIndex, appliedAt, seed) =>
        signReceipt(
          {
            type: RECEIPT_TYPE,
            federationId: e.object.federationId,
            org,
            peerId,
            version: e.version,
            bundleHash: e.digest,
            logIndex,
            appliedAt,
          },
          seed,
        ),
      verify: (env, charter) => receiptFacts(env, verifyReceipt(env, charter, undefined, v)),
      of: (env) => receiptFacts(env),
    },
    appliedFields: (b) => ({ rules: b.rules.length }),
    syncName: (type) => WIRE[type],
    encodeSync: (msg) => encodePolicySyncMessage({ ...msg, type: WIRE[msg.type] } as PolicySyncMessage),
    decodeSync: (bytes) => {
      const m = decodePolicySyncMessage(bytes);
      return { ...m, type: GENERIC[m.type] } as ChainSyncMessage;
    },
  };
}
