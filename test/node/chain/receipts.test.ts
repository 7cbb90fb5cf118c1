/**
 * ReceiptBook (node/chain/receipts.ts) with a counting stand-in for the receipt spec: a receipt is kept
 * when newer than its member's, and a copy of one already held is not verified again (a policy sync
 * answer repeats every receipt).
 */
import { describe, expect, it } from 'vitest';
import type { ReceiptFacts } from '../../../node/chain/object.ts';
import { ReceiptBook } from '../../../node/chain/receipts.ts';
import type { CharterChain, Envelope } from '../../../protocol/federation/index.ts';

const CHARTER = {} as CharterChain;

function receipt(peerId: string, version: number, appliedAt: string, sig = 'c2ln'): Envelope {
  const payload = Buffer.from(JSON.stringify({ peerId, version, appliedAt })).toString('base64');
  return { payloadType: 'application/vnd.govfed.receipt+json', payload, signatures: [{ keyid: peerId, sig }] };
}

function book(): { book: ReceiptBook; verified: Envelope[] } {
  const verified: Envelope[] = [];
  const of = (env: Envelope): ReceiptFacts => ({
    ...JSON.parse(Buffer.from(env.payload, 'base64').toString()),
    digest: 'sha256:00',
    logIndex: 0,
  });
  const spec = {
    verify: (env: Envelope) => {
      verified.push(env);
      if (env.signatures[0]?.sig === 'YmFk') throw new Error('bad signature');
      return of(env);
    },
    of,
  };
  return { book: new ReceiptBook(spec), verified };
}

describe('ReceiptBook.take', () => {
  describe('when a copy of a held receipt comes again', () => {
    it('returns false without verifying it; a newer one is verified and kept', () => {
      const { book: b, verified } = book();
      const r1 = receipt('p1', 1, '2026-01-01T00:00:00Z');
      expect(b.take(r1, CHARTER)).toBe(true);
      expect(b.take(structuredClone(r1), CHARTER)).toBe(false);
      expect(verified).toHaveLength(1);
      const r2 = receipt('p1', 2, '2026-01-02T00:00:00Z');
      expect(b.take(r2, CHARTER)).toBe(true);
      expect(verified).toHaveLength(2);
      expect(b.all().get('p1')).toBe(r2);
    });
  });

  describe('when the same payload comes with another signature', () => {
    it('is verified (and refused when the signature does not check)', () => {
      const { book: b, verified } = book();
      const r1 = receipt('p1', 1, '2026-01-01T00:00:00Z');
      b.take(r1, CHARTER);
      expect(() => b.take({ ...r1, signatures: [{ keyid: 'p1', sig: 'YmFk' }] }, CHARTER)).toThrow('bad signature');
      expect(verified).toHaveLength(2);
      expect(b.all().get('p1')).toBe(r1);
    });
  });
});
