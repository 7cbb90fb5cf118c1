import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Bucket, takeToken, tokenBucketStore } from '../../../node/api/token-bucket.ts';

const MIN = 60_000;

describe('takeToken', () => {
  describe('when a new client comes', () => {
    it('starts with a full bucket: max requests at once, then a refusal with the time to one token', () => {
      let b: Bucket | undefined;
      const currents: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t = takeToken(b, 0, 3, MIN);
        currents.push(t.current);
        b = t.bucket;
      }
      expect(currents).toEqual([1, 2, 3]); // remaining: 2, 1, 0
      const refused = takeToken(b, 0, 3, MIN);
      expect(refused.current).toBe(4); // > max: refused
      expect(refused.ttl).toBe(20_000);
    });
  });

  describe('when time passes', () => {
    it('refills at max per window, never past max', () => {
      const empty: Bucket = { tokens: 0, atMs: 0 };
      expect(takeToken(empty, 19_999, 3, MIN).current).toBe(4);
      expect(takeToken(empty, 19_999, 3, MIN).ttl).toBe(1);
      expect(takeToken(empty, 20_000, 3, MIN).current).toBe(3);
      const later = takeToken(empty, 100 * MIN, 3, MIN);
      expect(later.bucket.tokens).toBe(2);
      expect(later.ttl).toBe(20_000); // until full again
    });

    it('gives nothing for a clock that went back', () => {
      const t = takeToken({ tokens: 0.5, atMs: 10_000 }, 0, 3, MIN);
      expect(t.current).toBe(4);
      expect(t.bucket.tokens).toBe(0.5);
    });
  });

  describe('over any sequence of requests', () => {
    it('allows at most max plus what the elapsed time refilled, and Retry-After is always at least 1 ms', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 1000 }),
          fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 300 }),
          (max, gaps) => {
            let b: Bucket | undefined;
            let now = 0;
            let allowed = 0;
            for (const gap of gaps) {
              now += gap;
              const t = takeToken(b, now, max, MIN);
              if (t.current <= max) allowed++;
              expect(t.ttl).toBeGreaterThanOrEqual(1);
              expect(t.bucket.tokens).toBeGreaterThanOrEqual(0);
              expect(t.bucket.tokens).toBeLessThanOrEqual(max);
              b = t.bucket;
            }
            expect(allowed).toBeLessThanOrEqual(max + Math.floor((now * max) / MIN) + 1);
          },
        ),
      );
    });
  });
});

describe('tokenBucketStore', () => {
  describe('when more clients come than it remembers', () => {
    it('forgets the least recently seen, whose bucket starts full again', () => {
      let now = 0;
      const Store = tokenBucketStore({ maxClients: 2, now: () => now });
      const store = new Store();
      const incr = (key: string) => {
        let out: { current: number; ttl: number } | undefined;
        store.incr(key, (_e, r) => (out = r), MIN, 1);
        return out?.current;
      };
      expect(incr('a')).toBe(1);
      expect(incr('a')).toBe(2); // refused
      now += 1;
      expect(incr('b')).toBe(1);
      expect(incr('a')).toBe(2); // still remembered (and now the most recent)
      expect(incr('c')).toBe(1); // evicts b
      expect(incr('b')).toBe(1); // b starts full again; evicts a
      expect(incr('a')).toBe(1);
    });
  });
});
