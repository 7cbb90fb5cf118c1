/**
 * ReplicatedChain and ChainSync with three members in one process, on the toy `note` object (note.ts):
 * the generic chain alone — propose, co-sign to the threshold, apply, audit, receipts, the
 * no-two-versions rule, fork evidence, gossip verdicts, catch-up by sync. Policy on the same component
 * is test/node/policy/service.test.ts; the real network, test/integration/policy.test.ts.
 */
import { generateKeyPair } from '@libp2p/crypto/keys';
import { describe, expect, it } from 'vitest';
import {
  ChainSync,
  objectGossipVerdict,
  ReplicatedChain,
  type ReplicatedChainOptions,
  type ReplicatedObject,
  receiptGossipVerdict,
} from '../../../node/chain/index.ts';
import type { FederationContext } from '../../../node/federation/module.ts';
import { GovfedError } from '../../../protocol/errors.ts';
import {
  addSignature,
  CharterChain,
  type GossipMessage,
  genesisCharter,
  peerIdFromSeed,
  signCharter,
} from '../../../protocol/federation/index.ts';
import { codeOf, settle } from '../../helpers/async.ts';
import { type Note, noteDigest, noteEnvelope, noteObject } from './note.ts';

interface Member {
  peerId: string;
  seed: Uint8Array;
  rc: ReplicatedChain<Note>;
  sync: ChainSync<Note>;
  leaves: string[];
  events: { event: string; fields?: Record<string, unknown> }[];
  persisted: number;
}

class Net {
  readonly members: Member[] = [];
  readonly online = new Set<string>();
  readonly pulls: string[] = [];
  /** Gossip kinds published, and sync request types sent, in order. */
  readonly published: string[] = [];
  readonly requests: string[] = [];
  chain!: CharterChain;
  clock = Date.parse('2026-01-01T00:00:00Z');

  context(m: Member): FederationContext {
    return {
      peerId: m.peerId,
      events: (event, fields) => m.events.push({ event, ...(fields === undefined ? {} : { fields }) }),
      chain: () => this.chain,
      publish: async (kind, body) => {
        if (!this.online.has(m.peerId)) return;
        this.published.push(kind);
        const msg = { type: kind, sender: m.peerId, body } as unknown as GossipMessage;
        for (const o of this.members) {
          if (o === m || !this.online.has(o.peerId)) continue;
          if (kind === 'note-receipt') receiptGossipVerdict(o.rc, msg, m.peerId);
          else objectGossipVerdict(o.rc, msg, m.peerId, (p) => this.pulls.push(p));
        }
      },
      request: async (peer, _protocol, bytes) => {
        const target = this.members.find((o) => o.peerId === peer);
        if (target === undefined || !this.online.has(peer)) throw new Error(`${peer} is offline`);
        this.requests.push(noteObject.decodeSync(bytes).type);
        return await target.sync.serve(bytes, m.peerId);
      },
      connectedMembers: () => [...this.online].filter((p) => p !== m.peerId),
      signAsPeer: () => {
        throw new Error('not used');
      },
      reject: () => {},
    };
  }
}

/**
 * Three members; the charter's policy threshold (the toy's acceptance threshold) is `threshold`;
 * `object` and `hooks` vary the module (optional parts: no receipts, admission, join-window hooks).
 */
async function federation(
  threshold: number,
  object: ReplicatedObject<Note> = noteObject,
  hooks: (m: Member) => Partial<ReplicatedChainOptions<Note>> = () => ({}),
): Promise<[Net, Member, Member, Member]> {
  const net = new Net();
  const seeds = await Promise.all([0, 1, 2].map(async () => (await generateKeyPair('Ed25519')).raw.slice(0, 32)));
  const g = genesisCharter({
    name: 'notes',
    createdAt: new Date(net.clock).toISOString(),
    members: seeds.map((s, i) => ({ org: `org${i}`, peerId: peerIdFromSeed(s), jurisdiction: 'EU' })),
    thresholds: { admission: 1, policy: threshold, charter: 1 },
  });
  let env = signCharter(g, seeds[0] as Uint8Array);
  for (const s of seeds.slice(1)) env = addSignature(env, s);
  net.chain = new CharterChain(env);
  for (const seed of seeds) {
    const m = { peerId: peerIdFromSeed(seed), seed, leaves: [], events: [], persisted: 0 } as unknown as Member;
    let index = 0;
    m.rc = new ReplicatedChain({
      ...hooks(m),
      object,
      self: m.peerId,
      seed,
      log: {
        append: async (items) =>
          items.map((it) => {
            m.leaves.push(new TextDecoder().decode(it.leaf));
            return { index: index++ } as never;
          }),
      },
      events: (event, fields) => m.events.push({ event, ...(fields === undefined ? {} : { fields }) }),
      now: () => new Date(net.clock),
      persist: async () => {
        m.persisted++;
      },
      onHead: () => {},
    });
    m.sync = new ChainSync(m.rc, (event, fields) =>
      m.events.push({ event, ...(fields === undefined ? {} : { fields }) }),
    );
    m.rc.attach(net.context(m));
    m.rc.onCharter(net.chain);
    net.members.push(m);
    net.online.add(m.peerId);
  }
  const [a, b, c] = net.members as [Member, Member, Member];
  return [net, a, b, c];
}

function note(net: Net, version: number, previous: string | null, text: string): Note {
  return { federationId: net.chain.federationId, version, previous, text };
}

describe('ReplicatedChain', () => {
  describe('when one member of a threshold-2 federation proposes', () => {
    it('is pending everywhere and applied nowhere, until a second member co-signs', async () => {
      const [net, a, b, c] = await federation(2);
      const n1 = note(net, 1, null, 'first');
      const info = await a.rc.offer(noteEnvelope(n1, [a.peerId]), 'local');
      expect(info.status.complete).toBe(false);
      for (const m of [a, b, c]) {
        expect(m.rc.version).toBe(0);
        expect(m.rc.pending.ids()).toEqual([noteDigest(n1)]);
      }
      // co-sign by a unique prefix of the digest, as the CLI does
      const signed = await b.rc.sign(noteDigest(n1).slice(7, 19));
      expect(signed.status.complete).toBe(true);
      await settle();
      for (const m of [a, b, c]) {
        expect(m.rc.version).toBe(1);
        expect(m.rc.head()?.digest).toBe(noteDigest(n1));
        expect(m.rc.pending.size).toBe(0);
        expect(m.leaves.map((l) => JSON.parse(l).kind)).toEqual(['note.accepted']);
        expect(m.events.some((e) => e.event === 'note:applied')).toBe(true);
        // every member's receipt, gossiped
        expect([...m.rc.receipts().keys()].sort()).toEqual([a.peerId, b.peerId, c.peerId].sort());
      }
    });
  });

  describe('when this node already signed an object for a version', () => {
    it('refuses to sign a different one for that version (ERR_PROPOSAL_PENDING)', async () => {
      const [net, a] = await federation(2);
      await a.rc.offer(noteEnvelope(note(net, 1, null, 'one'), [a.peerId]), 'local');
      const rival = note(net, 1, null, 'other');
      expect(await codeOf(() => a.rc.assertNoConflict(1, noteDigest(rival)))).toBe('ERR_PROPOSAL_PENDING');
      // the same object again is no conflict
      expect(await codeOf(() => a.rc.assertNoConflict(1, noteDigest(note(net, 1, null, 'one'))))).toBe('no error');
    });
  });

  describe('when a complete rival of the held version arrives by sync', () => {
    it('rejects it as a fork, keeps it as evidence, audits it and keeps the head', async () => {
      const [net, a, b, c] = await federation(1);
      const n1 = note(net, 1, null, 'kept');
      await a.rc.offer(noteEnvelope(n1, [a.peerId]), 'local');
      await settle();
      const rival = noteEnvelope(note(net, 1, null, 'rival'), [b.peerId, c.peerId]);
      const reply = await a.sync.serve(noteObject.encodeSync({ type: 'objects', envelopes: [rival] }), b.peerId);
      expect(noteObject.decodeSync(reply).type).toBe('hello');
      await settle();
      expect(a.rc.head()?.digest).toBe(noteDigest(n1));
      expect(a.rc.rejected()).toEqual({ ERR_POLICY_FORK: 1 });
      expect(a.rc.forks()).toEqual([rival]);
      expect(a.events.some((e) => e.event === 'note:fork')).toBe(true);
      expect(a.leaves.map((l) => JSON.parse(l).kind)).toContain('note.fork');
    });
  });

  describe('when gossip carries a bad object', () => {
    it('rejects a forged signature and ignores (and pulls on) a version past the next', async () => {
      const [net, a, b] = await federation(1);
      const forged = noteEnvelope(note(net, 1, null, 'x'), [b.peerId]);
      (forged.signatures[0] as { sig: string }).sig = 'forged';
      const msg = (env: unknown) =>
        ({ type: 'note', sender: b.peerId, body: { envelope: env } }) as unknown as GossipMessage;
      const v1 = objectGossipVerdict(a.rc, msg(forged), b.peerId, (p) => net.pulls.push(p));
      expect(v1.result).toBe('reject');
      const ahead = noteEnvelope(note(net, 3, 'sha256:00', 'ahead'), [b.peerId]);
      const v2 = objectGossipVerdict(a.rc, msg(ahead), b.peerId, (p) => net.pulls.push(p));
      expect(v2.result).toBe('ignore');
      expect(net.pulls).toEqual([b.peerId]);
      expect(a.rc.rejected()).toEqual({ ERR_BAD_SIGNATURE: 1, ERR_POLICY_GAP: 1 });
      expect(a.events.filter((e) => e.event === 'note:rejected').map((e) => e.fields?.via)).toEqual([
        'gossip',
        'gossip',
      ]);
    });
  });

  describe('when a member was offline during two versions', () => {
    it('catches up by sync: hello, pull both versions as one run, receipts', async () => {
      const [net, a, b, c] = await federation(1);
      net.online.delete(c.peerId);
      const n1 = note(net, 1, null, 'one');
      await a.rc.offer(noteEnvelope(n1, [a.peerId]), 'local');
      await settle();
      const n2 = note(net, 2, noteDigest(n1), 'two');
      await b.rc.offer(noteEnvelope(n2, [b.peerId]), 'local');
      await settle();
      expect(c.rc.version).toBe(0);
      net.online.add(c.peerId);
      await c.sync.syncWith(a.peerId);
      await settle();
      expect(c.rc.version).toBe(2);
      expect(c.rc.head()?.digest).toBe(noteDigest(n2));
      expect(c.leaves.map((l) => JSON.parse(l).version)).toEqual([1, 2]);
      expect(c.rc.receipts().has(a.peerId)).toBe(true);
    });
  });

  describe('when the module has no receipts (the optional parts, as the charter uses them)', () => {
    const { receipts: _none, ...bare } = noteObject;
    const noReceipts: ReplicatedObject<Note> = { ...bare, completeGossipKind: 'note-complete' };

    it('applies, issues and keeps no receipt, publishes a complete object under its own kind', async () => {
      const [net, a, b, c] = await federation(1, noReceipts);
      const n1 = note(net, 1, null, 'one');
      await a.rc.offer(noteEnvelope(n1, [a.peerId]), 'local');
      await settle();
      for (const m of [a, b, c]) {
        expect(m.rc.version).toBe(1);
        expect(m.rc.receipts().size).toBe(0);
        expect(m.leaves.map((l) => JSON.parse(l).kind)).toEqual(['note.accepted']);
      }
      expect(net.published).toEqual(['note-complete']);
    });

    it('syncs without asking for receipts, answers an empty list, and refuses receipt gossip', async () => {
      const [net, a, b, c] = await federation(1, noReceipts);
      net.online.delete(c.peerId);
      await a.rc.offer(noteEnvelope(note(net, 1, null, 'one'), [a.peerId]), 'local');
      await settle();
      net.online.add(c.peerId);
      await c.sync.syncWith(a.peerId);
      await settle();
      expect(c.rc.version).toBe(1);
      expect(net.requests).toEqual(['hello', 'get']);
      const reply = await a.sync.serve(noReceipts.encodeSync({ type: 'get-receipts' }), b.peerId);
      expect(noReceipts.decodeSync(reply)).toEqual({ type: 'receipts', envelopes: [] });
      const msg = { type: 'note-receipt', sender: b.peerId, body: { envelope: {} } } as unknown as GossipMessage;
      const v = receiptGossipVerdict(a.rc, msg, b.peerId);
      expect(v.result).toBe('reject');
      expect(a.rc.rejected()).toEqual({ ERR_MALFORMED_GOSSIP: 1 });
    });
  });

  describe('when the module admits received proposals and sets deadlines (admit, localCodes, deadlineOf)', () => {
    const until = '2026-01-01T00:30:00.000Z';
    const strict: ReplicatedObject<Note> = {
      ...noteObject,
      localCodes: ['ERR_PROPOSAL_LIMIT'],
      deadlineOf: (n) => (n.text.startsWith('until ') ? n.text.slice(6) : undefined),
      admit: (s) => {
        if (s.object.text === 'too many') throw new GovfedError('ERR_PROPOSAL_LIMIT', 'over the limit here');
      },
    };
    const gossip = (sender: string, env: unknown) =>
      ({ type: 'note', sender, body: { envelope: env } }) as unknown as GossipMessage;

    it('refuses a received proposal before storing it; rejects its signer, ignores a forwarder', async () => {
      const [net, a, b, c] = await federation(2, strict);
      const env = noteEnvelope(note(net, 1, null, 'too many'), [a.peerId]);
      expect(objectGossipVerdict(b.rc, gossip(a.peerId, env), a.peerId, () => {}).result).toBe('reject');
      expect(objectGossipVerdict(b.rc, gossip(a.peerId, env), c.peerId, () => {}).result).toBe('ignore');
      expect(await codeOf(b.rc.offer(env, 'sync', a.peerId))).toBe('ERR_PROPOSAL_LIMIT');
      expect(b.rc.pending.size).toBe(0);
      // a proposal made here is the operator's: not admitted, kept
      await c.rc.offer(noteEnvelope(note(net, 1, null, 'too many'), [c.peerId]), 'local');
      expect(c.rc.pending.size).toBe(1);
    });

    it("keeps a proposal until its signed deadline, not the module's TTL from receipt", async () => {
      const [net, a, b] = await federation(2, strict);
      await a.rc.offer(noteEnvelope(note(net, 1, null, `until ${until}`), [a.peerId]), 'local');
      await settle();
      expect(b.rc.pending.values().map((p) => p.expiresAt)).toEqual([until]);
      await a.rc.offer(noteEnvelope(note(net, 2, null, 'plain'), [a.peerId]), 'local');
      const plain = a.rc.pending.values().find((p) => p.expiresAt !== until);
      expect(plain?.expiresAt).toBe(new Date(net.clock + noteObject.proposalTtlMs).toISOString());
    });
  });

  describe('when the owner watches pending proposals (the join-window hooks)', () => {
    it('hears each stored or grown proposal, local or not, and each one that leaves', async () => {
      const seen = new Map<string, string[]>();
      const log = (m: Member, line: string) => seen.set(m.peerId, [...(seen.get(m.peerId) ?? []), line]);
      const [net, a, b] = await federation(2, noteObject, (m) => ({
        onPending: (s, _env, _at, local) => log(m, `pending ${s.signedBy.length} ${local ? 'local' : 'received'}`),
        onPendingDropped: () => log(m, 'dropped'),
      }));
      await a.rc.offer(noteEnvelope(note(net, 1, null, 'one'), [a.peerId]), 'local');
      await settle();
      expect(seen.get(a.peerId)).toEqual(['pending 1 local']);
      expect(seen.get(b.peerId)).toEqual(['pending 1 received']);
      await b.rc.sign(b.rc.pending.ids()[0] as string);
      await settle();
      expect(a.rc.version).toBe(1);
      expect(seen.get(a.peerId)).toEqual(['pending 1 local', 'dropped']);
      expect(seen.get(b.peerId)).toEqual(['pending 1 received', 'dropped']);
    });
  });
});
