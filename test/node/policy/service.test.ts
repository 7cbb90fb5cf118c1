/**
 * PolicyService with three members in one process: the real service, the real protocol/policy and
 * protocol/federation, and an in-memory "network" in place of libp2p (gossip is delivered to every
 * online member, sync requests go straight to the peer's protocol handler). The multi-process run with
 * real libp2p is test/integration/policy.test.ts.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventRecord } from '../../../node/events.ts';
import type { FederationContext } from '../../../node/federation/module.ts';
import type { LoadedHome } from '../../../node/home/load.ts';
import type { AppendItem } from '../../../node/log/index.ts';
import { PolicyService } from '../../../node/policy/service.ts';
import { decodeLeaf, type GovernanceLeaf } from '../../../protocol/audit/leaf.ts';
import { canonicalBytes } from '../../../protocol/canonical/jcs.ts';
import type { Ed25519Verify } from '../../../protocol/crypto/ed25519.ts';
import { toHex } from '../../../protocol/encoding/bytes.ts';
import {
  addSignature,
  CharterChain,
  type GossipMessage,
  genesisCharter,
  nextCharter,
  peerIdFromSeed,
  peerIdToPublicKey,
  signAsPeer,
  signCharter,
} from '../../../protocol/federation/index.ts';
import { recordingVerifier, rejectAll } from '../../helpers/verify.ts';
import { ATTACK } from '../../protocol/policy/costly.ts';

const RULE = {
  id: 'no-biometric-in-eu',
  hook: 'decision',
  effect: 'deny',
  expression: "'biometric' in decision.dataClasses && decision.jurisdiction == 'EU'",
  message: 'biometric data may not be processed in the EU',
};
const BIO = { model: 'face-id@1', output: 'match', dataClasses: ['biometric'], jurisdiction: 'EU' };

interface Member {
  org: string;
  seed: Uint8Array;
  peerId: string;
  peerKey: Uint8Array;
  dir: string;
  leaves: GovernanceLeaf[];
  events: EventRecord[];
  service: PolicyService;
}

class Net {
  readonly members = new Map<string, Member>();
  readonly online = new Set<string>();
  readonly services: PolicyService[] = [];
  chain!: CharterChain;
  seq = 0;
  clock = Date.now();
  /** The Ed25519 verifier injected into each org's service (default: the service's own, opensslVerify). */
  verifiers = new Map<string, Ed25519Verify>();

  context(m: Member): FederationContext {
    return {
      peerId: m.peerId,
      events: (event, fields) => m.events.push({ event, fields } as EventRecord),
      chain: () => this.chain,
      publish: async (kind, body) => {
        if (!this.online.has(m.peerId)) return;
        const msg: GossipMessage = {
          type: kind,
          federationId: this.chain.federationId,
          charterVersion: this.chain.version,
          sender: m.peerId,
          seq: this.seq++,
          sentAt: new Date(this.clock).toISOString(),
          body,
        } as GossipMessage;
        for (const other of this.members.values()) {
          if (other === m || !this.online.has(other.peerId)) continue;
          other.service.gossip[kind]?.(msg, m.peerId);
        }
      },
      request: async (peer, protocol, bytes) => {
        const target = this.members.get(peer);
        if (target === undefined || !this.online.has(peer)) throw new Error(`${peer} is offline`);
        const p = target.service.protocols?.[protocol];
        if (p === undefined) throw new Error(`no protocol ${protocol}`);
        return await p.handle(bytes, m.peerId);
      },
      connectedMembers: () => [...this.online].filter((p) => p !== m.peerId),
      signAsPeer: (payloadType, payload) => signAsPeer(payloadType, payload, m.seed),
      reject: () => {},
    };
  }

  async add(org: string): Promise<Member> {
    const key = await generateKeyPair('Ed25519');
    const seed = key.raw.slice(0, 32);
    const m = {
      org,
      seed,
      peerId: peerIdFromSeed(seed),
      peerKey: privateKeyToProtobuf(key),
      dir: await mkdtemp(join(tmpdir(), `govfed-policy-${org}-`)),
      leaves: [],
      events: [],
    } as unknown as Member;
    this.members.set(m.peerId, m);
    return m;
  }

  /** A PolicyService for `m` over its home dir (again after a "restart"). */
  service(m: Member, registry?: Registry): PolicyService {
    const home = {
      dir: m.dir,
      peerKey: m.peerKey,
      config: { org: m.org, jurisdiction: 'EU', peerId: m.peerId },
    } as unknown as Pick<LoadedHome, 'dir' | 'config' | 'peerKey'>;
    let index = 0;
    const s = new PolicyService({
      home,
      log: {
        append: async (items: readonly AppendItem[]) =>
          items.map((it) => {
            m.leaves.push(decodeLeaf(it.leaf) as GovernanceLeaf);
            return { index: index++, leafHash: new Uint8Array(32) } as never;
          }),
      },
      events: (event, fields) => m.events.push({ event, fields } as EventRecord),
      now: () => new Date(this.clock),
      ...(registry === undefined ? {} : { registry }),
      ...(this.verifiers.has(m.org) ? { verify: this.verifiers.get(m.org) } : {}),
    });
    s.attach(this.context(m));
    m.service = s;
    this.services.push(s);
    return s;
  }
}

let net: Net;

/** Three members, charter with policy threshold 2, every service started and online. */
async function federation(policy = 2, verifiers: Record<string, Ed25519Verify> = {}): Promise<Member[]> {
  net = new Net();
  for (const [org, v] of Object.entries(verifiers)) net.verifiers.set(org, v);
  const ms = [await net.add('eu'), await net.add('us'), await net.add('apac')];
  const g = genesisCharter({
    name: 'test',
    createdAt: new Date(net.clock).toISOString(),
    members: ms.map((m) => ({ org: m.org, peerId: m.peerId, jurisdiction: 'EU' })),
    thresholds: { admission: 1, policy, charter: 1 },
  });
  let env = signCharter(g, (ms[0] as Member).seed);
  for (const m of ms.slice(1)) env = addSignature(env, m.seed);
  net.chain = new CharterChain(env);
  for (const m of ms) {
    const s = net.service(m);
    await s.start();
    s.onCharter(net.chain);
    net.online.add(m.peerId);
  }
  return ms;
}

/** Lets queued applies (persist, audit, receipt) finish. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 5));
}

afterEach(async () => {
  // every service made for a member (a "restart" makes a second one on the same directory)
  for (const svc of net?.services ?? []) await svc.stop();
  for (const m of net?.members.values() ?? []) await rm(m.dir, { recursive: true, force: true });
});

describe('PolicyService', () => {
  describe('when a bundle is proposed by one member of a threshold-2 federation', () => {
    it('is pending everywhere and applied nowhere', async () => {
      const [eu, us, apac] = await federation();
      const p = await (eu as Member).service.propose({ rules: [RULE] });
      expect(p).toMatchObject({ version: 1, required: 2, complete: false, applied: false });
      expect(p.signedBy).toEqual([(eu as Member).peerId]);
      await settle();
      for (const m of [eu, us, apac] as Member[]) {
        expect(m.service.version).toBe(0);
        expect(m.service.policyStatus().pending.map((x) => x.id)).toEqual([p.id]);
        expect(m.service.evaluate('decision', BIO).allowed).toBe(true);
      }
    });
  });

  describe('when a second member signs', () => {
    it('is applied on every member, enforced, audited and receipted', async () => {
      const ms = await federation();
      const [eu, us] = ms as [Member, Member, Member];
      const p = await eu.service.propose({ rules: [RULE] });
      await settle();
      const signed = await us.service.sign(p.id.slice(7, 19));
      expect(signed).toMatchObject({ complete: true, applied: true });
      await settle();
      for (const m of ms) {
        expect(m.service.version, m.org).toBe(1);
        const v = m.service.evaluate('decision', BIO);
        expect(v).toMatchObject({ allowed: false, policyVersion: 1 });
        expect(v.deny).toEqual([{ rule: RULE.id, message: RULE.message, scope: 'global' }]);
        expect(m.leaves.filter((l) => l.kind === 'policy.bundle').map((l) => l.digest)).toEqual([p.id]);
        expect(m.service.policyStatus().pending).toEqual([]);
      }
      // Every member holds every member's receipt for version 1, naming the bundle.
      for (const m of ms) {
        const members = m.service.policyStatus().members;
        expect(members.map((x) => [x.org, x.version, x.bundleHash])).toEqual([
          ['apac', 1, p.id],
          ['eu', 1, p.id],
          ['us', 1, p.id],
        ]);
      }
    });
  });

  describe('when a verifier is injected (node/crypto opensslVerify in the daemon)', () => {
    it("checks the other members' bundle signatures and receipts with it", async () => {
      const rec = recordingVerifier();
      const ms = await federation(2, { apac: rec.verify });
      const [eu, us, apac] = ms as [Member, Member, Member];
      const p = await eu.service.propose({ rules: [RULE] });
      await settle();
      await us.service.sign(p.id.slice(7, 19));
      await settle();
      expect(apac.service.version).toBe(1);
      const key = (m: Member) => toHex(peerIdToPublicKey(m.peerId));
      expect(rec.keys.has(key(eu)) && rec.keys.has(key(us))).toBe(true);
    });

    it('accepts nothing that its verifier rejects, although the signatures are valid', async () => {
      const ms = await federation(2, { apac: rejectAll });
      const [eu, us, apac] = ms as [Member, Member, Member];
      const p = await eu.service.propose({ rules: [RULE] });
      await settle();
      await us.service.sign(p.id.slice(7, 19));
      await settle();
      expect(eu.service.version).toBe(1);
      expect(apac.service.version).toBe(0);
      expect(apac.service.policyStatus().pending).toEqual([]);
    });
  });

  describe('when this node already signed a bundle for a version', () => {
    it('refuses to sign a different bundle for the same version', async () => {
      const [eu] = (await federation()) as Member[];
      await (eu as Member).service.propose({ rules: [RULE] });
      await expect((eu as Member).service.propose({ rules: [] })).rejects.toThrow(
        expect.objectContaining({ code: 'ERR_PROPOSAL_PENDING' }),
      );
    });
  });

  describe('when a proposal has a malformed rule', () => {
    it('throws ERR_INVALID_RULE and stores nothing', async () => {
      const [eu] = (await federation()) as Member[];
      await expect(
        (eu as Member).service.propose({ rules: [{ ...RULE, expression: "decison.model == 'a'" }] }),
      ).rejects.toThrow(expect.objectContaining({ code: 'ERR_INVALID_RULE' }));
      expect((eu as Member).service.policyStatus().pending).toEqual([]);
    });
  });

  describe('when a proposal has a rule over the cost limit (issue 10: concatenated copies in exists)', () => {
    it('throws ERR_RULE_TOO_COSTLY and stores nothing', async () => {
      const [eu] = (await federation()) as Member[];
      await expect((eu as Member).service.propose({ rules: [ATTACK] })).rejects.toThrow(
        expect.objectContaining({ code: 'ERR_RULE_TOO_COSTLY', line: 1 }),
      );
      expect((eu as Member).service.policyStatus().pending).toEqual([]);
    });
  });

  describe('when a member was offline during two versions', () => {
    it('catches up by sync', async () => {
      const ms = await federation();
      const [eu, us, apac] = ms as [Member, Member, Member];
      net.online.delete(apac.peerId);
      for (const [proposer, signer] of [
        [eu, us],
        [us, eu],
      ] as const) {
        const p = await proposer.service.propose({ rules: [RULE] });
        await settle();
        await signer.service.sign(p.id);
        await settle();
      }
      expect(eu.service.version).toBe(2);
      expect(apac.service.version).toBe(0);
      net.online.add(apac.peerId);
      await apac.service.onSyncRound([eu.peerId]);
      await settle();
      expect(apac.service.version).toBe(2);
      expect(apac.service.show().digest).toBe(eu.service.show().digest);
      expect(apac.events.some((e) => e.event === 'policy:applied' && e.fields.via === 'sync')).toBe(true);
    });
  });

  describe('when a node was offline while old versions expired and the policy threshold rose', () => {
    it('catches up on the whole history by sync, checking the newest version under today’s charter', async () => {
      const ms = await federation(1);
      const [eu, us, apac] = ms as [Member, Member, Member];
      net.online.delete(apac.peerId);
      await eu.service.propose({ rules: [RULE], expiresAt: new Date(net.clock + 60_000).toISOString() });
      await settle();
      expect(eu.service.version).toBe(1); // one signature: threshold 1
      // The members raise the policy threshold to 2; version 1 expires.
      const v2 = nextCharter(net.chain.current, {
        createdAt: new Date(net.clock).toISOString(),
        thresholds: { policy: 2 },
      });
      let env = signCharter(v2, eu.seed);
      for (const m of [us, apac]) env = addSignature(env, m.seed);
      net.chain.accept(env);
      for (const m of ms) m.service.onCharter(net.chain);
      net.clock += 120_000;
      const p = await eu.service.propose({ rules: [RULE, { ...RULE, id: 'second' }] });
      await settle();
      expect(eu.service.version).toBe(1); // one signature no longer suffices
      await us.service.sign(p.id);
      await settle();
      expect(eu.service.version).toBe(2);
      net.online.add(apac.peerId);
      await apac.service.onSyncRound([eu.peerId]);
      await settle();
      // One by one, version 1 would be refused (expired, and one signature under threshold 2).
      expect(apac.service.version).toBe(2);
      expect(apac.service.show().digest).toBe(eu.service.show().digest);
      expect(apac.service.evaluate('decision', BIO).allowed).toBe(false);
      // Both versions are in apac's audit log as history.
      expect(apac.leaves.filter((l) => l.kind === 'policy.bundle')).toHaveLength(2);
    });
  });

  describe('when the node restarts', () => {
    it('enforces the stored baseline before the charter arrives, then re-verifies it', async () => {
      const ms = await federation();
      const [eu, us] = ms as [Member, Member, Member];
      const p = await eu.service.propose({ rules: [RULE] });
      await settle();
      await us.service.sign(p.id);
      await settle();
      await eu.service.stop();
      const again = net.service(eu);
      await again.start();
      expect(again.evaluate('decision', BIO)).toMatchObject({ allowed: false, policyVersion: 1 });
      again.onCharter(net.chain);
      expect(again.show()).toMatchObject({ version: 1, digest: p.id });
      expect(again.policyStatus().members.find((m) => m.org === 'us')?.version).toBe(1);
    });
  });

  describe('when local rules are installed', () => {
    it('adds denials, survives a restart, is audited, and cannot lift a global deny', async () => {
      const ms = await federation(1);
      const [eu] = ms as [Member];
      await eu.service.propose({ rules: [RULE] }); // threshold 1: applied at once
      await settle();
      const local = await eu.service.setLocal({
        rules: [
          { id: 'no-risky', hook: 'decision', effect: 'deny', expression: "decision.model == 'risky'", message: 'no' },
          { ...RULE, expression: 'false' },
        ],
      });
      expect(local.version).toBe(1);
      expect(eu.service.evaluate('decision', { model: 'risky', output: 1 }).deny).toEqual([
        { rule: 'no-risky', message: 'no', scope: 'local' },
      ]);
      expect(eu.service.evaluate('decision', BIO).allowed).toBe(false);
      expect(eu.leaves.map((l) => l.kind)).toContain('policy.local');
      await expect(eu.service.setLocal({ rules: [{ ...RULE, expression: 'decision.model' }] })).rejects.toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_RULE' }),
      );
      expect(eu.service.local().version).toBe(1);
      await eu.service.stop();
      const again = net.service(eu);
      await again.start();
      expect(again.evaluate('decision', { model: 'risky', output: 1 }).allowed).toBe(false);
    });
  });

  describe('when held local rules are over the cost limit (installed before the limit existed)', () => {
    it('still starts and enforces them, each stopped at its runtime budget and denying', async () => {
      const [eu] = (await federation(1)) as Member[];
      const node = eu as Member;
      await node.service.setLocal({ rules: [{ ...ATTACK, expression: 'false' }] });
      await node.service.stop();
      const file = join(node.dir, 'policy', 'state.json');
      const state = JSON.parse(await readFile(file, 'utf8')) as { local: { rules: { expression: string }[] } };
      (state.local.rules[0] as { expression: string }).expression = ATTACK.expression;
      await writeFile(file, JSON.stringify(state));
      const again = net.service(node);
      await again.start();
      const big = { model: 'm', output: 1, dataClasses: ['a', 'b', 'c', 'd'], context: { s: 'a'.repeat(30_000) } };
      expect(again.evaluate('decision', big).deny).toEqual([
        expect.objectContaining({ rule: 'attack', scope: 'local', error: expect.stringContaining('budget') }),
      ]);
      await expect(again.setLocal({ rules: [ATTACK] })).rejects.toThrow(
        expect.objectContaining({ code: 'ERR_RULE_TOO_COSTLY' }),
      );
    });
  });

  describe('when the baseline expires', () => {
    it('still enforces it and says so in every verdict and the status', async () => {
      const [eu] = (await federation(1)) as Member[];
      await (eu as Member).service.propose({
        rules: [RULE],
        expiresAt: new Date(net.clock + 60_000).toISOString(),
      });
      await settle();
      expect((eu as Member).service.evaluate('decision', BIO).expired).toBeUndefined();
      net.clock += 120_000;
      expect((eu as Member).service.evaluate('decision', BIO)).toMatchObject({ allowed: false, expired: true });
      expect((eu as Member).service.policyStatus().self.expired).toBe(true);
    });
  });

  describe('when metrics are registered', () => {
    it('exports the version, expiry, evaluations by verdict and rejections by code', async () => {
      const [eu] = (await federation(1)) as Member[];
      const registry = new Registry();
      const s = net.service(eu as Member, registry);
      await s.start();
      s.onCharter(net.chain);
      await s.propose({ rules: [RULE], expiresAt: new Date(net.clock + 60_000).toISOString() });
      s.evaluate('decision', BIO);
      s.evaluate('decision', { model: 'm', output: 1 });
      s.evaluate('decision', { model: 'm', output: 2 });
      const forged = {
        payloadType: 'application/vnd.govfed.policy+json',
        payload: 'e30=', // {}: not a bundle
        signatures: [{ keyid: (eu as Member).peerId, sig: Buffer.alloc(64).toString('base64') }],
      };
      await s.protocols?.['/govfed/policy/1.0.0']?.handle(
        canonicalBytes({ envelopes: [forged], type: 'policies' }),
        (eu as Member).peerId,
      );
      net.clock += 120_000;
      const text = await registry.metrics();
      expect(text).toMatch(/^govfed_policy_version 1$/m);
      expect(text).toMatch(/^govfed_policy_expired 1$/m);
      expect(text).toMatch(/^govfed_policy_evaluations_total\{verdict="denied"\} 1$/m);
      expect(text).toMatch(/^govfed_policy_evaluations_total\{verdict="allowed"\} 2$/m);
      expect(text).toMatch(/^govfed_policy_rejected_total\{code="ERR_[A-Z_]+"\} 1$/m);
    });
  });

  describe('when the node is in no federation', () => {
    it('proposes nothing (ERR_NO_FEDERATION) but enforces local rules', async () => {
      net = new Net();
      const m = await net.add('solo');
      const s = net.service(m);
      (net as { chain: unknown }).chain = undefined;
      await s.start();
      await expect(s.propose({ rules: [RULE] })).rejects.toThrow(
        expect.objectContaining({ code: 'ERR_NO_FEDERATION' }),
      );
      await s.setLocal({ rules: [RULE] });
      expect(s.evaluate('decision', BIO)).toMatchObject({ allowed: false, policyVersion: null });
    });
  });
});
