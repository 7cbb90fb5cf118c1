import { describe, expect, it, vi } from 'vitest';
import {
  errorText,
  MIN_ROUND_GAP_MS,
  PeerRounds,
  Rejections,
  SerialTail,
  SOON_DELAY_MS,
  shuffle,
} from '../../../node/chain/util.ts';
import { GovfedError } from '../../../protocol/errors.ts';

describe('SerialTail', () => {
  describe('when work is queued', () => {
    it('runs it in order, reports a failure and goes on', async () => {
      const seen: string[] = [];
      const errors: unknown[] = [];
      const tail = new SerialTail((err) => errors.push(err));
      tail.queue(async () => {
        await new Promise((r) => setTimeout(r, 20));
        seen.push('slow first');
      });
      tail.queue(async () => {
        throw new Error('boom');
      });
      tail.queue(async () => {
        seen.push('second');
      });
      await tail.idle();
      expect(seen).toEqual(['slow first', 'second']);
      expect(errors.map((e) => (e as Error).message)).toEqual(['boom']);
    });
  });
});

describe('Rejections', () => {
  it('counts by code, ERR_INTERNAL for an uncoded error, nothing for undefined', () => {
    const r = new Rejections();
    expect(r.add(new GovfedError('ERR_BAD_SIGNATURE', 'x'))).toBe('ERR_BAD_SIGNATURE');
    r.add(new GovfedError('ERR_BAD_SIGNATURE', 'y'));
    expect(r.add(new Error('plain'))).toBe('ERR_INTERNAL');
    expect(r.add(undefined)).toBeUndefined();
    expect(r.snapshot()).toEqual({ ERR_BAD_SIGNATURE: 2, ERR_INTERNAL: 1 });
  });
});

describe('errorText and shuffle', () => {
  it('prefix a coded error with its code; shuffle keeps every item', () => {
    expect(errorText(new GovfedError('ERR_POLICY_GAP', 'behind'))).toBe('ERR_POLICY_GAP: behind');
    expect(errorText(new Error('plain'))).toBe('plain');
    expect(shuffle([1, 2, 3, 4]).sort()).toEqual([1, 2, 3, 4]);
  });
});

describe('PeerRounds', () => {
  describe('when rounds with one peer are asked for again and again (a peer that hangs up on every dial)', () => {
    it('runs one per burst, and starts them at least MIN_ROUND_GAP_MS apart', async () => {
      vi.useFakeTimers();
      try {
        const starts: number[] = [];
        const rounds = new PeerRounds(async () => void starts.push(Date.now()));
        const t0 = Date.now();
        for (let i = 0; i < 5; i++) rounds.soon('p');
        await vi.advanceTimersByTimeAsync(SOON_DELAY_MS);
        expect(starts).toEqual([t0 + SOON_DELAY_MS]);
        for (let step = 0; step < 40; step++) {
          rounds.soon('p');
          await vi.advanceTimersByTimeAsync(SOON_DELAY_MS);
        }
        expect(starts.length).toBeGreaterThanOrEqual(2);
        for (let i = 1; i < starts.length; i++) {
          expect((starts[i] as number) - (starts[i - 1] as number)).toBeGreaterThanOrEqual(MIN_ROUND_GAP_MS);
        }
        rounds.soon('q'); // another peer is not held back
        await vi.advanceTimersByTimeAsync(SOON_DELAY_MS);
        expect(starts.at(-1)).toBe(Date.now());
      } finally {
        vi.useRealTimers();
      }
    });
  });

  describe('when a round with a peer is asked for while one runs', () => {
    it('drops the second, and runs again once the first is over', async () => {
      let runs = 0;
      let release: () => void = () => {};
      const rounds = new PeerRounds(async () => {});
      const slow = rounds.exclusive('p', async () => {
        runs++;
        await new Promise<void>((r) => {
          release = r;
        });
      });
      await rounds.exclusive('p', async () => {
        runs++;
      });
      expect(runs).toBe(1);
      await rounds.exclusive('q', async () => {
        runs++;
      });
      expect(runs).toBe(2);
      release();
      await slow;
      await rounds.exclusive('p', async () => {
        runs++;
      });
      expect(runs).toBe(3);
    });
  });

  describe('soon', () => {
    it('runs a round with the peer shortly after', async () => {
      const seen: string[] = [];
      const rounds = new PeerRounds(async (peer) => {
        seen.push(peer);
      });
      rounds.soon('p');
      expect(seen).toEqual([]);
      await new Promise((r) => setTimeout(r, 80));
      expect(seen).toEqual(['p']);
    });
  });

  describe('soon with a version (a peer said it holds one we lack)', () => {
    /** Rounds over a chain whose version the test moves; `starts` records each round's peer. */
    function rig() {
      const chain = { version: 3 };
      const starts: string[] = [];
      const rounds = new PeerRounds(
        async (peer) => void starts.push(peer),
        (v) => chain.version < v,
      );
      return { chain, starts, rounds };
    }
    const later = async (ms = SOON_DELAY_MS) => vi.advanceTimersByTimeAsync(ms);
    /** Runs `fn` on vitest's fake clock. */
    async function faked(fn: () => Promise<void>): Promise<void> {
      vi.useFakeTimers();
      try {
        await fn();
      } finally {
        vi.useRealTimers();
      }
    }

    it('runs the round when the version has not come by the time it is due', () =>
      faked(async () => {
        const { starts, rounds } = rig();
        rounds.soon('p', 4);
        await later();
        expect(starts).toEqual(['p']);
        expect(rounds.skipped).toBe(0);
      }));

    it('skips it when the version came meanwhile (by gossip), and that skip does not hold the next round back', () =>
      faked(async () => {
        const { chain, starts, rounds } = rig();
        rounds.soon('p', 4);
        chain.version = 4;
        await later();
        expect(starts).toEqual([]);
        expect(rounds.skipped).toBe(1);
        rounds.soon('p', 5); // a newer hint right after: not delayed by MIN_ROUND_GAP_MS
        await later();
        expect(starts).toEqual(['p']);
      }));

    it('asks merged while one is scheduled: the newest version decides, and an ask without one always runs', () =>
      faked(async () => {
        const { chain, starts, rounds } = rig();
        rounds.soon('p', 4);
        rounds.soon('p', 6);
        chain.version = 5; // 4 came, 6 did not
        await later();
        expect(starts).toEqual(['p']);

        rounds.soon('q', 4);
        rounds.soon('q'); // a new connection, say
        chain.version = 9;
        await later();
        expect(starts).toEqual(['p', 'q']);

        rounds.soon('r');
        rounds.soon('r', 4); // a hint does not turn an unconditional ask into a conditional one
        await later();
        expect(starts).toEqual(['p', 'q', 'r']);
        expect(rounds.skipped).toBe(0);
      }));
  });
});
