import { describe, expect, it } from 'vitest';
import { type Component, Lifecycle, LifecycleError } from '../../node/lifecycle.ts';

function recorder(calls: string[], name: string, fail: { start?: boolean; stop?: boolean } = {}): Component {
  return {
    name,
    service: {
      start: async () => {
        calls.push(`start ${name}`);
        if (fail.start) throw new Error(`${name} start failed`);
      },
      afterStart: () => {
        calls.push(`afterStart ${name}`);
      },
      beforeStop: () => {
        calls.push(`beforeStop ${name}`);
      },
      stop: async () => {
        calls.push(`stop ${name}`);
        if (fail.stop) throw new Error(`${name} stop failed`);
      },
      afterStop: () => {
        calls.push(`afterStop ${name}`);
      },
    },
  };
}

describe('Lifecycle', () => {
  describe('when every component starts', () => {
    it('starts in order, then afterStart in order; stops in reverse, each phase for all', async () => {
      const calls: string[] = [];
      const l = new Lifecycle(['a', 'b', 'c'].map((n) => recorder(calls, n)));
      await l.start();
      expect(l.running).toBe(true);
      expect(calls).toEqual(['start a', 'start b', 'start c', 'afterStart a', 'afterStart b', 'afterStart c']);
      calls.length = 0;
      await l.stop();
      expect(l.running).toBe(false);
      expect(calls).toEqual([
        'beforeStop c',
        'beforeStop b',
        'beforeStop a',
        'stop c',
        'stop b',
        'stop a',
        'afterStop c',
        'afterStop b',
        'afterStop a',
      ]);
      calls.length = 0;
      await l.stop();
      expect(calls).toEqual([]);
    });

    it('refuses a second start', async () => {
      const l = new Lifecycle([recorder([], 'a')]);
      await l.start();
      await expect(l.start()).rejects.toBeInstanceOf(LifecycleError);
    });
  });

  describe('when a component fails to start', () => {
    it('stops it and the ones before it, in reverse, never starts the rest, and rethrows', async () => {
      const calls: string[] = [];
      const l = new Lifecycle([recorder(calls, 'a'), recorder(calls, 'b', { start: true }), recorder(calls, 'c')]);
      await expect(l.start()).rejects.toThrow('b start failed');
      expect(calls).toEqual([
        'start a',
        'start b',
        'beforeStop b',
        'beforeStop a',
        'stop b',
        'stop a',
        'afterStop b',
        'afterStop a',
      ]);
      expect(l.running).toBe(false);
    });
  });

  describe('when a component fails to stop', () => {
    it('still stops the others and rethrows the first error', async () => {
      const calls: string[] = [];
      const l = new Lifecycle([
        recorder(calls, 'a', { stop: true }),
        recorder(calls, 'b', { stop: true }),
        recorder(calls, 'c'),
      ]);
      await l.start();
      calls.length = 0;
      await expect(l.stop()).rejects.toThrow('b stop failed');
      expect(calls.filter((c) => c.startsWith('stop') || c.startsWith('afterStop'))).toEqual([
        'stop c',
        'stop b',
        'stop a',
        'afterStop c',
        'afterStop b',
        'afterStop a',
      ]);
    });
  });

  it('refuses two components with one name', () => {
    expect(() => new Lifecycle([recorder([], 'a'), recorder([], 'a')])).toThrow(LifecycleError);
  });
});
