import { describe, expect, it } from 'vitest';
import type { CharterChain } from '../../../protocol/federation/chain.ts';
import { federationId, nextCharter } from '../../../protocol/federation/charter.ts';
import { baselineDigest } from '../../../protocol/policy/baseline.ts';
import { PolicyChain } from '../../../protocol/policy/chain.ts';
import { makeGenesis, signedBy } from '../federation/fixtures.ts';
import { bundle, FED, federation, LATER, rule, signed, T0, T0_MS } from './fixtures.ts';

const code = (c: string) => expect.objectContaining({ code: c });

/** Versions 1..3 of a baseline, each signed by two members. */
function history() {
  const b1 = bundle(1, null);
  const b2 = bundle(2, b1, { rules: [rule('true', { id: 'two' })] });
  const b3 = bundle(3, b2, { rules: [rule('false', { id: 'three' })] });
  return { b1, b2, b3, envs: [signed(b1, [0, 1]), signed(b2, [1, 2]), signed(b3, [3, 4])] };
}

function applied(n: number) {
  const h = history();
  const chain = new PolicyChain(FED);
  for (const env of h.envs.slice(0, n)) chain.accept(env, federation(), T0_MS);
  return { chain, ...h };
}

describe('PolicyChain', () => {
  describe('when bundles arrive in order with enough signatures', () => {
    it('applies each one', () => {
      const { chain, b3 } = applied(3);
      expect(chain.version).toBe(3);
      expect(chain.current?.bundle).toEqual(b3);
      expect(chain.current?.digest).toBe(baselineDigest(b3));
      expect(chain.versions().map((e) => e.version)).toEqual([1, 2, 3]);
      expect(chain.since(2).map((e) => e.version)).toEqual([2, 3]);
    });

    it('starts empty', () => {
      const chain = new PolicyChain(FED);
      expect(chain.version).toBe(0);
      expect(chain.current).toBeUndefined();
      expect(chain.isExpired(T0_MS)).toBe(false);
    });
  });

  describe('when a held bundle arrives again (replay)', () => {
    it('is a duplicate', () => {
      const { chain, envs } = applied(2);
      expect(chain.accept(envs[0]!, federation(), T0_MS).status).toBe('duplicate');
      expect(chain.accept(envs[1]!, federation(), T0_MS).status).toBe('duplicate');
      expect(chain.version).toBe(2);
    });
  });

  describe('when a bundle is rejected', () => {
    it('rejects a lower version with another digest (rollback)', () => {
      const { chain, b1 } = applied(3);
      const old = bundle(2, b1, { rules: [] });
      expect(() => chain.accept(signed(old, [0, 1]), federation(), T0_MS)).toThrow(code('ERR_POLICY_ROLLBACK'));
    });

    it('rejects a wrong previous hash', () => {
      const { chain, b1 } = applied(2);
      const wrong = bundle(3, b1);
      expect(() => chain.accept(signed(wrong, [0, 1]), federation(), T0_MS)).toThrow(code('ERR_POLICY_PREVIOUS'));
    });

    it('rejects a version that skips ahead (gap)', () => {
      const { chain, envs } = applied(1);
      expect(() => chain.accept(envs[2]!, federation(), T0_MS)).toThrow(code('ERR_POLICY_GAP'));
    });

    it('rejects too few member signatures', () => {
      const { chain, b2 } = applied(2);
      const b3 = bundle(3, b2);
      expect(() => chain.accept(signed(b3, [0]), federation(), T0_MS)).toThrow(code('ERR_POLICY_THRESHOLD'));
    });

    it('rejects a non-member signature', () => {
      const { chain, b2 } = applied(2);
      expect(() => chain.accept(signed(bundle(3, b2), [0, 1, 7]), federation(), T0_MS)).toThrow(
        code('ERR_UNKNOWN_SIGNER'),
      );
    });

    it('rejects a bundle that already expired', () => {
      const { chain, b2 } = applied(2);
      expect(() => chain.accept(signed(bundle(3, b2), [0, 1]), federation(), Date.parse(LATER))).toThrow(
        code('ERR_POLICY_EXPIRED'),
      );
    });

    it('rejects another federation', () => {
      const chain = new PolicyChain(federationId(makeGenesis([7])));
      expect(() => chain.accept(signed(bundle(1, null), [0, 1]), federation(), T0_MS)).toThrow(
        code('ERR_FEDERATION_MISMATCH'),
      );
    });

    it('stays where it was after each rejection', () => {
      const { chain, b2 } = applied(2);
      expect(() => chain.accept(signed(bundle(3, b2), [0]), federation(), T0_MS)).toThrow();
      expect(chain.version).toBe(2);
      expect(chain.current?.digest).toBe(baselineDigest(b2));
    });
  });

  describe('when a second fully signed bundle has the current version (fork)', () => {
    it('throws ERR_POLICY_FORK, keeps ours and records the evidence', () => {
      const { chain, b1, b2 } = applied(2);
      const twin = bundle(2, b1, { rules: [] });
      expect(() => chain.accept(signed(twin, [3, 4]), federation(), T0_MS)).toThrow(code('ERR_POLICY_FORK'));
      expect(chain.current?.digest).toBe(baselineDigest(b2));
      expect(chain.forks()).toHaveLength(1);
      expect(chain.forks()[0]?.version).toBe(2);
    });

    it('treats an under-signed twin as a threshold failure, not a fork', () => {
      const { chain, b1 } = applied(2);
      expect(() => chain.accept(signed(bundle(2, b1, { rules: [] }), [3]), federation(), T0_MS)).toThrow(
        code('ERR_POLICY_THRESHOLD'),
      );
      expect(chain.forks()).toHaveLength(0);
    });
  });

  describe('isExpired', () => {
    describe('when the clock passes expiresAt', () => {
      it('turns true', () => {
        const { chain } = applied(1);
        expect(chain.isExpired(T0_MS)).toBe(false);
        expect(chain.isExpired(Date.parse(LATER))).toBe(true);
      });
    });
  });

  describe('fromEnvelopes', () => {
    describe('when given stored envelopes (some expired by now)', () => {
      it('rebuilds the chain, verifying each', () => {
        const { envs, b3 } = history();
        const chain = PolicyChain.fromEnvelopes(FED, envs, federation());
        expect(chain.current?.bundle).toEqual(b3);
      });
    });

    describe('when the stored chain is out of order or repeats', () => {
      it('throws', () => {
        const { envs } = history();
        expect(() => PolicyChain.fromEnvelopes(FED, [envs[1]!], federation())).toThrow(code('ERR_POLICY_GAP'));
        expect(() => PolicyChain.fromEnvelopes(FED, [envs[0]!, envs[0]!], federation())).toThrow(
          code('ERR_POLICY_GAP'),
        );
      });
    });
  });
});

/** The five-member federation after a charter change that raised the policy threshold to 3. */
function raised(): CharterChain {
  const chain = federation();
  const v2 = nextCharter(chain.current, { createdAt: T0, thresholds: { policy: 3 } });
  chain.accept(signedBy(v2, [0, 1, 2, 3, 4]));
  return chain;
}

/** Versions 1..3: 1 and 2 signed by two members (policy threshold 2 then), 1 long expired. */
function oldHistory(headSigners: readonly number[]) {
  const b1 = bundle(1, null, { expiresAt: '2025-01-02T00:00:00Z' });
  const b2 = bundle(2, b1, { rules: [rule('true', { id: 'two' })] });
  const b3 = bundle(3, b2, { rules: [rule('false', { id: 'three' })] });
  return { b1, b2, b3, envs: [signed(b1, [0, 1]), signed(b2, [1, 2]), signed(b3, headSigners)] };
}

const TEN_DAYS_LATER = T0_MS + 10 * 86_400_000;

describe('PolicyChain.acceptRun (catching up)', () => {
  describe('when old versions expired and were signed under a lower threshold, and the newest is fully signed today', () => {
    it('takes every version and applies the newest', () => {
      const { b3, envs } = oldHistory([0, 1, 2]);
      const chain = new PolicyChain(FED);
      const taken = chain.acceptRun(envs, raised(), TEN_DAYS_LATER);
      expect(taken.map((e) => e.version)).toEqual([1, 2, 3]);
      expect(chain.version).toBe(3);
      expect(chain.current?.digest).toBe(baselineDigest(b3));
    });

    it('rejects the same versions one by one (the first has expired, the second lacks signatures)', () => {
      const { envs } = oldHistory([0, 1, 2]);
      const chain = new PolicyChain(FED);
      expect(() => chain.accept(envs[0]!, raised(), TEN_DAYS_LATER)).toThrow(code('ERR_POLICY_THRESHOLD'));
      expect(() => chain.accept(envs[0]!, federation(), TEN_DAYS_LATER)).toThrow(code('ERR_POLICY_EXPIRED'));
    });
  });

  describe('when the newest version lacks signatures under today’s charter', () => {
    it('takes nothing (ERR_POLICY_THRESHOLD)', () => {
      const { envs } = oldHistory([0, 1]);
      const chain = new PolicyChain(FED);
      expect(() => chain.acceptRun(envs, raised(), TEN_DAYS_LATER)).toThrow(code('ERR_POLICY_THRESHOLD'));
      expect(chain.version).toBe(0);
    });
  });

  describe('when an intermediate version does not link to its predecessor', () => {
    it('takes nothing (ERR_POLICY_PREVIOUS)', () => {
      const { b1, envs } = oldHistory([0, 1, 2]);
      const stray = bundle(2, b1, { previous: `sha256:${'0'.repeat(64)}` });
      const chain = new PolicyChain(FED);
      expect(() => chain.acceptRun([envs[0]!, signed(stray, [1, 2]), envs[2]!], raised(), TEN_DAYS_LATER)).toThrow(
        code('ERR_POLICY_PREVIOUS'),
      );
      expect(chain.version).toBe(0);
    });
  });

  describe('when the run leaves a version out', () => {
    it('takes nothing (ERR_POLICY_GAP)', () => {
      const { envs } = oldHistory([0, 1, 2]);
      const chain = new PolicyChain(FED);
      expect(() => chain.acceptRun([envs[0]!, envs[2]!], raised(), TEN_DAYS_LATER)).toThrow(code('ERR_POLICY_GAP'));
      expect(chain.version).toBe(0);
    });
  });

  describe('when the run starts with versions already held', () => {
    it('skips them and takes the rest', () => {
      const { envs } = oldHistory([0, 1, 2]);
      const chain = new PolicyChain(FED);
      chain.accept(envs[0]!, federation(), T0_MS);
      expect(chain.acceptRun(envs, raised(), TEN_DAYS_LATER).map((e) => e.version)).toEqual([2, 3]);
    });
  });
});

describe('PolicyChain.fromEnvelopes after the policy threshold was raised', () => {
  it('reloads when the newest version is fully signed under today’s charter', () => {
    const { envs } = oldHistory([0, 1, 2]);
    expect(PolicyChain.fromEnvelopes(FED, envs, raised()).version).toBe(3);
  });
  it('refuses when it is not (ERR_POLICY_THRESHOLD)', () => {
    const { envs } = oldHistory([0, 1]);
    expect(() => PolicyChain.fromEnvelopes(FED, envs, raised())).toThrow(code('ERR_POLICY_THRESHOLD'));
  });
  it('refuses a stored chain that is not versions 1..n (ERR_POLICY_GAP)', () => {
    const { envs } = oldHistory([0, 1, 2]);
    expect(() => PolicyChain.fromEnvelopes(FED, envs.slice(1), raised())).toThrow(code('ERR_POLICY_GAP'));
  });
});
