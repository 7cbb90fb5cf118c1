import { describe, expect, it } from 'vitest';
import { OriginQueue } from '../../../node/witness/queue.ts';
import { GovfedError } from '../../../protocol/errors.ts';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('OriginQueue', () => {
  describe('when jobs of one origin overlap', () => {
    it('runs them one after the other, in order, while other origins run alongside', async () => {
      const q = new OriginQueue(() => {});
      const log: string[] = [];
      const job = (name: string, ms: number) => async () => {
        log.push(`${name}+`);
        await tick(ms);
        log.push(`${name}-`);
      };
      const all = [q.enqueue('a', job('a1', 20)), q.enqueue('a', job('a2', 1)), q.enqueue('b', job('b1', 1))];
      expect(q.busy).toBe(2);
      await Promise.all(all);
      expect(log.indexOf('a1-')).toBeLessThan(log.indexOf('a2+'));
      expect(log.indexOf('b1-')).toBeLessThan(log.indexOf('a1-'));
      await tick();
      expect(q.busy).toBe(0);
    });
  });

  describe('when a job throws', () => {
    it('reports the error with its code and runs the next job', async () => {
      const errors: [string, string][] = [];
      const q = new OriginQueue((origin, error) => errors.push([origin, error]));
      let ran = false;
      await q.enqueue('a', async () => {
        throw new GovfedError('ERR_NOT_FOUND', 'gone');
      });
      await q.enqueue('a', async () => {
        ran = true;
      });
      expect(errors).toEqual([['a', 'ERR_NOT_FOUND: gone']]);
      expect(ran).toBe(true);
    });
  });

  describe('settled()', () => {
    it('waits for the work queued so far', async () => {
      const q = new OriginQueue(() => {});
      let done = 0;
      for (const o of ['a', 'b', 'a']) {
        void q.enqueue(o, async () => {
          await tick(10);
          done++;
        });
      }
      await q.settled();
      expect(done).toBe(3);
    });
  });
});
