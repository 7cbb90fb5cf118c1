/**
 * A toy replicated object for the chain's unit tests: a "note" {federationId, version, previous, text}
 * whose envelope signatures are stand-ins (`ok:<peer id>`), checked against the real charter's members.
 * It is what a module provides (node/chain/object.ts) and nothing more — the same shape as
 * node/policy/object.ts, without the cryptography the protocol modules own (tested there).
 */
import { createHash } from 'node:crypto';
import type { ChainSyncMessage, ObjectChain, ObjectEntry, ReplicatedObject } from '../../../node/chain/index.ts';
import type { EventName } from '../../../node/events.ts';
import { GovfedError } from '../../../protocol/errors.ts';
import { type CharterChain, type Envelope, peerIdFromSeed } from '../../../protocol/federation/index.ts';

export interface Note {
  federationId: string;
  version: number;
  previous: string | null;
  text: string;
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64');
const unb64 = <T>(s: string): T => JSON.parse(Buffer.from(s, 'base64').toString('utf8')) as T;
const sig = (peer: string) => ({ keyid: peer, sig: `ok:${peer}` });

export function noteEnvelope(n: Note, signers: string[]): Envelope {
  return { payloadType: 'application/x-note', payload: b64(n), signatures: signers.map(sig) };
}

export const decodeNote = (env: Envelope): Note => unb64<Note>(env.payload);
export const noteDigest = (n: Note): string => `sha256:${createHash('sha256').update(JSON.stringify(n)).digest('hex')}`;

function verifySigners(env: Envelope, charter: CharterChain): string[] {
  const signedBy = new Set<string>();
  for (const s of env.signatures) {
    const peer = s.keyid ?? '';
    if (!charter.isMember(peer)) throw new GovfedError('ERR_UNKNOWN_SIGNER', `${peer} is not a member`);
    if (s.sig !== `ok:${peer}`) throw new GovfedError('ERR_BAD_SIGNATURE', `bad signature by ${peer}`);
    signedBy.add(peer);
  }
  return [...signedBy].sort();
}

function status(env: Envelope, charter: CharterChain) {
  const object = decodeNote(env);
  if (object.federationId !== charter.federationId)
    throw new GovfedError('ERR_FEDERATION_MISMATCH', 'other federation');
  const signedBy = verifySigners(env, charter);
  const required = charter.current.thresholds.policy;
  return {
    object,
    digest: noteDigest(object),
    version: object.version,
    signedBy,
    required,
    complete: signedBy.length >= required,
  };
}

/** The acceptance rule: the next version, naming the head's digest, complete; a rival of a held version is a fork. */
class NoteChain implements ObjectChain<Note> {
  readonly federationId: string;
  readonly #entries: ObjectEntry<Note>[] = [];
  constructor(federationId: string) {
    this.federationId = federationId;
  }
  get version(): number {
    return this.#entries.length;
  }
  get current(): ObjectEntry<Note> | undefined {
    return this.#entries.at(-1);
  }
  versions(): ObjectEntry<Note>[] {
    return [...this.#entries];
  }
  since(from: number): ObjectEntry<Note>[] {
    return this.#entries.slice(Math.max(0, from - 1));
  }
  acceptRun(envs: readonly Envelope[], charter: CharterChain): ObjectEntry<Note>[] {
    const taken: ObjectEntry<Note>[] = [];
    for (const env of envs) {
      const s = status(env, charter);
      const held = this.#entries[s.version - 1];
      if (held !== undefined) {
        if (held.digest === s.digest) continue;
        if (s.version === this.version) throw new GovfedError('ERR_POLICY_FORK', `a rival of version ${s.version}`);
        throw new GovfedError('ERR_POLICY_ROLLBACK', `version ${s.version} is older than ${this.version}`);
      }
      if (s.version !== this.version + 1)
        throw new GovfedError('ERR_POLICY_GAP', `version ${s.version} after ${this.version}`);
      if (s.object.previous !== (this.current?.digest ?? null))
        throw new GovfedError('ERR_POLICY_PREVIOUS', 'wrong previous');
      if (!s.complete) throw new GovfedError('ERR_POLICY_THRESHOLD', 'too few signatures');
      const e = { version: s.version, digest: s.digest, envelope: env, object: s.object };
      this.#entries.push(e);
      taken.push(e);
    }
    return taken;
  }
}

interface NoteReceipt {
  peerId: string;
  version: number;
  digest: string;
  logIndex: number;
  appliedAt: string;
}

export const noteObject: ReplicatedObject<Note> = {
  noun: 'note',
  objectNoun: 'note',
  gossipKind: 'note',
  protocol: '/test/note/1.0.0',
  maxSyncBytes: 1 << 20,
  events: {
    proposal: 'note:proposal' as EventName,
    applied: 'note:applied' as EventName,
    fork: 'note:fork' as EventName,
    rejected: 'note:rejected' as EventName,
    syncFailed: 'note:sync-failed' as EventName,
    auditFailed: 'note:audit-failed' as EventName,
    error: 'note:error' as EventName,
    reloadFailed: 'note:reload-failed' as EventName,
  },
  codes: { gap: 'ERR_POLICY_GAP', rollback: 'ERR_POLICY_ROLLBACK', fork: 'ERR_POLICY_FORK' },
  proposalTtlMs: 60_000,
  maxPending: 4,
  maxForks: 2,
  maxCatchUp: 16,
  auditKinds: { accepted: 'note.accepted', fork: 'note.fork' },
  decode: decodeNote,
  versionOf: (n) => n.version,
  digestOf: noteDigest,
  status,
  merge: (a, b) => {
    if (a.payload !== b.payload) throw new GovfedError('ERR_PAYLOAD_MISMATCH', 'different notes');
    const keys = new Set(a.signatures.map((s) => s.keyid));
    return { ...a, signatures: [...a.signatures, ...b.signatures.filter((s) => !keys.has(s.keyid))] };
  },
  cosign: (env, seed) => ({ ...env, signatures: [...env.signatures, sig(peerIdFromSeed(seed))] }),
  emptyChain: (federationId) => new NoteChain(federationId),
  loadChain: (federationId, envs, charter) => {
    const c = new NoteChain(federationId);
    c.acceptRun(envs, charter);
    return c;
  },
  fromGossip: (body) => body.envelope as Envelope,
  auditItem: (kind, e) => ({
    leaf: new TextEncoder().encode(JSON.stringify({ kind: `note.${kind}`, version: e.version, digest: e.digest })),
  }),
  receipts: {
    kind: 'note-receipt',
    fromGossip: (body) => body.envelope as Envelope,
    issue: (e, logIndex, appliedAt, seed) => {
      const peerId = peerIdFromSeed(seed);
      const r: NoteReceipt = { peerId, version: e.version, digest: e.digest, logIndex, appliedAt };
      return { payloadType: 'application/x-note-receipt', payload: b64(r), signatures: [sig(peerId)] };
    },
    verify: (env, charter) => {
      const r = unb64<NoteReceipt>(env.payload);
      const [signer] = verifySigners(env, charter);
      if (signer !== r.peerId) throw new GovfedError('ERR_BAD_SIGNATURE', 'receipt not signed by its member');
      return r;
    },
    of: (env) => unb64<NoteReceipt>(env.payload),
  },
  syncName: (type) => `note-${type}`,
  encodeSync: (msg: ChainSyncMessage) => new TextEncoder().encode(JSON.stringify(msg)),
  decodeSync: (bytes) => JSON.parse(new TextDecoder().decode(bytes)) as ChainSyncMessage,
};
