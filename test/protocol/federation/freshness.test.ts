import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../../protocol/canonical/jcs.ts';
import { fromBase64, toBase64 } from '../../../protocol/encoding/bytes.ts';
import { CharterChain } from '../../../protocol/federation/chain.ts';
import { addMembers } from '../../../protocol/federation/charter.ts';
import type { Envelope } from '../../../protocol/federation/envelope.ts';
import { signAsPeer } from '../../../protocol/federation/envelope.ts';
import {
  checkFreshness,
  decodeFreshness,
  encodeFreshness,
  FRESHNESS_PAYLOAD_TYPE,
  FRESHNESS_TYPE,
  type FreshnessStatement,
  freshnessMajority,
  freshnessOf,
  judgeFreshness,
  MAX_FRESHNESS_LIFETIME_MS,
  signFreshness,
  verifyFreshness,
} from '../../../protocol/federation/freshness.ts';
import { makeGenesis, member, ORGS, peer, seed, signedBy, T0 } from './fixtures.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const NOW = Date.parse('2025-01-01T00:10:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** Three founders (eu, us, apac), version 1. */
function chain3(): CharterChain {
  return new CharterChain(signedBy(makeGenesis([0, 1, 2]), [0, 1, 2]));
}

function statement(i: number, chain: CharterChain, over: Partial<FreshnessStatement> = {}): FreshnessStatement {
  return {
    type: FRESHNESS_TYPE,
    federationId: chain.federationId,
    org: ORGS[i] as string,
    peerId: peer(i),
    version: chain.version,
    digest: chain.head.digest,
    issuedAt: iso(NOW - 1000),
    expiresAt: iso(NOW + 5 * 60_000),
    ...over,
  };
}

describe('checkFreshness', () => {
  describe('when well-formed', () => {
    it('round-trips through canonical bytes', () => {
      const s = statement(0, chain3());
      expect(decodeFreshness(encodeFreshness(s))).toEqual(s);
    });
  });
  describe('when a field is wrong', () => {
    it.each([
      ['an unknown field', { extra: 1 }],
      ['the wrong type', { type: 'govfed.charter-freshness/v2' }],
      ['version 0', { version: 0 }],
      ['a digest without sha256:', { digest: 'ab'.repeat(32) }],
      ['a bad timestamp', { issuedAt: '2025-02-30T00:00:00Z' }],
      ['expiresAt before issuedAt', { expiresAt: iso(NOW - 2000) }],
      ['expiresAt equal to issuedAt', { expiresAt: iso(NOW - 1000) }],
      ['a lifetime over the maximum', { expiresAt: iso(NOW - 1000 + MAX_FRESHNESS_LIFETIME_MS + 1) }],
    ])('rejects %s with ERR_MALFORMED_FRESHNESS', (_what, over) => {
      expect(() => checkFreshness({ ...statement(0, chain3()), ...over })).toThrow(code('ERR_MALFORMED_FRESHNESS'));
    });
    it('accepts exactly the maximum lifetime', () => {
      const s = statement(0, chain3(), { expiresAt: iso(NOW - 1000 + MAX_FRESHNESS_LIFETIME_MS) });
      expect(checkFreshness(s)).toEqual(s);
    });
  });
  describe('when the bytes are not canonical', () => {
    it('rejects them with ERR_NOT_CANONICAL', () => {
      const s = statement(0, chain3());
      const bytes = new TextEncoder().encode(JSON.stringify(s, null, 1));
      expect(() => decodeFreshness(bytes)).toThrow(code('ERR_NOT_CANONICAL'));
    });
  });
});

describe('signFreshness', () => {
  it('refuses to sign a statement that names another peer', () => {
    expect(() => signFreshness(statement(1, chain3()), seed(0))).toThrow(code('ERR_INVALID_INPUT'));
  });
  it('makes an envelope whose statement reads back', () => {
    const s = statement(0, chain3());
    expect(freshnessOf(signFreshness(s, seed(0)))).toEqual(s);
  });
});

/** `env` with its payload replaced by `over` applied to the statement, the signature kept. */
function tampered(env: Envelope, over: Partial<FreshnessStatement>): Envelope {
  const s = JSON.parse(new TextDecoder().decode(fromBase64(env.payload))) as FreshnessStatement;
  return { ...env, payload: toBase64(canonicalBytes({ ...s, ...over })) };
}

describe('verifyFreshness', () => {
  const chain = chain3();
  const opts = { now: NOW };

  describe('when valid', () => {
    it('returns the statement', () => {
      const s = statement(1, chain);
      expect(verifyFreshness(signFreshness(s, seed(1)), chain, opts)).toEqual(s);
    });
    it('accepts one that names another version or digest (judged later, not here)', () => {
      const s = statement(1, chain, { version: 7, digest: `sha256:${'cd'.repeat(32)}` });
      expect(verifyFreshness(signFreshness(s, seed(1)), chain, opts)).toEqual(s);
    });
    it('accepts a statement by a member of the version it names who is not in the current charter', () => {
      // The verifier holds v2 (adds latam); a statement of v1 by eu is checked against v1's members.
      const c = chain3();
      c.accept(signedBy(addMembers(c.current, [member(3)], T0), [0, 3]));
      const s = statement(0, c, { version: 1, digest: c.entry(1)?.digest as string });
      expect(verifyFreshness(signFreshness(s, seed(0)), c, opts).version).toBe(1);
      const s3 = statement(3, c, { version: 2 });
      expect(verifyFreshness(signFreshness(s3, seed(3)), c, opts).org).toBe('latam');
    });
  });

  describe('when tampered', () => {
    it('rejects a changed version with ERR_BAD_SIGNATURE', () => {
      const env = signFreshness(statement(1, chain), seed(1));
      expect(() => verifyFreshness(tampered(env, { version: 2 }), chain, opts)).toThrow(code('ERR_BAD_SIGNATURE'));
    });
    it('rejects a changed expiry with ERR_BAD_SIGNATURE', () => {
      const env = signFreshness(statement(1, chain), seed(1));
      const later = tampered(env, { expiresAt: iso(NOW + 10 * 60_000) });
      expect(() => verifyFreshness(later, chain, opts)).toThrow(code('ERR_BAD_SIGNATURE'));
    });
    it('rejects another payload type with ERR_PAYLOAD_TYPE_MISMATCH', () => {
      const env = signAsPeer('application/json', encodeFreshness(statement(1, chain)), seed(1));
      expect(() => verifyFreshness(env, chain, opts)).toThrow(code('ERR_PAYLOAD_TYPE_MISMATCH'));
    });
    it('rejects a second signature with ERR_MALFORMED_ENVELOPE', () => {
      const env = signFreshness(statement(1, chain), seed(1));
      const two = signAsPeer(FRESHNESS_PAYLOAD_TYPE, encodeFreshness(statement(1, chain)), seed(2));
      const both = { ...env, signatures: [...env.signatures, ...two.signatures] };
      expect(() => verifyFreshness(both, chain, opts)).toThrow(code('ERR_MALFORMED_ENVELOPE'));
    });
  });

  describe('when of another federation', () => {
    it('rejects it with ERR_FEDERATION_MISMATCH', () => {
      const s = statement(1, chain, { federationId: 'ab'.repeat(32) });
      expect(() => verifyFreshness(signFreshness(s, seed(1)), chain, opts)).toThrow(code('ERR_FEDERATION_MISMATCH'));
    });
  });

  describe('when the signer is wrong', () => {
    it('rejects a statement naming member eu signed by member us with ERR_UNKNOWN_SIGNER', () => {
      const env = signAsPeer(FRESHNESS_PAYLOAD_TYPE, encodeFreshness(statement(0, chain)), seed(1));
      expect(() => verifyFreshness(env, chain, opts)).toThrow(code('ERR_UNKNOWN_SIGNER'));
    });
    it('rejects a non-member with ERR_UNKNOWN_SIGNER', () => {
      const s = statement(7, chain);
      expect(() => verifyFreshness(signFreshness(s, seed(7)), chain, opts)).toThrow(code('ERR_UNKNOWN_SIGNER'));
    });
    it("rejects a member's peer id under another org with ERR_UNKNOWN_SIGNER", () => {
      const s = statement(1, chain, { org: 'eu' });
      expect(() => verifyFreshness(signFreshness(s, seed(1)), chain, opts)).toThrow(code('ERR_UNKNOWN_SIGNER'));
    });
  });

  describe('when expired or from the future', () => {
    const skewMs = 30_000;
    it('rejects one expired beyond the skew with ERR_FRESHNESS_EXPIRED', () => {
      const s = statement(1, chain, { issuedAt: iso(NOW - 120_000), expiresAt: iso(NOW - skewMs) });
      expect(() => verifyFreshness(signFreshness(s, seed(1)), chain, { now: NOW, skewMs })).toThrow(
        code('ERR_FRESHNESS_EXPIRED'),
      );
    });
    it('accepts one expired within the skew', () => {
      const s = statement(1, chain, { issuedAt: iso(NOW - 120_000), expiresAt: iso(NOW - skewMs + 1) });
      expect(verifyFreshness(signFreshness(s, seed(1)), chain, { now: NOW, skewMs })).toEqual(s);
    });
    it('rejects one issued beyond the skew in the future with ERR_CLOCK_SKEW', () => {
      const s = statement(1, chain, { issuedAt: iso(NOW + skewMs + 1), expiresAt: iso(NOW + 10 * 60_000) });
      expect(() => verifyFreshness(signFreshness(s, seed(1)), chain, { now: NOW, skewMs })).toThrow(
        code('ERR_CLOCK_SKEW'),
      );
    });
  });
});

describe('judgeFreshness', () => {
  const chain = chain3();
  const head = { version: chain.version, digest: chain.head.digest };
  const members = [peer(0), peer(1), peer(2)];
  const judge = (statements: FreshnessStatement[], over: { members?: string[]; now?: number } = {}) =>
    judgeFreshness({ head, members: over.members ?? members, self: peer(0), statements, now: over.now ?? NOW });

  describe('when a single member', () => {
    it('is always fresh', () => {
      expect(judge([], { members: [peer(0)] })).toMatchObject({ fresh: true, freshFrom: 1, needed: 1 });
    });
  });
  describe('when it says until when it holds', () => {
    it('is the expiry of the confirmation the majority rests on', () => {
      const four = [...members, peer(3)];
      const early = statement(1, chain, { expiresAt: iso(NOW + 1000) });
      const late = statement(2, chain, { expiresAt: iso(NOW + 9000) });
      const mid = statement(3, chain, { expiresAt: iso(NOW + 5000) });
      // Three of four needed: this node and two others — fresh until the second-latest of them expires.
      expect(judge([early, late, mid], { members: four }).freshUntil).toBe(NOW + 5000);
      expect(judge([early, late], { members: four }).freshUntil).toBe(NOW + 1000);
      expect(judge([early], { members: four }).freshUntil).toBe(0);
      expect(judge([], { members: [peer(0)] }).freshUntil).toBe(Number.POSITIVE_INFINITY);
    });
  });
  describe('when a majority confirms the head', () => {
    it('is fresh with this node and one other of three', () => {
      expect(judge([statement(1, chain)])).toMatchObject({ fresh: true, freshFrom: 2, needed: 2, behind: false });
    });
    it('needs three of four', () => {
      const four = [...members, peer(3)];
      expect(judge([statement(1, chain)], { members: four })).toMatchObject({ fresh: false, freshFrom: 2, needed: 3 });
      expect(judge([statement(1, chain), statement(3, chain)], { members: four }).fresh).toBe(true);
    });
  });
  describe('when no other member confirms', () => {
    it('is not fresh', () => {
      expect(judge([])).toMatchObject({ fresh: false, freshFrom: 1, needed: 2, newestSeen: 1 });
    });
    it('does not count an expired statement', () => {
      const old = statement(1, chain, { issuedAt: iso(NOW - 60_000), expiresAt: iso(NOW) });
      expect(judge([old]).fresh).toBe(false);
    });
    it('does not count a statement naming the head version with another digest (a fork or a lie)', () => {
      const forged = statement(1, chain, { digest: `sha256:${'ee'.repeat(32)}` });
      expect(judge([forged])).toMatchObject({ fresh: false, freshFrom: 1, behind: false });
    });
    it('does not count an older version (a lagging member)', () => {
      const head2 = { version: 2, digest: `sha256:${'22'.repeat(32)}` };
      const j = judgeFreshness({ head: head2, members, self: peer(0), statements: [statement(1, chain)], now: NOW });
      expect(j).toMatchObject({ fresh: false, freshFrom: 1, newestSeen: 2, behind: false });
    });
    it("does not count non-members, nor this node's own statement twice", () => {
      const j = judge([statement(7, chain), statement(0, chain)]);
      expect(j).toMatchObject({ fresh: false, freshFrom: 1 });
    });
  });
  describe('when a member states a newer version', () => {
    it('is behind, and that statement does not count', () => {
      const ahead = statement(1, chain, { version: 2, digest: `sha256:${'22'.repeat(32)}` });
      expect(judge([ahead])).toMatchObject({ fresh: false, behind: true, newestSeen: 2 });
      expect(judge([ahead]).reason).toContain('version 2');
    });
    it('stays fresh when a majority still confirms the head (one member alone cannot hold it stale)', () => {
      const ahead = statement(1, chain, { version: 2, digest: `sha256:${'22'.repeat(32)}` });
      const four = [...members, peer(3)];
      const j = judge([ahead, statement(2, chain), statement(3, chain)], { members: four });
      expect(j).toMatchObject({ fresh: true, behind: true, freshFrom: 3, needed: 3 });
    });
  });
  describe('for any subset of confirming members', () => {
    it('is fresh exactly when more than half of them (this node included) confirm', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 7 }), fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }), (n, on) => {
          const ms = Array.from({ length: n }, (_, i) => peer(i));
          const st = ms.slice(1).flatMap((_, k) => (on[k + 1] ? [statement(k + 1, chain)] : []));
          const j = judge(st, { members: ms });
          expect(j.freshFrom).toBe(1 + st.length);
          expect(j.needed).toBe(freshnessMajority(n));
          expect(j.fresh).toBe(2 * j.freshFrom > n);
        }),
      );
    });
  });
});
