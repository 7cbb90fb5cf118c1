/**
 * Withdrawals on the charter module (node/federation/charter-module.ts `withdraw`, withdrawals.ts): a
 * member's signed withdrawal takes its signature out of our copy of a pending change and out of every
 * later copy, so this node never completes a change with a withdrawn signature. Over the in-process
 * rig; the multi-process run is test/integration/federation-members.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { opensslVerify } from '../../../node/crypto/ed25519.ts';
import { MAX_PER_SIGNER, WithdrawalBook } from '../../../node/federation/withdrawals.ts';
import { CharterChain } from '../../../protocol/federation/chain.ts';
import { charterDigest, nextCharter } from '../../../protocol/federation/charter.ts';
import type { Envelope } from '../../../protocol/federation/envelope.ts';
import { envelopeBody, type GossipMessage } from '../../../protocol/federation/index.ts';
import { signWithdrawal } from '../../../protocol/federation/withdrawal.ts';
import { codeOf } from '../../helpers/async.ts';
import { makeGenesis, seed, signedBy, T0 } from '../../protocol/federation/fixtures.ts';
import { charterRig } from './rig.ts';

const NOW = Date.parse('2025-01-01T12:00:00Z');
const LATER = new Date(NOW + 3600_000).toISOString();

/** This node is member 0 of 0..3; any other change needs 3 signatures. */
function setup() {
  const g = makeGenesis([0, 1, 2, 3], { admission: 2, charter: 3 });
  const chain = new CharterChain(signedBy(g, [0, 1, 2, 3]));
  const rig = charterRig(chain, { self: 0, now: NOW });
  const next = nextCharter(g, { createdAt: T0, expiresAt: LATER, thresholds: { policy: 2 } });
  const digest = charterDigest(next);
  const gossip = (kind: string, env: Envelope, sender: string) =>
    rig.module.gossip[kind]?.({ type: kind, sender, body: envelopeBody(env) } as unknown as GossipMessage, sender);
  const withdrawal = (i: number) =>
    signWithdrawal({ federationId: chain.federationId, version: 2, digest, withdrawnAt: T0 }, seed(i));
  return { ...rig, chain, next, digest, gossip, withdrawal };
}

const signers = (env: Envelope | undefined) => env?.signatures.map((s) => s.keyid).sort();

describe('withdrawals on the charter module', () => {
  describe('when a signer of a pending change withdraws', () => {
    it('takes its signature out of our copy, and our signature then does not complete the change', async () => {
      const { rc, module, next, digest, gossip, withdrawal, events } = setup();
      await rc.offer(signedBy(next, [1, 2]), 'gossip');
      expect(rc.pending.get(digest)?.envelope.signatures).toHaveLength(2);
      const w = withdrawal(1);
      expect(gossip('withdrawal', w, w.signatures[0]?.keyid ?? '')?.result).toBe('accept');
      expect(rc.pending.get(digest)?.envelope.signatures).toHaveLength(1);
      expect(events).toContain('federation:withdrawn');
      // Without the withdrawal, our signature would be the third: complete. Now it is two of three.
      const info = await rc.sign(digest);
      expect(info.status.complete).toBe(false);
      expect(info.status.signedBy).toHaveLength(2);
      // A stale copy still carrying the withdrawn signature does not bring it back.
      await rc.offer(signedBy(next, [1, 2]), 'gossip');
      expect(signers(rc.pending.get(digest)?.envelope)).toEqual(signers(signedBy(next, [0, 2])));
      expect(module.withdrawals.signers(digest)?.size).toBe(1);
    });
  });

  describe('when the only member signature of our copy is withdrawn', () => {
    it('drops the copy, and a copy signed only by the withdrawer is refused with ERR_PROPOSAL_WITHDRAWN', async () => {
      const { rc, next, digest, gossip, withdrawal } = setup();
      await rc.offer(signedBy(next, [1]), 'gossip');
      expect(rc.pending.has(digest)).toBe(true);
      const w = withdrawal(1);
      gossip('withdrawal', w, w.signatures[0]?.keyid ?? '');
      expect(rc.pending.has(digest)).toBe(false);
      expect(await codeOf(rc.offer(signedBy(next, [1]), 'gossip'))).toBe('ERR_PROPOSAL_WITHDRAWN');
      expect(rc.pending.has(digest)).toBe(false);
    });
  });

  describe('when a withdrawal is forged, or by a non-member, or heard twice', () => {
    it('rejects the forged and the outsider’s, ignores the repeat, and changes nothing', async () => {
      const { rc, next, digest, gossip, withdrawal } = setup();
      await rc.offer(signedBy(next, [1, 2]), 'gossip');
      const w = withdrawal(1);
      const forged = { ...w, signatures: [{ ...w.signatures[0], sig: withdrawal(2).signatures[0]?.sig ?? '' }] };
      expect(gossip('withdrawal', forged as Envelope, 'x')?.result).toBe('reject');
      expect(gossip('withdrawal', withdrawal(9), 'x')?.result).toBe('reject');
      expect(rc.pending.get(digest)?.envelope.signatures).toHaveLength(2);
      expect(gossip('withdrawal', w, 'x')?.result).toBe('accept');
      expect(gossip('withdrawal', w, 'x')?.result).toBe('ignore');
    });
  });
});

describe('WithdrawalBook', () => {
  describe('when restored from state and the charter moves past the version', () => {
    it('keeps what verifies, then prunes it', () => {
      const { chain, withdrawal, digest } = setup();
      const book = new WithdrawalBook();
      const bad = { ...withdrawal(1), payload: 'AAAA' };
      book.restore([withdrawal(1), bad, withdrawal(9)], chain, opensslVerify);
      expect([...(book.signers(digest) ?? [])]).toHaveLength(1);
      expect(book.list()).toHaveLength(1);
      book.prune({ version: 2 } as CharterChain);
      expect(book.signers(digest)).toBeUndefined();
    });
  });
  describe('when one member sends more than MAX_PER_SIGNER', () => {
    it('keeps only its newest', () => {
      const { chain } = setup();
      const book = new WithdrawalBook();
      for (let i = 0; i < MAX_PER_SIGNER + 3; i++) {
        const d = `sha256:${i.toString(16).padStart(64, '0')}`;
        const w = signWithdrawal({ federationId: chain.federationId, version: 2, digest: d, withdrawnAt: T0 }, seed(1));
        book.take(w, chain, opensslVerify);
      }
      expect(book.list()).toHaveLength(MAX_PER_SIGNER);
    });
  });
});
