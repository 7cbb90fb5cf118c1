import { describe, expect, it } from 'vitest';
import { ServeLimits } from '../../../node/p2p/serve-limits.ts';

const P = '12D3KooWpeer';

describe('ServeLimits', () => {
  describe('when one peer opens more exchanges than allowed', () => {
    it('refuses the surplus with ERR_BACKPRESSURE until one ends; other peers are unaffected', () => {
      const l = new ServeLimits({ maxExchanges: 2 });
      const r1 = l.enter(P);
      l.enter(P);
      expect(() => l.enter(P)).toThrow(expect.objectContaining({ code: 'ERR_BACKPRESSURE' }));
      expect(() => l.enter('12D3KooWother')).not.toThrow();
      r1();
      r1(); // releasing twice frees one place only
      expect(() => l.enter(P)).not.toThrow();
      expect(() => l.enter(P)).toThrow(expect.objectContaining({ code: 'ERR_BACKPRESSURE' }));
    });
  });

  describe('when a peer asks for more response bytes than its budget', () => {
    it('refuses until the window ends', () => {
      const now = { t: 0 };
      const l = new ServeLimits({ budgetBytes: 100, windowMs: 1000, now: () => now.t });
      l.spend(P, 60);
      expect(() => l.spend(P, 60)).toThrow(expect.objectContaining({ code: 'ERR_BACKPRESSURE' }));
      expect(() => l.enter(P)).toThrow(expect.objectContaining({ code: 'ERR_BACKPRESSURE' }));
      now.t = 1000;
      expect(() => l.enter(P)).not.toThrow();
      expect(() => l.spend(P, 100)).not.toThrow();
    });
  });
});
