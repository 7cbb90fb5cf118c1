import { describe, expect, it } from 'vitest';
import { verify as pureVerify } from '../../../protocol/crypto/ed25519.ts';
import { toBase64 } from '../../../protocol/encoding/bytes.ts';
import { CharterChain, verifyChain } from '../../../protocol/federation/chain.ts';
import { addMembers, type Charter, federationId, nextCharter } from '../../../protocol/federation/charter.ts';
import type { Envelope } from '../../../protocol/federation/envelope.ts';
import { mergeSignatures } from '../../../protocol/federation/proposal.ts';
import { makeGenesis, member, peer, signedBy, T0 } from './fixtures.ts';

const code = (c: string) => expect.objectContaining({ code: c });

/**
 * The scenario: eu founds alone; us is admitted; thresholds rise to 2; apac, latam, africa and
 * oceania are admitted one at a time, each co-signed by two members and signed by the newcomer.
 */
function formFederation(): { chain: CharterChain; envs: Envelope[]; charters: Charter[] } {
  const g = makeGenesis([0]);
  const chain = new CharterChain(signedBy(g, [0]));
  const envs = [chain.head.envelope];
  const charters = [g];
  const step = (c: Charter, env: Envelope) => {
    expect(chain.accept(env).status).toBe('accepted');
    envs.push(env);
    charters.push(c);
  };
  const v2 = addMembers(g, [member(1)], T0);
  step(v2, signedBy(v2, [0, 1]));
  const v3 = nextCharter(v2, { createdAt: T0, thresholds: { admission: 2, charter: 2 } });
  step(v3, signedBy(v3, [0]));
  let prev = v3;
  for (const i of [2, 3, 4, 5]) {
    const next = addMembers(prev, [member(i)], T0);
    // The inviter signs, a second member co-signs separately, the newcomer signs: merged in any order.
    const env = mergeSignatures(mergeSignatures(signedBy(next, [i]), signedBy(next, [1])), signedBy(next, [0]));
    step(next, env);
    prev = next;
  }
  return { chain, envs, charters };
}

describe('CharterChain', () => {
  describe('when one founder admits four more orgs with the admission threshold raised to 2', () => {
    it('ends at version 7 with six members and co-signed admissions', () => {
      const { chain } = formFederation();
      expect(chain.version).toBe(7);
      expect(chain.current.members).toHaveLength(6);
      expect(chain.current.thresholds).toEqual({ admission: 2, policy: 1, charter: 2 });
      expect(chain.versions().map((e) => e.version)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(chain.head.signedBy).toEqual([peer(0), peer(1), peer(5)].sort());
      expect(chain.isMember(peer(5))).toBe(true);
      expect(chain.isMember(peer(5), 6)).toBe(false);
      expect(chain.isMember(peer(7))).toBe(false);
      expect(chain.member(peer(2))?.org).toBe('apac');
    });
  });

  describe('when an admission has one member signature under admission threshold 2', () => {
    it('throws ERR_THRESHOLD_NOT_MET and stays put', () => {
      const { chain } = formFederation();
      const next = addMembers(chain.current, [member(6)], T0);
      expect(() => chain.accept(signedBy(next, [0, 6]))).toThrow(code('ERR_THRESHOLD_NOT_MET'));
      expect(chain.version).toBe(7);
    });
  });

  describe('when an old version is replayed', () => {
    it('reports a duplicate and does not roll back', () => {
      const { chain, envs } = formFederation();
      const r = chain.accept(envs[2]!);
      expect(r.status).toBe('duplicate');
      expect(r.entry.version).toBe(3);
      expect(chain.version).toBe(7);
    });
  });

  describe('when the current version is offered again', () => {
    it('reports a duplicate', () => {
      const { chain, envs } = formFederation();
      expect(chain.accept(envs[6]!).status).toBe('duplicate');
    });
  });

  describe('when a different, validly signed older version arrives', () => {
    it('throws ERR_CHARTER_STALE', () => {
      const { chain, charters } = formFederation();
      const alt = nextCharter(charters[1]!, { createdAt: '2025-06-01T00:00:00Z' }); // another v3
      expect(() => chain.accept(signedBy(alt, [0]))).toThrow(code('ERR_CHARTER_STALE'));
      expect(chain.forks()).toEqual([]);
    });
  });

  describe('when a validly signed fork at the current version arrives', () => {
    it('throws ERR_CHARTER_FORK, keeps ours current and records both as evidence', () => {
      const { chain, envs, charters } = formFederation();
      const alt = nextCharter(charters[5]!, { createdAt: T0, thresholds: { policy: 2 } }); // another v7
      const altEnv = signedBy(alt, [0, 1]);
      expect(() => chain.accept(altEnv)).toThrow(code('ERR_CHARTER_FORK'));
      expect(() => chain.accept(altEnv)).toThrow(code('ERR_CHARTER_FORK'));
      expect(chain.head.envelope).toEqual(envs[6]);
      expect(chain.forks()).toEqual([{ version: 7, ours: envs[6], theirs: altEnv }]);
    });
  });

  describe('when a forged fork at the current version arrives', () => {
    it('throws the verification error and stores nothing', () => {
      const { chain, charters } = formFederation();
      const alt = nextCharter(charters[5]!, { createdAt: T0, thresholds: { policy: 2 } });
      expect(() => chain.accept(signedBy(alt, [0]))).toThrow(code('ERR_THRESHOLD_NOT_MET'));
      expect(chain.forks()).toEqual([]);
    });
  });

  describe('when a version arrives with a bad signature', () => {
    it('throws ERR_BAD_SIGNATURE', () => {
      const { chain } = formFederation();
      const next = nextCharter(chain.current, { createdAt: T0 });
      const env = signedBy(next, [0, 1]);
      const bad = {
        ...env,
        signatures: [env.signatures[0]!, { ...env.signatures[1]!, sig: toBase64(new Uint8Array(64)) }],
      };
      expect(() => chain.accept(bad)).toThrow(code('ERR_BAD_SIGNATURE'));
    });
  });

  describe('when a version is accepted right after its status was checked', () => {
    /** The federation's chain rebuilt with a verifier that counts its calls. */
    function counted() {
      const { envs } = formFederation();
      let calls = 0;
      const verify: typeof pureVerify = (sig, msg, key) => {
        calls += 1;
        return pureVerify(sig, msg, key);
      };
      const chain = CharterChain.fromEnvelopes(federationId(makeGenesis([0])), envs, { verify });
      return { chain, calls: () => calls };
    }

    it('does not verify the same bytes against the same head twice', () => {
      const { chain, calls } = counted();
      const env = signedBy(nextCharter(chain.current, { createdAt: T0 }), [0, 1]);
      const before = calls();
      expect(chain.proposalStatus(env).complete).toBe(true);
      const status = calls() - before;
      expect(status).toBe(2);
      expect(chain.accept({ ...env, signatures: env.signatures.map((x) => ({ ...x })) }).status).toBe('accepted');
      expect(calls() - before).toBe(status); // an equal copy: nothing verified again
      expect(chain.version).toBe(8);
    });

    it('verifies an envelope whose bytes differ from the checked one, and refuses a bad signature', () => {
      const { chain, calls } = counted();
      const env = signedBy(nextCharter(chain.current, { createdAt: T0 }), [0, 1]);
      expect(chain.proposalStatus(env).complete).toBe(true);
      const bad = {
        ...env,
        signatures: [env.signatures[0]!, { ...env.signatures[1]!, sig: toBase64(new Uint8Array(64)) }],
      };
      const before = calls();
      expect(() => chain.accept(bad)).toThrow(code('ERR_BAD_SIGNATURE'));
      expect(calls()).toBeGreaterThan(before);
      expect(chain.version).toBe(7);
    });

    it('verifies again once the head moved (a fork of the version it was checked for)', () => {
      const { chain, calls } = counted();
      const a = signedBy(nextCharter(chain.current, { createdAt: T0 }), [0, 1]);
      const b = signedBy(nextCharter(chain.current, { createdAt: '2026-02-02T00:00:00Z' }), [0, 1]);
      expect(chain.proposalStatus(a).complete).toBe(true);
      expect(chain.accept(b).status).toBe('accepted');
      const before = calls();
      expect(() => chain.accept(a)).toThrow(code('ERR_CHARTER_FORK'));
      expect(calls()).toBeGreaterThan(before);
      expect(chain.head.digest).not.toBe(chain.versions()[6]!.digest);
    });

    it('still refuses an envelope with an extra field after its valid copy was checked', () => {
      const { chain } = formFederation();
      const env = signedBy(nextCharter(chain.current, { createdAt: T0 }), [0, 1]);
      expect(chain.proposalStatus(env).complete).toBe(true);
      expect(() => chain.accept({ ...env, extra: 1 } as Envelope)).toThrow(code('ERR_MALFORMED_ENVELOPE'));
      expect(chain.version).toBe(7);
    });
  });

  describe('when a version arrives with the wrong previous hash', () => {
    it('throws ERR_CHARTER_PREVIOUS', () => {
      const { chain, charters } = formFederation();
      const next = {
        ...nextCharter(chain.current, { createdAt: T0 }),
        previous: nextCharter(charters[5]!, { createdAt: T0 }).previous,
      };
      expect(() => chain.accept(signedBy(next, [0, 1]))).toThrow(code('ERR_CHARTER_PREVIOUS'));
    });
  });

  describe('when a non-member signs the next version', () => {
    it('throws ERR_UNKNOWN_SIGNER', () => {
      const { chain } = formFederation();
      const next = nextCharter(chain.current, { createdAt: T0 });
      expect(() => chain.accept(signedBy(next, [0, 1, 7]))).toThrow(code('ERR_UNKNOWN_SIGNER'));
    });
  });

  describe('when versions are skipped', () => {
    it('throws ERR_CHARTER_GAP', () => {
      const { envs } = formFederation();
      const fresh = new CharterChain(envs[0]!);
      expect(() => fresh.accept(envs[3]!)).toThrow(code('ERR_CHARTER_GAP'));
      expect(fresh.version).toBe(1);
    });
  });

  describe('when another genesis arrives', () => {
    it('throws ERR_FEDERATION_MISMATCH', () => {
      const { chain } = formFederation();
      expect(() => chain.accept(signedBy(makeGenesis([1]), [1]))).toThrow(code('ERR_FEDERATION_MISMATCH'));
    });
  });

  describe('envelopesFrom', () => {
    it('returns versions from `from` within the count and byte caps', () => {
      const { chain, envs } = formFederation();
      expect(chain.envelopesFrom(5, { maxCount: 100, maxBytes: 1 << 20 })).toEqual(envs.slice(4));
      expect(chain.envelopesFrom(0, { maxCount: 2, maxBytes: 1 << 20 })).toEqual(envs.slice(0, 2));
      const one = JSON.stringify(envs[0]).length;
      expect(chain.envelopesFrom(1, { maxCount: 100, maxBytes: one })).toEqual(envs.slice(0, 1));
      expect(chain.envelopesFrom(8, { maxCount: 100, maxBytes: 1 << 20 })).toEqual([]);
    });
  });
});

describe('verifyChain', () => {
  describe('when given the whole chain and its pinned genesis id', () => {
    it('rebuilds the same chain', () => {
      const { chain, envs } = formFederation();
      const again = verifyChain(chain.federationId, envs);
      expect(again.versions()).toEqual(chain.versions());
      expect(again.federationId).toBe(federationId(makeGenesis([0])));
    });
  });
  describe('when the pinned id is another federation', () => {
    it('throws ERR_FEDERATION_MISMATCH', () => {
      const { envs } = formFederation();
      expect(() => verifyChain(federationId(makeGenesis([1])), envs)).toThrow(code('ERR_FEDERATION_MISMATCH'));
    });
  });
  describe('when a version repeats', () => {
    it('throws ERR_CHARTER_STALE', () => {
      const { chain, envs } = formFederation();
      expect(() => verifyChain(chain.federationId, [...envs.slice(0, 3), envs[2]!])).toThrow(code('ERR_CHARTER_STALE'));
    });
  });
  describe('when a version is missing', () => {
    it('throws ERR_CHARTER_GAP', () => {
      const { chain, envs } = formFederation();
      expect(() => verifyChain(chain.federationId, [envs[0]!, envs[2]!])).toThrow(code('ERR_CHARTER_GAP'));
    });
  });
  describe('when the list is empty', () => {
    it('throws ERR_INVALID_INPUT', () => {
      expect(() => verifyChain('0'.repeat(64), [])).toThrow(code('ERR_INVALID_INPUT'));
    });
  });
});
