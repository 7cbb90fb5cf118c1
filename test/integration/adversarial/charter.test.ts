/**
 * Attacks on the charter chain by a compromised member and by outsiders, against real daemons a, b, c
 * (honest) and m (compromised: its daemon is stopped and a hostile libp2p client plays it with m's own
 * peer key). Thresholds: admission 1, charter 3 — as in issue 20's reproduction.
 *
 *   1. log-key swap: m admits a throwaway peer and rewrites b's `logKey` in the same change, signed by
 *      m and the throwaway, pushed as a complete charter (gossip and sync) — a `charter` change needing
 *      3 signatures and b's own: ERR_THRESHOLD_NOT_MET on every honest node.
 *   2. join window abuse: m's proposal admitting outsider x (threshold met: admission 1) opens a window,
 *      but in it x can only do what joining needs over sync: `get-charters` refused, its gossip refused.
 *   3. proposal flood: 60 proposals from m — at most MAX_PENDING_PER_SIGNER_VERSION kept, the rest
 *      refused with ERR_PROPOSAL_LIMIT, nothing logged, state.json hardly grows.
 *   4. expired invite: a invites d (ttl 60 s) at the start. After expiry, d's own node refuses the
 *      invite with `expiresAt` edited in the file (ERR_INVITE_EXPIRED: the signed expiry counts); a
 *      patched invitee (d's key) can no longer connect; the complete admission (signed by a and d)
 *      relayed by m is refused by every honest node with ERR_PROPOSAL_EXPIRED.
 *   5. one signature opens no window: with admission 2, m's one-signature proposal admitting outsider y
 *      leaves y unable to connect to any honest node.
 * Each: refused with a typed reason on every honest node (GET /v1/federation `rejected`), nothing
 * stored (charters and proposals in state.json, audit log size), m's gossipsub score on the honest
 * nodes drops (GET /metrics govfed_gossip_peer_score).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../../protocol/canonical/jcs.ts';
import { fromUtf8 } from '../../../protocol/encoding/bytes.ts';
import {
  addMembers,
  addSignature,
  type Charter,
  CharterChain,
  charterDigest,
  charterOf,
  type Envelope,
  encodeSyncMessage,
  envelopeBody,
  GOSSIP_KINDS,
  helloFor,
  nextCharter,
  peerIdFromSeed,
  SYNC_PROTOCOL,
  signCharter,
} from '../../../protocol/federation/index.ts';
import { adminPost, type FedNode, fedStatus, startFedNode, waitFor, waitForVersion } from '../../helpers/federation.ts';
import { freshPeerKey, HostileClient, peerKeyOfHome } from '../../helpers/hostile.ts';
import {
  chartersOf,
  connectHostile,
  currentCharter,
  federateWith,
  rejected,
  scoreOn,
  stored,
  tearDown,
} from './setup.ts';

const INVITE_TTL_S = 60;
/** gossipsub's graylist threshold (node/p2p/pubsub.ts). */
const GRAYLIST = -300;
/** Daemon start timeout: five daemons on a loaded machine. */
/** DEADLINE_SKEW_MS (node/federation/pending.ts) and a margin. */
const AFTER_EXPIRY_MS = 10_000 + 3_000;

let a: FedNode;
let b: FedNode;
let c: FedNode;
let m: FedNode;
let d: FedNode;
let federationId = '';
let h: HostileClient; // plays m
let invite = '';
let invitedAt = 0;
const clients: HostileClient[] = [];
const honest = () => [a, b, c];

beforeAll(async () => {
  // one at a time: five daemons starting at once on a loaded machine can miss the start timeout
  a = await startFedNode('a', 'DE');
  b = await startFedNode('b', 'FR');
  c = await startFedNode('c', 'IT');
  m = await startFedNode('m', 'NL');
  d = await startFedNode('d', 'ES');
  federationId = await federateWith([a, b, c, m], { charter: 3 });
  // a invites d now, so that the invite has expired when test 4 runs.
  const inv = (await adminPost(a, '/v1/federation/invites', {
    org: 'd',
    peerId: d.init.peerId,
    jurisdiction: 'ES',
    logKey: d.init.verifierKey,
    witnessKey: d.init.witnessKey,
    ttlSeconds: INVITE_TTL_S,
  })) as { invite: string };
  invite = inv.invite;
  invitedAt = Date.now();
  await m.daemon.stop();
  h = await start(await peerKeyOfHome(m.home));
  await connectHostile(h, honest(), GOSSIP_KINDS, ['charter']);
}, 600_000);

afterAll(() => tearDown([a, b, c, m, d], clients));

async function start(peerKey?: Uint8Array): Promise<HostileClient> {
  const x = await HostileClient.start({ federationId, peerKey: peerKey ?? (await freshPeerKey()) });
  clients.push(x);
  return x;
}

async function addressOf(n: FedNode): Promise<string> {
  return (await fedStatus(n)).addresses[0] as string;
}

/** What "nothing stored" compares: the charters and proposals in state.json, and the audit log size. */
async function snapshot(n: FedNode): Promise<{ charters: unknown; proposals: unknown; logSize: number }> {
  const s = await stored(n);
  const state = JSON.parse(s.state) as { charters: unknown; proposals: unknown };
  return { charters: state.charters, proposals: state.proposals, logSize: s.logSize };
}

/** Gossips `env` as a charter from m and pushes it by sync to every honest node (each push is refused). */
async function pushCharter(env: Envelope, version: number): Promise<void> {
  await h.gossip('charter', envelopeBody(env), { charterVersion: version });
  const frame = encodeSyncMessage({ type: 'charters', envelopes: [env] });
  for (const n of honest()) {
    await expect(h.request(n.init.peerId, SYNC_PROTOCOL, frame, { timeoutMs: 5000 })).rejects.toThrow();
  }
}

/** Pushes proposal `env` from m to every honest node by sync; resolves with how many were refused. */
async function pushProposal(env: Envelope): Promise<number> {
  const frame = encodeSyncMessage({ type: 'proposal', envelope: env });
  let refused = 0;
  for (const n of honest()) {
    await h.request(n.init.peerId, SYNC_PROTOCOL, frame, { timeoutMs: 5000 }).catch(() => refused++);
  }
  return refused;
}

/** Waits until every honest node counts more refusals with `code` than in `before`. */
async function refusedEverywhere(before: Record<string, number>[], code: string, atLeast = 1): Promise<void> {
  await waitFor(`every honest node to refuse with ${code}`, async () => {
    const now = await Promise.all(honest().map(rejected));
    return now.every((r, i) => (r[code] ?? 0) - (before[i]?.[code] ?? 0) >= atLeast);
  });
}

async function scores(peer: string): Promise<number[]> {
  return await Promise.all(honest().map(async (n) => (await scoreOn(n, peer)) ?? 0));
}

/** Waits until every honest node's gossipsub score of `peer` is negative (scores refresh each heartbeat). */
async function penalised(peer: string): Promise<void> {
  await waitFor(`${peer}'s score to drop below 0 on every honest node`, async () =>
    (await scores(peer)).every((s) => s < 0),
  );
}

function freshSeed(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}

function later(ms: number): string {
  return new Date(Date.now() + ms).toISOString();
}

describe("a member's log key swapped under the admission threshold", () => {
  describe("when m admits a throwaway peer and rewrites b's logKey in the same change", () => {
    it('is a charter change: refused with ERR_THRESHOLD_NOT_MET on every honest node, nothing stored', async () => {
      const cur = await currentCharter(h, a.init.peerId);
      const victim = cur.members.find((x) => x.org === 'b');
      expect(victim?.logKey).toBe(b.init.verifierKey);
      const throwaway = freshSeed();
      const members = cur.members.map((x) => (x.org === 'b' ? { ...x, logKey: 'b+deadbeef+Zm9yZ2VkIGxvZyBrZXk=' } : x));
      members.push({ org: 'zz-throwaway', peerId: peerIdFromSeed(throwaway), jurisdiction: 'NL' });
      const next = nextCharter(cur, { createdAt: new Date().toISOString(), members });
      const env = addSignature(signCharter(next, h.seed), throwaway);
      const before = await Promise.all(honest().map(rejected));
      const kept = await Promise.all(honest().map(snapshot));
      await pushCharter(env, cur.version);
      await refusedEverywhere(before, 'ERR_THRESHOLD_NOT_MET', 2); // the gossip and the sync push
      for (const [i, n] of honest().entries()) {
        const s = await fedStatus(n);
        expect(s.charterVersion).toBe(cur.version);
        expect(s.members.find((x) => x.org === 'b')?.logKey).toBe(b.init.verifierKey);
        expect(s.members.some((x) => x.org === 'zz-throwaway')).toBe(false);
        expect(await snapshot(n)).toEqual(kept[i]);
      }
      await penalised(h.peerId);
    }, 60_000);
  });
});

describe('a join window opened for an outsider', () => {
  describe("when m's proposal (threshold met) admits outsider x and x connects in its window", () => {
    it('gives x only what joining needs over sync: get-charters refused; no gossip to x, none read from x', async () => {
      const x = await start();
      for (const k of GOSSIP_KINDS) x.subscribe(k);
      const chain = CharterChain.fromEnvelopes(federationId, await chartersOf(h, a.init.peerId));
      const cur = chain.current;
      const p = signCharter(
        addMembers(
          cur,
          [{ org: 'x', peerId: x.peerId, jurisdiction: 'NL' }],
          new Date().toISOString(),
          later(3600_000),
        ),
        h.seed,
      );
      const id = charterDigest(charterOf(p));
      expect(await pushProposal(p)).toBe(0);
      await waitFor('every honest node to hold the proposal', async () =>
        (await Promise.all(honest().map(fedStatus))).every((s) => s.proposals.some((q) => q.id === id)),
      );
      const before = await Promise.all(honest().map(rejected));
      for (const n of honest()) {
        await x.dial(await addressOf(n));
        // hello is what joining needs; the chain is not (x's invite would carry it).
        const hello = await x.request(n.init.peerId, SYNC_PROTOCOL, encodeSyncMessage(helloFor(chain)));
        expect(hello.length).toBeGreaterThan(0);
        const getCharters = encodeSyncMessage({ type: 'get-charters', from: 1 });
        await expect(x.request(n.init.peerId, SYNC_PROTOCOL, getCharters, { timeoutMs: 5000 })).rejects.toThrow();
      }
      await refusedEverywhere(before, 'ERR_UNKNOWN_SIGNER');
      // No gossip reaches x in its window: no honest node tells x its subscriptions (gossipsub opens no
      // stream to a non-member) nor learns x's (x's stream is held unread), so none grafts x or
      // forwards to it — not even a valid new proposal that every honest node takes and relays.
      await new Promise((r) => setTimeout(r, 1500)); // subscriptions would have been exchanged by now
      const q = signCharter(
        addMembers(
          cur,
          [{ org: 'x2', peerId: peerIdFromSeed(freshSeed()), jurisdiction: 'NL' }],
          new Date().toISOString(),
          later(3600_000),
        ),
        h.seed,
      );
      const qid = charterDigest(charterOf(q));
      await h.gossip('proposal', envelopeBody(q), { charterVersion: cur.version });
      await waitFor('every honest node to take the new proposal', async () =>
        (await Promise.all(honest().map(fedStatus))).every((s) => s.proposals.some((r) => r.id === qid)),
      );
      await new Promise((r) => setTimeout(r, 3000)); // heartbeats: grafts, IHAVE, forwards
      const honestIds = honest().map((n) => n.init.peerId);
      expect(x.received.filter((r) => honestIds.includes(r.from)).map((r) => `${r.kind} from ${r.from}`)).toEqual([]);
      for (const k of GOSSIP_KINDS) expect(x.subscribers(k).filter((p) => honestIds.includes(p))).toEqual([]);
      // What x publishes is never even read: its gossipsub stream is held until it is a member.
      const gossiped = await Promise.all(honest().map(rejected));
      const own = signCharter(
        addMembers(
          cur,
          [{ org: 'x3', peerId: peerIdFromSeed(freshSeed()), jurisdiction: 'NL' }],
          new Date().toISOString(),
          later(3600_000),
        ),
        x.seed,
      );
      await x.gossip('proposal', envelopeBody(own), { charterVersion: cur.version });
      await new Promise((r) => setTimeout(r, 3000));
      expect(await Promise.all(honest().map(rejected))).toEqual(gossiped);
      const ownId = charterDigest(charterOf(own));
      for (const s of await Promise.all(honest().map(fedStatus)))
        expect(s.proposals.some((r) => r.id === ownId)).toBe(false);
    }, 90_000);
  });
});

describe('a flood of charter proposals from one member', () => {
  describe('when m sends 60 different proposals for the next version, by sync and by gossip', () => {
    it('keeps at most 2 per signer and version, refuses the rest with ERR_PROPOSAL_LIMIT, logs none', async () => {
      const cur = await currentCharter(h, a.init.peerId);
      const before = await Promise.all(honest().map(rejected));
      const kept = await Promise.all(honest().map(snapshot));
      const sizes = await Promise.all(honest().map(async (n) => (await stored(n)).state.length));
      const scored = await scores(h.peerId);
      for (let i = 0; i < 60; i++) {
        const newcomer = { org: `flood-${i}`, peerId: peerIdFromSeed(freshSeed()), jurisdiction: 'NL' };
        const p = signCharter(addMembers(cur, [newcomer], new Date().toISOString(), later(3600_000)), h.seed);
        await pushProposal(p);
        await h.gossip('proposal', envelopeBody(p), { charterVersion: cur.version });
      }
      // m is penalised for the gossip copies: graylisted (below -300), the rest of its gossip dropped unread
      await waitFor("m's score to fall below the graylist threshold on every honest node", async () => {
        const now = await scores(h.peerId);
        if (!now.every((s) => s < GRAYLIST)) throw new Error(`scores ${scored} → ${now}`);
        return true;
      });
      // by sync every one is judged
      await refusedEverywhere(before, 'ERR_PROPOSAL_LIMIT', 58);
      for (const [i, n] of honest().entries()) {
        const s = (await fedStatus(n)) as unknown as { proposals: { signedBy: string[]; version: number }[] };
        const fromM = s.proposals.filter((q) => q.signedBy.includes(h.peerId) && q.version === cur.version + 1);
        expect(fromM.length).toBeLessThanOrEqual(2);
        const now = await snapshot(n);
        expect(now.charters).toEqual(kept[i]?.charters);
        expect(now.logSize).toBe(kept[i]?.logSize); // received proposals are not logged
        expect((await stored(n)).state.length - (sizes[i] as number)).toBeLessThan(8 * 1024);
      }
    }, 90_000);
  });
});

describe('an invite edited after it expired', () => {
  describe('when d edits expiresAt in its invite file after the signed expiry and joins', () => {
    it('is refused by its own node (ERR_INVITE_EXPIRED), by the inviter (no connection) and by every member', async () => {
      await new Promise((r) =>
        setTimeout(r, Math.max(0, invitedAt + INVITE_TTL_S * 1000 + AFTER_EXPIRY_MS - Date.now())),
      );
      const file = JSON.parse(invite) as { expiresAt: string; proposal: Envelope };
      expect(charterOf(file.proposal).expiresAt).toBe(file.expiresAt); // the expiry is inside what a signed
      const edited = fromUtf8(canonicalBytes({ ...file, expiresAt: later(24 * 3600_000) }));
      // d's own node: the signed expiry counts.
      const res = await d.daemon.fetch('/v1/federation/join', {
        method: 'POST',
        token: d.adminToken,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ invite: edited }),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('ERR_INVITE_EXPIRED');
      expect((await fedStatus(d)).federated).toBe(false);

      const before = await Promise.all(honest().map(rejected));
      const kept = await Promise.all(honest().map(snapshot));
      // A patched invitee (d's key) signs anyway: its join window has closed everywhere.
      const patched = await start(await peerKeyOfHome(d.home));
      await patched.dial(await addressOf(a)).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 500));
      expect(patched.connected(a.init.peerId)).toBe(false);
      // The complete admission (a's and d's signatures), relayed by the compromised member m.
      const complete = addSignature(file.proposal, patched.seed);
      const cur = await currentCharter(h, a.init.peerId);
      expect(charterOf(complete).version).toBe(cur.version + 1);
      await pushCharter(complete, cur.version);
      await refusedEverywhere(before, 'ERR_PROPOSAL_EXPIRED'); // the sync push (m's gossip is graylisted by now)
      for (const [i, n] of honest().entries()) {
        const s = await fedStatus(n);
        expect(s.charterVersion).toBe(cur.version);
        expect(s.members.some((x) => x.org === 'd')).toBe(false);
        expect(await snapshot(n)).toEqual(kept[i]);
      }
      await penalised(h.peerId);
    }, 120_000);
  });
});

describe('a join window from one signature', () => {
  describe("when admission needs 2 and m's one-signature proposal admits outsider y", () => {
    it('opens no window: y cannot connect to any honest node', async () => {
      // Raise the admission threshold to 2 (a charter change: a, b and c sign).
      const proposed = (await adminPost(b, '/v1/federation/thresholds', { admission: 2 })) as {
        proposal?: { id?: string; version?: number };
      };
      const id = proposed.proposal?.id as string;
      const version = proposed.proposal?.version as number;
      for (const n of [a, c]) {
        await waitFor(`${n.org} to hold b's proposal`, async () =>
          (await fedStatus(n)).proposals.some((q) => q.id === id),
        );
        await adminPost(n, '/v1/federation/proposals/sign', { id });
      }
      await waitForVersion(honest(), version);
      const y = await start();
      const cur: Charter = await currentCharter(h, a.init.peerId);
      expect(cur.thresholds.admission).toBe(2);
      const p = signCharter(
        addMembers(
          cur,
          [{ org: 'y', peerId: y.peerId, jurisdiction: 'NL' }],
          new Date().toISOString(),
          later(3600_000),
        ),
        h.seed,
      );
      const pid = charterDigest(charterOf(p));
      expect(await pushProposal(p)).toBe(0);
      await waitFor('every honest node to hold the proposal', async () =>
        (await Promise.all(honest().map(fedStatus))).every((s) => s.proposals.some((q) => q.id === pid)),
      );
      const before = await Promise.all(honest().map(rejected));
      for (const n of honest()) {
        await y.dial(await addressOf(n)).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 500));
        expect(y.connected(n.init.peerId)).toBe(false);
      }
      await refusedEverywhere(before, 'ERR_UNKNOWN_SIGNER');
    }, 90_000);
  });
});
