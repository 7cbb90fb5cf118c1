/**
 * PolicyService with three members in one process (rig.ts): proposing, co-signing, verifiers, conflicts,
 * bad rules, catching up after being offline, restarts. Local rules, expiry and metrics:
 * service-local.test.ts. The multi-process run with real libp2p is test/integration/policy.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { toHex } from '../../../protocol/encoding/bytes.ts';
import { addSignature, nextCharter, peerIdToPublicKey, signCharter } from '../../../protocol/federation/index.ts';
import { recordingVerifier, rejectAll } from '../../helpers/verify.ts';
import { ATTACK } from '../../protocol/policy/costly.ts';
import { BIO, federation, type Member, net, RULE, settle, tearDown } from './rig.ts';

afterEach(tearDown);

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

  describe("when a sync round knows the members' policy heads (node/federation/heads.ts)", () => {
    it('asks nothing of members in the same state, and catches up from one whose head differs', async () => {
      const ms = await federation();
      const [eu, us, apac] = ms as [Member, Member, Member];
      const p1 = await eu.service.propose({ rules: [RULE] });
      await settle();
      await us.service.sign(p1.id.slice(7, 19));
      await settle();
      // Same version, no pending proposal, every member's receipt everywhere: one head.
      const head = eu.service.syncHeads().policy;
      for (const m of ms) expect(m.service.syncHeads().policy, m.org).toEqual(head);
      net.heads = true;
      await eu.service.onSyncRound([us.peerId, apac.peerId]);
      await settle();
      expect(net.requests).toEqual([]);
      // apac misses version 2 (offline): its head differs from eu's, and its round with eu syncs.
      net.online.delete(apac.peerId);
      const p2 = await eu.service.propose({ rules: [] });
      await settle();
      await us.service.sign(p2.id.slice(7, 19));
      await settle();
      expect(eu.service.syncHeads().policy).not.toEqual(apac.service.syncHeads().policy);
      net.online.add(apac.peerId);
      await apac.service.onSyncRound([eu.peerId]);
      await settle();
      expect(apac.service.version).toBe(2);
      expect(net.requests.length).toBeGreaterThan(0);
    });

    it('changes its head with each pending signature and each receipt', async () => {
      const [eu, us] = (await federation()) as [Member, Member, Member];
      const h0 = eu.service.syncHeads().policy;
      const p = await eu.service.propose({ rules: [RULE] });
      await settle();
      const h1 = eu.service.syncHeads().policy;
      expect(h1).not.toEqual(h0);
      expect(us.service.syncHeads().policy).toEqual(h1); // the same pending proposal, one signature
      await us.service.sign(p.id.slice(7, 19));
      await settle();
      const h2 = eu.service.syncHeads().policy;
      expect(h2?.height).toBe(1);
      expect(new Set([h0?.digest, h1?.digest, h2?.digest]).size).toBe(3);
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
});
