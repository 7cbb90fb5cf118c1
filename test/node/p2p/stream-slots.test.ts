import { describe, expect, it } from 'vitest';
import { StreamSlots } from '../../../node/p2p/stream-slots.ts';
import { codeOf } from '../../helpers/async.ts';

/** Acquires a slot of ('p', '/x') and notes `name` in `order` when it is granted. */
async function inLine(slots: StreamSlots, order: string[], name: string): Promise<() => void> {
  const release = await slots.acquire('p', '/x', 1000);
  order.push(name);
  return release;
}

describe('StreamSlots', () => {
  it('lets `max` exchanges of one peer and protocol run; the next waits until one ends, in order', async () => {
    const slots = new StreamSlots(2);
    const a = await slots.acquire('p', '/x', 1000);
    const b = await slots.acquire('p', '/x', 1000);
    const order: string[] = [];
    const c = inLine(slots, order, 'c');
    const d = inLine(slots, order, 'd');
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual([]);
    expect(slots.inFlight('p', '/x')).toEqual({ active: 2, waiting: 2 });
    // Another peer, or another protocol, has slots of its own.
    (await slots.acquire('q', '/x', 1000))();
    (await slots.acquire('p', '/y', 1000))();
    a();
    const rc = await c;
    expect(order).toEqual(['c']);
    // A newcomer cannot take a slot handed to a waiter: d is still first in line.
    const e = inLine(slots, order, 'e');
    b();
    (await d)();
    rc();
    (await e)();
    expect(order).toEqual(['c', 'd', 'e']);
    expect(slots.inFlight('p', '/x')).toEqual({ active: 0, waiting: 0 });
  });

  it('gives up a wait past its deadline with ERR_PEER_UNAVAILABLE, and the slot count stays right', async () => {
    const slots = new StreamSlots(1);
    const a = await slots.acquire('p', '/x', 1000);
    expect(await codeOf(slots.acquire('p', '/x', 30))).toBe('ERR_PEER_UNAVAILABLE');
    expect(slots.inFlight('p', '/x')).toEqual({ active: 1, waiting: 0 });
    a();
    a(); // a second release is a no-op
    expect(slots.inFlight('p', '/x')).toEqual({ active: 0, waiting: 0 });
    (await slots.acquire('p', '/x', 30))();
  });
});
