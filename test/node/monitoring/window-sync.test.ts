import { describe, expect, it } from 'vitest';
import type { FederationContext } from '../../../node/federation/module.ts';
import { WindowBook } from '../../../node/monitoring/window-book.ts';
import { WindowSync } from '../../../node/monitoring/window-sync.ts';
import { canonicalBytes } from '../../../protocol/canonical/jcs.ts';
import type { Envelope } from '../../../protocol/dsse/index.ts';
import { signAsPeer } from '../../../protocol/federation/envelope.ts';
import { peerIdFromSeed } from '../../../protocol/federation/peer-id.ts';
import {
  type MonitorWindow,
  verifyWindow,
  WINDOW_PAYLOAD_TYPE,
  WINDOW_TYPE,
  windowPayload,
} from '../../../protocol/monitoring/statement.ts';
import { encodeWindowsResponse, MONITOR_SYNC_PROTOCOL } from '../../../protocol/monitoring/sync.ts';
import type { RequiredMonitor } from '../../../protocol/registry/contract-terms.ts';
import { BASELINE, CONTRACT, DIGEST, EU_SEED, FED, US_SEED, WINDOW } from '../../helpers/monitor-window.ts';

const OTHER_CONTRACT = `sha256:${'ee'.repeat(32)}`;
const MONITOR: RequiredMonitor = {
  metric: 'psi',
  field: 'output.score',
  threshold: 0.25,
  window: { decisions: 100 },
  onBreach: 'flag',
};

/** A member's node as far as the exchange goes: its book, and what it knows of contracts. */
function member(contracts: string[]) {
  const book = new WindowBook();
  const ctx = {
    federation: FED,
    peerIdOf: (org: string) => ({ us: peerIdFromSeed(US_SEED), eu: peerIdFromSeed(EU_SEED) })[org],
    monitorOf: (_m: unknown, contract: string, index: number) =>
      contracts.includes(contract) && index === 0
        ? { monitor: MONITOR, digest: DIGEST, baseline: BASELINE }
        : undefined,
  };
  const sync = new WindowSync(book, (envelope) => book.add({ window: verifyWindow(envelope, ctx), envelope }));
  return { book, sync, contracts };
}

/** A federation context whose requests reach `server`'s handler (or get `raw` back); records rejections. */
function fed(server: { protocol: { handle(req: Uint8Array, from: string): Promise<Uint8Array> } }, raw?: Uint8Array) {
  const rejected: { kind: string; code: unknown }[] = [];
  const ctx = {
    request: async (_peer: string, protocol: string, bytes: Uint8Array) => {
      expect(protocol).toBe(MONITOR_SYNC_PROTOCOL);
      return raw ?? (await server.protocol.handle(bytes, 'p'));
    },
    reject: (_via: string, kind: string, _peer: string, err: unknown) =>
      rejected.push({ kind, code: (err as { code?: string }).code }),
    events: () => {},
  } as unknown as FederationContext;
  return { ctx, rejected };
}

const signed = (w: Omit<MonitorWindow, 'type'>, seed = US_SEED) =>
  signAsPeer(WINDOW_PAYLOAD_TYPE, windowPayload(w, MONITOR), seed) as Envelope;

describe('WindowSync', () => {
  it('gives a member the latest windows another holds, verified, and nothing twice', async () => {
    const a = member([CONTRACT]);
    const b = member([CONTRACT]);
    a.book.add({ window: { type: WINDOW_TYPE, ...WINDOW }, envelope: signed(WINDOW) });
    const w2 = { ...WINDOW, seq: 2, to: '2027-01-01T00:02:00Z' };
    a.book.add({ window: { type: WINDOW_TYPE, ...w2 }, envelope: signed(w2) });
    const { ctx, rejected } = fed(a.sync);
    expect(await b.sync.pull(ctx, ['a'])).toBe(1);
    expect(b.book.of('eu/fraud@1.0.0').map((h) => h.window.seq)).toEqual([2]); // the latest of the series
    expect(await b.sync.pull(ctx, ['a'])).toBe(0);
    expect(rejected).toEqual([]);
  });

  it('keeps nothing a peer made up: a forged signer, a changed value, a false breach', async () => {
    const b = member([CONTRACT]);
    const wrongValue = { type: WINDOW_TYPE, ...WINDOW, value: 0.01, breach: false };
    const forged = [
      signed(WINDOW, EU_SEED), // us's window signed by eu's key
      signAsPeer(WINDOW_PAYLOAD_TYPE, canonicalBytes(wrongValue), US_SEED) as Envelope,
      signAsPeer(WINDOW_PAYLOAD_TYPE, canonicalBytes({ type: WINDOW_TYPE, ...WINDOW, breach: false }), US_SEED),
    ];
    const liar = { protocol: { handle: async () => new Uint8Array() } };
    const { ctx, rejected } = fed(liar, encodeWindowsResponse(forged as Envelope[]));
    expect(await b.sync.pull(ctx, ['liar'])).toBe(0);
    expect(b.book.size).toBe(0);
    // Each is the peer's fault: a forged signer, and a value or breach its counts do not give
    // (ERR_MONITOR_WINDOW_MISMATCH; a contract not held here yet is ERR_MONITOR_NOT_HELD, not punished).
    expect(rejected.map((r) => r.code)).toEqual([
      'ERR_UNKNOWN_SIGNER',
      'ERR_MONITOR_WINDOW_MISMATCH',
      'ERR_MONITOR_WINDOW_MISMATCH',
    ]);
    expect(rejected.every((r) => r.kind === 'monitor-window')).toBe(true);
  });

  it('rejects a malformed answer and keeps nothing', async () => {
    const b = member([CONTRACT]);
    const { ctx, rejected } = fed(
      { protocol: { handle: async () => new Uint8Array() } },
      canonicalBytes({ type: 'windows' }),
    );
    expect(await b.sync.pull(ctx, ['x'])).toBe(0);
    expect(rejected).toEqual([{ kind: 'monitor-window', code: 'ERR_MALFORMED_MONITOR_SYNC' }]);
  });

  it("does not ask a peer whose head (heads.ts) is ours; asks once the peer's latest windows differ", async () => {
    const a = member([CONTRACT]);
    const b = member([CONTRACT]);
    a.book.add({ window: { type: WINDOW_TYPE, ...WINDOW }, envelope: signed(WINDOW) });
    let asked = 0;
    const { ctx } = fed({ protocol: { handle: async (req, from) => (asked++, a.sync.protocol.handle(req, from)) } });
    const withHeads = {
      ...ctx,
      peerHead: (_peer: string, kind: string) => (kind === 'monitoring' ? a.sync.head() : undefined),
    };
    expect(a.sync.head()).not.toEqual(b.sync.head());
    expect(await b.sync.pull(withHeads, ['a'])).toBe(1);
    expect(a.sync.head()).toEqual(b.sync.head()); // the same latest windows: one head
    expect(await b.sync.pull(withHeads, ['a'])).toBe(0);
    expect(asked).toBe(1);
    const w2 = { ...WINDOW, seq: 2, to: '2027-01-01T00:02:00Z' };
    a.book.add({ window: { type: WINDOW_TYPE, ...w2 }, envelope: signed(w2) });
    expect(await b.sync.pull(withHeads, ['a'])).toBe(1);
    expect(asked).toBe(2);
  });

  it('takes a window of a contract it did not hold yet in a later round', async () => {
    const a = member([OTHER_CONTRACT]);
    const w = { ...WINDOW, contract: OTHER_CONTRACT };
    a.book.add({ window: { type: WINDOW_TYPE, ...w }, envelope: signed(w) });
    const b = member([CONTRACT]);
    const { ctx } = fed(a.sync);
    expect(await b.sync.pull(ctx, ['a'])).toBe(0);
    b.contracts.push(OTHER_CONTRACT); // the contract version arrives
    expect(await b.sync.pull(ctx, ['a'])).toBe(1);
  });
});
