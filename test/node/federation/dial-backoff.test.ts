import { describe, expect, it } from 'vitest';
import { opensslVerify } from '../../../node/crypto/ed25519.ts';
import { FederationCore } from '../../../node/federation/core.ts';
import {
  DIAL_BACKOFF_BASE_MS,
  DIAL_BACKOFF_MAX_MS,
  DIAL_TIMEOUT_MAX_MS,
  DialBackoff,
  MAX_BACKOFF_PEERS,
} from '../../../node/federation/dial-backoff.ts';
import { peer, seed } from '../../protocol/federation/fixtures.ts';

/** A back-off on a clock the test moves, with a fixed jitter draw. */
function clocked(random = 0.5) {
  const clock = { t: 1_000_000 };
  const b = new DialBackoff({ now: () => clock.t, random: () => random });
  return { b, clock };
}

const failing = async () => new Error('dial timed out');

describe('DialBackoff', () => {
  it('waits 50–100 % of the base after a first failure, doubling per failure in a row up to the max', () => {
    for (const [random, expected] of [
      [0, DIAL_BACKOFF_BASE_MS / 2],
      [0.5, (DIAL_BACKOFF_BASE_MS * 3) / 4],
      [0.999999, DIAL_BACKOFF_BASE_MS],
    ] as const) {
      const { b } = clocked(random);
      b.failed('p');
      expect(b.waitFor('p')).toBe(Math.round(expected));
    }
    const { b } = clocked(0.999999);
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      b.failed('p');
      waits.push(b.waitFor('p'));
    }
    expect(waits).toEqual([2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]);
    expect(Math.max(...waits)).toBe(DIAL_BACKOFF_MAX_MS);
    expect(b.failures('p')).toBe(8);
  });

  it('refuses a background re-dial while backed off (ERR_PEER_UNAVAILABLE at once, no dial), then dials when it ends', async () => {
    const { b, clock } = clocked();
    let dials = 0;
    const attempt = async () => {
      dials += 1;
      return new Error('refused');
    };
    const redial = { timeoutMs: 1000, perAddressMs: 1000, background: true };
    expect(await b.dial('p', redial, attempt)).toBeInstanceOf(Error);
    expect(dials).toBe(1);
    const backedOff = (await b.dial('p', redial, attempt)) as { code?: string };
    expect(backedOff.code).toBe('ERR_PEER_UNAVAILABLE');
    expect(String(backedOff)).toMatch(/not dialled again for 2 s: its last 1 dial\(s\) failed/);
    expect(dials).toBe(1);
    clock.t += b.waitFor('p');
    expect(await b.dial('p', redial, async () => undefined)).toBeUndefined();
    expect(b.failures('p')).toBe(0);
    expect(b.waitFor('p')).toBe(0);
  });

  it('lets a request dial during the back-off (a peer back from a partition answers the first one); its outcome counts', async () => {
    const { b } = clocked();
    await b.dial('p', { timeoutMs: 1000, perAddressMs: 1000, background: true }, failing);
    expect(b.waitFor('p')).toBeGreaterThan(0);
    let dials = 0;
    const failed = await b.dial('p', { timeoutMs: 1000, perAddressMs: 1000 }, async () => {
      dials += 1;
      return new Error('still down');
    });
    expect(String(failed)).toMatch(/still down/);
    expect(b.failures('p')).toBe(2);
    const connects = async () => {
      dials += 1;
      return undefined;
    };
    expect(await b.dial('p', { timeoutMs: 1000, perAddressMs: 1000 }, connects)).toBeUndefined();
    expect(dials).toBe(2);
    expect(b.failures('p')).toBe(0);
  });

  it('keeps other peers out of one peer’s back-off', async () => {
    const { b } = clocked();
    await b.dial('p', { timeoutMs: 10, perAddressMs: 10 }, failing);
    expect(b.waitFor('p')).toBeGreaterThan(0);
    expect(b.waitFor('q')).toBe(0);
    expect(await b.dial('q', { timeoutMs: 10, perAddressMs: 10 }, async () => undefined)).toBeUndefined();
  });

  it('dials a peer once at a time: a second caller waits for the dial under way and gets its outcome', async () => {
    const { b } = clocked();
    let dials = 0;
    let finish: (v: unknown) => void = () => {};
    const attempt = () => {
      dials += 1;
      return new Promise<unknown>((resolve) => {
        finish = resolve;
      });
    };
    const first = b.dial('p', { timeoutMs: 5000, perAddressMs: 5000 }, attempt);
    const second = b.dial('p', { timeoutMs: 5000, perAddressMs: 5000 }, attempt);
    finish(undefined);
    expect(await first).toBeUndefined();
    expect(await second).toBeUndefined();
    expect(dials).toBe(1);
  });

  it('lets a caller that joined a dial under way give up after its own timeout, the dial going on', async () => {
    const b = new DialBackoff();
    let finish: (v: unknown) => void = () => {};
    const owner = b.dial('p', { timeoutMs: 60_000, perAddressMs: 60_000 }, () => new Promise((r) => (finish = r)));
    const joined = (await b.dial('p', { timeoutMs: 30, perAddressMs: 30 }, failing)) as { code?: string };
    expect(joined.code).toBe('ERR_PEER_UNAVAILABLE');
    expect(String(joined)).toMatch(/a dial under way did not connect within 30 ms/);
    finish(undefined);
    expect(await owner).toBeUndefined();
  });

  it('counts a dial that throws as a failure', async () => {
    const { b } = clocked();
    const out = await b.dial('p', { timeoutMs: 10, perAddressMs: 10 }, async () => {
      throw new Error('boom');
    });
    expect(String(out)).toMatch(/boom/);
    expect(b.failures('p')).toBe(1);
  });

  it('gives a background re-dial a per-address timeout doubled per failure in a row, at most the max', async () => {
    const { b, clock } = clocked();
    const seen: Array<[number, number]> = [];
    const attempt = async (total: number, each: number) => {
      seen.push([total, each]);
      return new Error('timed out');
    };
    for (let i = 0; i < 6; i++) {
      await b.dial('p', { timeoutMs: 8000, perAddressMs: 2000, background: true }, attempt);
      clock.t += b.waitFor('p');
    }
    expect(seen.map(([, each]) => each)).toEqual([2000, 4000, 8000, 16000, 30000, 30000]);
    // The whole dial lasts at least one address's timeout.
    expect(seen.map(([total]) => total)).toEqual([8000, 8000, 8000, 16000, 30000, 30000]);
    expect(DIAL_TIMEOUT_MAX_MS).toBe(30000);
    // A request does not grow: its timeouts stand.
    await b.dial('p', { timeoutMs: 5000, perAddressMs: 3000 }, attempt);
    expect(seen.at(-1)).toEqual([5000, 3000]);
  });

  it('ends the back-off on any connection with the peer', () => {
    const { b } = clocked();
    b.failed('p');
    b.failed('p');
    b.connected('p');
    expect(b.waitFor('p')).toBe(0);
    expect(b.failures('p')).toBe(0);
  });

  it('remembers at most MAX_BACKOFF_PEERS peers, forgetting the oldest', () => {
    const { b } = clocked();
    for (let i = 0; i <= MAX_BACKOFF_PEERS; i++) b.failed(`p${i}`);
    expect(b.failures('p0')).toBe(0);
    expect(b.failures('p1')).toBe(1);
    expect(b.failures(`p${MAX_BACKOFF_PEERS}`)).toBe(1);
  });
});

describe('FederationCore.dialKnown', () => {
  function coreWith(dial: (addr: string, timeoutMs: number) => Promise<string>) {
    const core = new FederationCore({
      home: { dir: '/nonexistent', config: { peerId: peer(0) }, peerKey: new Uint8Array() } as never,
      log: { append: async () => [] },
      events: () => {},
      now: () => new Date(),
      syncIntervalMs: 5000,
      registry: undefined,
      store: { save: async () => {} } as never,
      seed: seed(0),
      verify: opensslVerify,
    });
    const connected: string[] = [];
    core.net = { host: { connectedPeers: () => connected, dial }, sync: {}, timer: undefined } as never;
    return { core, connected };
  }

  it('dials the known addresses in turn; after a failure a re-dial waits out the back-off, a request dials', async () => {
    const dialled: Array<[string, number]> = [];
    const { core } = coreWith(async (addr, timeoutMs) => {
      dialled.push([addr, timeoutMs]);
      throw new Error(`no answer from ${addr}`);
    });
    core.addresses[peer(1)] = ['/ip4/127.0.0.1/tcp/1/p2p/x', '/ip4/127.0.0.1/tcp/2/p2p/x'];
    const failure = await core.dialKnown(peer(1), 8000, 2000, true);
    expect(String(failure)).toMatch(/no answer from \/ip4\/127.0.0.1\/tcp\/2/);
    expect(dialled).toEqual([
      ['/ip4/127.0.0.1/tcp/1/p2p/x', 2000],
      ['/ip4/127.0.0.1/tcp/2/p2p/x', 2000],
    ]);
    const again = (await core.dialKnown(peer(1), 8000, 2000, true)) as { code?: string };
    expect(again.code).toBe('ERR_PEER_UNAVAILABLE');
    expect(dialled).toHaveLength(2);
    expect(core.dials.failures(peer(1))).toBe(1);
    await core.dialKnown(peer(1), 5000, 3000);
    expect(dialled.slice(2)).toEqual([
      ['/ip4/127.0.0.1/tcp/1/p2p/x', 3000],
      ['/ip4/127.0.0.1/tcp/2/p2p/x', 3000],
    ]);
    expect(core.dials.failures(peer(1))).toBe(2);
  });

  it('does not dial a connected peer, and says when it knows no address', async () => {
    let dials = 0;
    const { core, connected } = coreWith(async () => {
      dials += 1;
      return 'x';
    });
    connected.push(peer(1));
    expect(await core.dialKnown(peer(1), 1000)).toBeUndefined();
    expect(String(await core.dialKnown(peer(2), 1000))).toMatch(/no known address/);
    expect(dials).toBe(0);
  });
});
