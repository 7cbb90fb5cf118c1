/**
 * FreshnessModule over the in-process rig (freshness-rig.ts) with an injected clock: statements signed,
 * gossiped and asked for; the fresh / stale judgement, its events and gauges; attacker-controlled bodies.
 */
import { describe, expect, it, vi } from 'vitest';
import { CHARTER_STATEMENT_GAP_MS, charterStatementGapMs } from '../../../node/federation/statement-gap.ts';
import { addMembers } from '../../../protocol/federation/charter.ts';
import {
  encodeFreshnessRequest,
  encodeFreshnessResponse,
  FRESHNESS_PROTOCOL,
  FRESHNESS_TYPE,
  type FreshnessStatement,
  signFreshness,
} from '../../../protocol/federation/freshness.ts';
import { member, peer, seed, signedBy, T0 } from '../../protocol/federation/fixtures.ts';
import { body, CONFIG, FreshnessRig, type RigNode } from './freshness-rig.ts';

const code = (c: string) => expect.objectContaining({ code: c });

function statementOf(n: RigNode, now: number, over: Partial<FreshnessStatement> = {}): FreshnessStatement {
  return {
    type: FRESHNESS_TYPE,
    federationId: n.chain.federationId,
    org: n.chain.member(n.peerId)?.org as string,
    peerId: n.peerId,
    version: n.chain.version,
    digest: n.chain.head.digest,
    issuedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + CONFIG.lifetimeMs).toISOString(),
    ...over,
  };
}

const status = (n: RigNode) => n.module.status() as Record<string, unknown>;
const events = (n: RigNode, name: string) => n.events.filter((e) => e.event === name);

async function gauge(n: RigNode, name: string): Promise<number | undefined> {
  const m = (await n.registry.getMetricsAsJSON()).find((x) => x.name === name) as
    | { values: { value: number }[] }
    | undefined;
  return m?.values[0]?.value;
}

describe('FreshnessModule', () => {
  describe('when three members gossip their statements', () => {
    it('is fresh on every node, and shows each member’s stated version', async () => {
      const rig = new FreshnessRig(3);
      rig.advance(1000);
      rig.publishAll();
      for (const n of rig.nodes) {
        expect(status(n)).toMatchObject({ fresh: true, stale: false, freshFrom: 3, needed: 2, behind: false });
        expect(n.module.memberStatus(member((n.i + 1) % 3))).toEqual({ statedVersion: 1 });
        expect(n.module.memberStatus(member(n.i))).toEqual({ statedVersion: 1 });
      }
      const s = status(rig.node(0));
      expect(Object.keys(s.members as object).sort()).toEqual(['apac', 'us']);
      expect((s.members as Record<string, unknown>).us).toMatchObject({ version: 1, confirms: true });
      expect(await gauge(rig.node(0), 'govfed_charter_fresh')).toBe(1);
      expect(await gauge(rig.node(0), 'govfed_charter_fresh_members')).toBe(3);
      expect(await gauge(rig.node(0), 'govfed_charter_stale')).toBe(0);
    });
  });

  describe('when a node is cut off from the others', () => {
    it('is unconfirmed once the statements expire, stale after the window, and fresh again when they are back', async () => {
      const rig = new FreshnessRig(3);
      rig.publishAll();
      const eu = rig.node(0);
      expect(eu.module.state().fresh).toBe(true);
      rig.cut.add(0);
      rig.advance(CONFIG.lifetimeMs); // the last statements expire
      rig.publishAll();
      expect(eu.module.state()).toMatchObject({ fresh: false, stale: false, freshFrom: 1 });
      expect(eu.module.health().stale).toBe(false);
      rig.advance(CONFIG.staleAfterMs + 1);
      expect(eu.module.state()).toMatchObject({ fresh: false, stale: true });
      expect(eu.module.health()).toEqual({
        stale: true,
        code: 'ERR_FEDERATION_STALE',
        reason: expect.stringContaining('only 1 of 3'),
      });
      expect(await gauge(eu, 'govfed_charter_stale')).toBe(1);
      expect(await gauge(eu, 'govfed_charter_fresh')).toBe(0);
      expect(events(eu, 'federation:stale')).toHaveLength(1);
      eu.module.state(); // no second event while it stays stale
      expect(events(eu, 'federation:stale')).toHaveLength(1);
      // The others still confirm each other: a majority of them.
      expect(rig.node(1).module.state()).toMatchObject({ fresh: true, stale: false, freshFrom: 2 });

      rig.cut.delete(0);
      await eu.module.onSyncRound([peer(1), peer(2)]); // asks them directly, no interval to wait for
      expect(eu.module.state()).toMatchObject({ fresh: true, stale: false, freshFrom: 3 });
      expect(events(eu, 'federation:fresh')).toEqual([
        { event: 'federation:fresh', fields: expect.objectContaining({ version: 1, freshFrom: 3, needed: 2 }) },
      ]);
    });
  });

  describe('when a node restarts with no statement held', () => {
    it('is confirmed by its first sync round', async () => {
      const rig = new FreshnessRig(3);
      rig.publishAll();
      const old = rig.node(0);
      const fresh = rig.add(0, old.chain);
      expect(fresh.module.state().freshFrom).toBe(1);
      await fresh.module.onSyncRound([peer(1), peer(2)]);
      expect(fresh.module.state()).toMatchObject({ fresh: true, freshFrom: 3 });
    });
  });

  describe('when just started and nobody confirmed yet', () => {
    it('is not fresh but not stale before one window passed', () => {
      const rig = new FreshnessRig(3);
      rig.cut.add(0);
      const eu = rig.add(0, rig.node(0).chain);
      expect(eu.module.state()).toMatchObject({ fresh: false, stale: false, lastFreshAt: null });
      rig.advance(CONFIG.staleAfterMs + 1);
      expect(eu.module.state()).toMatchObject({ fresh: false, stale: true });
    });
  });

  describe('when the federation has one member', () => {
    it('is always fresh', () => {
      const rig = new FreshnessRig(1);
      rig.advance(24 * 3600_000);
      expect(rig.node(0).module.state()).toMatchObject({ fresh: true, stale: false, freshFrom: 1, needed: 1 });
    });
  });

  describe('when a member states a newer charter version', () => {
    it('is behind, asks that member for a sync, and does not count it as fresh', () => {
      const rig = new FreshnessRig(3);
      const us = rig.node(1);
      us.chain.accept(signedBy(addMembers(us.chain.current, [member(3)], T0), [0, 3]));
      rig.advance(CHARTER_STATEMENT_GAP_MS); // past the gap since its statement of version 1
      us.module.onCharter(us.chain); // us signs and gossips a statement of version 2
      const eu = rig.node(0);
      expect(eu.pulls).toContain(peer(1));
      // us's statement does not count; eu and apac still make a majority of version 1's three members.
      expect(eu.module.state()).toMatchObject({ behind: true, newestSeen: 2, fresh: true, freshFrom: 2 });
      expect(eu.module.state().reason).toContain('states version 2');
      expect(eu.module.memberStatus(member(1))).toEqual({ statedVersion: 2 });
    });
  });

  describe('when charter versions come back to back', () => {
    /** A rig of `n` on fake timers, past the statement gap; `fromUs` counts us's statements eu judged. */
    function burst(n: number, test: (t: ReturnType<typeof burstRig>) => void): void {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const t = burstRig(n);
      try {
        test(t);
      } finally {
        t.us.module.stop();
        vi.useRealTimers();
      }
    }
    function burstRig(n: number) {
      const rig = new FreshnessRig(n);
      const [eu, us] = [rig.node(0), rig.node(1)];
      rig.advance(charterStatementGapMs(n));
      const fromUs = () => eu.verdicts.filter((v) => v.from === us.peerId).length;
      /** Rig clock and timers both move by `ms`. */
      const advance = (ms: number) => {
        rig.advance(ms);
        vi.advanceTimersByTime(ms);
      };
      return { eu, us, fromUs, advance };
    }

    it('states the first at once, then once per gap for the head of that moment', () => {
      burst(3, ({ eu, us, fromUs, advance }) => {
        const before = fromUs();
        us.chain.accept(signedBy(addMembers(us.chain.current, [member(3)], T0), [0, 3]));
        us.module.onCharter(us.chain);
        expect(fromUs()).toBe(before + 1); // after a quiet gap: at once
        us.module.onCharter(us.chain);
        us.module.onCharter(us.chain);
        expect(fromUs()).toBe(before + 1); // within the gap: one waits, for both
        advance(CHARTER_STATEMENT_GAP_MS);
        expect(fromUs()).toBe(before + 2);
        expect(eu.module.memberStatus(member(1))).toEqual({ statedVersion: 2 });
      });
    });

    it('in a federation of 20, states the head of a burst once per 5 s', () => {
      burst(20, ({ us, fromUs, advance }) => {
        const before = fromUs();
        us.module.onCharter(us.chain);
        expect(fromUs()).toBe(before + 1);
        us.module.onCharter(us.chain);
        advance(CHARTER_STATEMENT_GAP_MS);
        expect(fromUs()).toBe(before + 1); // 2 s is not enough at 20 members
        advance(3000);
        expect(fromUs()).toBe(before + 2);
      });
    });
  });

  describe('when a member answers a freshness request with something else than its own statement', () => {
    it('counts the answer as rejected, with its code, and does not count it as fresh', async () => {
      const rig = new FreshnessRig(3);
      const [eu, us, apac] = [rig.node(0), rig.node(1), rig.node(2)];
      const fresh = rig.add(0, eu.chain);
      rig.advance(10);
      const apacs = signFreshness(statementOf(apac, rig.now), seed(2));
      rig.answers.set(1, () => encodeFreshnessResponse(apacs)); // us relays apac's statement
      rig.answers.set(2, () => new TextEncoder().encode('{"extra":1,"type":"freshness"}'));
      await fresh.module.onSyncRound([us.peerId, apac.peerId]);
      expect(fresh.rejects).toEqual([
        { via: 'request', code: 'ERR_UNKNOWN_SIGNER', action: 'reject' },
        { via: 'request', code: 'ERR_MALFORMED_FRESHNESS', action: 'reject' },
      ]);
      expect(fresh.module.state().freshFrom).toBe(1);
    });
  });

  describe('when a gossip body is hostile', () => {
    const rig = new FreshnessRig(3);
    const [eu, us, apac] = [rig.node(0), rig.node(1), rig.node(2)];

    it('does not count a statement of our version with a forged digest', () => {
      expect(eu.module.state().freshFrom).toBe(3);
      rig.advance(1);
      const forged = signFreshness(statementOf(us, rig.now, { digest: `sha256:${'ee'.repeat(32)}` }), seed(1));
      expect(rig.gossipTo(eu, us, body(forged))).toEqual({ result: 'accept' });
      expect(eu.module.state()).toMatchObject({ freshFrom: 2 }); // eu and apac, not us
      expect(status(eu).members).toMatchObject({ us: { version: 1, confirms: false } });
    });
    it('ignores an expired statement with ERR_FRESHNESS_EXPIRED', () => {
      const old = signFreshness(statementOf(apac, rig.now - 120_000), seed(2));
      expect(rig.gossipTo(eu, apac, body(old))).toEqual({ result: 'ignore', error: code('ERR_FRESHNESS_EXPIRED') });
    });
    it('ignores a statement from the future with ERR_CLOCK_SKEW', () => {
      const future = signFreshness(statementOf(apac, rig.now + 120_000), seed(2));
      expect(rig.gossipTo(eu, apac, body(future))).toEqual({ result: 'ignore', error: code('ERR_CLOCK_SKEW') });
    });
    it('rejects another member’s statement relayed by a sender with ERR_UNKNOWN_SIGNER', () => {
      const theirs = signFreshness(statementOf(apac, rig.now), seed(2));
      expect(rig.gossipTo(eu, us, body(theirs))).toEqual({ result: 'reject', error: code('ERR_UNKNOWN_SIGNER') });
    });
    it('rejects a statement signed by another key than the member’s with ERR_UNKNOWN_SIGNER', () => {
      const s = statementOf(apac, rig.now);
      const env = { ...signFreshness({ ...s, peerId: peer(1), org: 'us' }, seed(1)) };
      const swapped = signFreshness(s, seed(2));
      const bad = { ...swapped, signatures: env.signatures };
      expect(rig.gossipTo(eu, apac, body(bad)).result).toBe('reject');
    });
    it('rejects a body that is not {envelope} with ERR_MALFORMED_GOSSIP', () => {
      expect(rig.gossipTo(eu, us, { envelope: 1, more: 2 })).toEqual({
        result: 'reject',
        error: code('ERR_MALFORMED_GOSSIP'),
      });
      expect(rig.gossipTo(eu, us, { envelope: { payloadType: 'x' } }).result).toBe('reject');
    });
    it('keeps only a newer statement per member (a replayed older one is ignored)', () => {
      const first = signFreshness(statementOf(apac, rig.now), seed(2));
      const later = signFreshness(statementOf(apac, rig.now + 500), seed(2));
      rig.advance(500);
      expect(rig.gossipTo(eu, apac, body(later))).toEqual({ result: 'accept' });
      expect(rig.gossipTo(eu, apac, body(first))).toEqual({ result: 'ignore', error: undefined });
    });
    it('answers a malformed request frame with ERR_MALFORMED_FRESHNESS', async () => {
      const handle = eu.module.protocols[FRESHNESS_PROTOCOL]?.handle;
      await expect(handle?.(new TextEncoder().encode('{"type":"get-all"}'), peer(1))).rejects.toThrow(
        code('ERR_MALFORMED_FRESHNESS'),
      );
      const ok = await handle?.(encodeFreshnessRequest(), peer(1));
      expect(new TextDecoder().decode(ok)).toContain('"type":"freshness"');
    });
  });
});
