/**
 * The charter as a replicated object (node/chain/object.ts): only what is the charter's — the chain
 * (CharterChain, protocol/federation) behind a small ObjectChain adapter, its acceptance rule with
 * signed deadlines (checkDeadline, the successor rule), the admission of received proposals (pending
 * limits, a member signature, deadlines: admitCharterProposal), join windows (charterWindowHooks),
 * its audit leaves, wire names and /govfed/sync codec — and none of the generic parts (pending with a
 * TTL, co-signing, conflicts, fork evidence, persist → audit, gossip verdicts, anti-entropy).
 *
 * Where the charter differs from policy, it leaves the generic chain's optional parts out: no receipts;
 * its pending lifetime is the charter's signed deadline (`expiresAt`, else PROPOSAL_TTL_MS); a proposal
 * past its lifetime no longer blocks a rival; a complete version is gossiped as `charter`, a proposal as
 * `proposal`; no `fork` event (the fork is a `federation:rejected` ERR_CHARTER_FORK and an audit leaf).
 * The chain is the federation's own charter chain: the object's "charter" argument and its chain are
 * the same CharterChain, so the adapter never loads or copies one.
 */
import { GovfedError } from '../../protocol/errors.ts';
import {
  addSignature,
  type ChainEntry,
  type Charter,
  type CharterChain,
  charterDigest,
  charterOf,
  chartersResponse,
  checkSyncMessage,
  decodeSyncMessage,
  type Envelope,
  encodeSyncMessage,
  envelopeFromBody,
  type Head,
  MAX_FORK_EVIDENCE,
  MAX_SYNC_CHARTERS,
  MAX_SYNC_MESSAGE_BYTES,
  mergeSignatures,
  SYNC_PROTOCOL,
  type SyncMessage,
} from '../../protocol/federation/index.ts';
import type {
  ChainSyncMessage,
  ObjectChain,
  ObjectEntry,
  PendingProposal,
  PendingView,
  ReplicatedChainOptions,
  ReplicatedObject,
} from '../chain/index.ts';
import { NodeError } from '../errors.ts';
import type { MemberGate } from '../p2p/gate.ts';
import { federationAuditItem } from './audit.ts';
import {
  admitCharterProposal,
  checkDeadline,
  joinWindowPeers,
  MAX_PENDING_CHARTER_PROPOSALS,
  PROPOSAL_TTL_MS,
} from './pending.ts';

function entryOf(e: ChainEntry): ObjectEntry<Charter> {
  return { version: e.version, digest: e.digest, envelope: e.envelope, object: e.charter };
}

/** The federation's CharterChain as the generic chain's ObjectChain. */
export class CharterObjectChain implements ObjectChain<Charter> {
  readonly chain: CharterChain;

  constructor(chain: CharterChain) {
    this.chain = chain;
  }

  get federationId(): string {
    return this.chain.federationId;
  }

  get version(): number {
    return this.chain.version;
  }

  get current(): ObjectEntry<Charter> {
    return entryOf(this.chain.head);
  }

  versions(): ObjectEntry<Charter>[] {
    return this.chain.versions().map(entryOf);
  }

  /** Versions `from`.. within MAX_SYNC_CHARTERS and the frame bound (what get-charters answers). */
  since(from: number): ObjectEntry<Charter>[] {
    const envs = chartersResponse(this.chain, { type: 'get-charters', from }).envelopes;
    return envs.map((env) => entryOf(this.chain.entry(charterOf(env).version) as ChainEntry));
  }

  /**
   * Versions current+1.. one at a time (attacker-controlled): each past its signed deadline is refused
   * (ERR_PROPOSAL_EXPIRED) unless the next one in the run is complete on top of it with the threshold
   * met by earlier members (checkDeadline); then CharterChain.accept. A run that fails part-way keeps
   * the versions taken before the failure (the chain cannot take them back); the failure itself is
   * thrown only when nothing was taken.
   */
  acceptRun(envs: readonly Envelope[], _charter: CharterChain, now: number): ObjectEntry<Charter>[] {
    const taken: ObjectEntry<Charter>[] = [];
    for (const [i, env] of envs.entries()) {
      try {
        checkDeadline(this.chain, env, now, envs[i + 1]);
        const r = this.chain.accept(env);
        if (r.status === 'accepted') taken.push(entryOf(r.entry));
      } catch (err) {
        if (taken.length === 0) throw err;
        break;
      }
    }
    return taken;
  }
}

/** Generic sync type ↔ /govfed/sync message type (protocol/federation/sync.ts). */
const WIRE: Record<ChainSyncMessage['type'], string> = {
  hello: 'hello',
  get: 'get-charters',
  objects: 'charters',
  proposal: 'proposal',
  'get-receipts': 'get-receipts',
  receipts: 'receipts',
};

/** A hello's heads other than the charter's (the modules', node/federation/heads.ts), as a field if any. */
function otherHeads(heads: Readonly<Record<string, Head>>): { heads?: Record<string, Head> } {
  const out: Record<string, Head> = {};
  for (const [kind, head] of Object.entries(heads)) if (kind !== 'charter') out[kind] = head;
  return Object.keys(out).length === 0 ? {} : { heads: out };
}

/** A generic sync message as the /govfed/sync message it is on the wire. */
export function toWire(msg: ChainSyncMessage, federationId: string): SyncMessage {
  switch (msg.type) {
    case 'hello':
      return {
        type: 'hello',
        federationId,
        charterVersion: msg.version,
        heads: { ...msg.heads, charter: { height: msg.version, digest: msg.digest ?? '' } },
      };
    case 'get':
      return { type: 'get-charters', from: msg.from };
    case 'objects':
      return { type: 'charters', envelopes: msg.envelopes };
    case 'proposal':
      return { type: 'proposal', envelope: msg.envelope };
    default:
      throw new GovfedError('ERR_MALFORMED_SYNC_MESSAGE', `charters have no ${msg.type}`);
  }
}

/** A /govfed/sync message (decoded, attacker-controlled) as the generic one; address books are not the chain's. */
export function fromWire(m: SyncMessage, federationId: string): ChainSyncMessage {
  switch (m.type) {
    case 'hello':
      if (m.federationId !== federationId) {
        throw new GovfedError('ERR_FEDERATION_MISMATCH', `peer is in federation ${m.federationId}`);
      }
      return {
        type: 'hello',
        version: m.charterVersion,
        digest: m.heads.charter?.digest ?? null,
        pending: [],
        ...otherHeads(m.heads),
      };
    case 'get-charters':
      return { type: 'get', from: m.from };
    case 'charters':
      return { type: 'objects', envelopes: m.envelopes };
    case 'proposal':
      return { type: 'proposal', envelope: m.envelope };
    default:
      // Address books are the federation's sync (sync.ts), not the chain's.
      throw new GovfedError('ERR_MALFORMED_SYNC_MESSAGE', `${m.type} is not a charter chain message`);
  }
}

/** The charter module. `federationId` names ours (hello); `now` is the clock deadlines are read on. */
export function charterObject(opts: { federationId: () => string; now: () => number }): ReplicatedObject<Charter> {
  return {
    noun: 'charter',
    objectNoun: 'charter',
    gossipKind: 'proposal',
    completeGossipKind: 'charter',
    protocol: SYNC_PROTOCOL,
    maxSyncBytes: MAX_SYNC_MESSAGE_BYTES,
    events: {
      proposal: 'federation:proposal',
      applied: 'federation:charter',
      // no `rejected`: the federation counts and reports the charter's as `federation:rejected` {kind, action}
      syncFailed: 'federation:sync-failed',
      auditFailed: 'federation:audit-failed',
      error: 'federation:error',
    },
    codes: { gap: 'ERR_CHARTER_GAP', rollback: 'ERR_CHARTER_STALE', fork: 'ERR_CHARTER_FORK' },
    proposalTtlMs: PROPOSAL_TTL_MS,
    maxPending: MAX_PENDING_CHARTER_PROPOSALS,
    maxForks: MAX_FORK_EVIDENCE,
    maxCatchUp: MAX_SYNC_CHARTERS,
    conflictIgnoresExpired: true,
    localCodes: ['ERR_PROPOSAL_LIMIT', 'ERR_PROPOSAL_EXPIRED'],
    deadlineOf: (c) => c.expiresAt,
    admit: (_s, env, pending: PendingView, charter) =>
      admitCharterProposal(charter.proposalStatus(env), pending, opts.now()),
    auditKinds: { accepted: 'federation.charter', fork: 'federation.fork', proposal: 'federation.proposal' },
    decode: charterOf,
    versionOf: (c) => c.version,
    digestOf: charterDigest,
    status: (env, charter) => {
      const s = charter.proposalStatus(env);
      const { signedBy, required, complete, digest } = s;
      return { object: s.charter, digest, version: s.charter.version, signedBy, required, complete };
    },
    merge: mergeSignatures,
    cosign: addSignature,
    // The chain is the federation's own: there is nothing to load, and nothing that can fail to.
    emptyChain: () => {
      throw new NodeError('ERR_NO_FEDERATION', 'the charter chain starts from a genesis, never empty');
    },
    loadChain: (_id, _envs, charter) => new CharterObjectChain(charter),
    fromGossip: envelopeFromBody,
    auditItem: (kind, e) => {
      if (e.federationId === undefined) throw new NodeError('ERR_NO_FEDERATION', 'this node is not in a federation');
      const base = { federationId: e.federationId, version: e.version, envelope: e.envelope, time: e.time };
      // A fork or proposal leaf names the envelope's digest, a charter leaf the charter's.
      if (kind === 'fork') return federationAuditItem({ kind: 'federation.fork', ...base });
      if (kind === 'proposal') return federationAuditItem({ kind: 'federation.proposal', ...base });
      return federationAuditItem({ kind: 'federation.charter', ...base, digest: e.digest });
    },
    appliedFields: (c) => ({ members: c.members.length }),
    syncName: (type) => WIRE[type],
    encodeSync: (msg) => encodeSyncMessage(checkSyncMessage(toWire(msg, opts.federationId()))),
    decodeSync: (bytes) => fromWire(decodeSyncMessage(bytes), opts.federationId()),
  };
}

/**
 * The join-window hooks of the generic chain for the charter (the rule: pending.ts): a stored or grown
 * proposal opens windows for the peers it adds when this node signed it or its member threshold is
 * met; one that leaves (accepted, expired or superseded) closes the windows no other pending proposal
 * keeps open.
 */
export function charterWindowHooks(opts: {
  gate: MemberGate;
  self: string;
  chain: () => CharterChain | undefined;
  pending: () => readonly PendingProposal[];
}): Pick<ReplicatedChainOptions<Charter>, 'onPending' | 'onPendingDropped'> {
  const stillOpens = (peer: string) =>
    opts.pending().some((p) => charterOf(p.envelope).members.some((m) => m.peerId === peer));
  return {
    onPending: (_s, env, expiresAt) => {
      const chain = opts.chain();
      if (chain === undefined) return;
      const status = chain.proposalStatus(env);
      for (const p of joinWindowPeers(status, env, opts.self)) opts.gate.openWindow(p, Date.parse(expiresAt));
    },
    onPendingDropped: (dropped) => {
      for (const m of charterOf(dropped.envelope).members) {
        // Also once it is a member (the admission was accepted): membership lets it in now, and a window
        // left open would outlive a later removal (a removed peer must get only its removal: sync.ts).
        if (!stillOpens(m.peerId)) opts.gate.closeWindow(m.peerId);
      }
    },
  };
}
