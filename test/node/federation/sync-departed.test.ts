/**
 * A member removed while it was offline learns its removal (node/federation/sync.ts serveDeparted,
 * departures.ts) — and nothing more: the versions up to the one that removed it, a hello that says the
 * chain ends there, nothing past it, no other message, and nothing at all for a stranger. Over the
 * in-process rig; the multi-process run is test/integration/federation-members.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { FederationSync } from '../../../node/federation/sync.ts';
import { CharterChain } from '../../../protocol/federation/chain.ts';
import { charterDigest, nextCharter, removeMembers } from '../../../protocol/federation/charter.ts';
import type { Envelope } from '../../../protocol/federation/envelope.ts';
import type { SyncMessage } from '../../../protocol/federation/sync.ts';
import { codeOf } from '../../helpers/async.ts';
import { makeGenesis, peer, signedBy, T0 } from '../../protocol/federation/fixtures.ts';
import { charterRig } from './rig.ts';

const NOW = Date.parse('2025-01-01T12:00:00Z');

/** Members 0..3; version 2 removes 3; version 3 changes a threshold (past 3's removal). */
function setup() {
  const g = makeGenesis([0, 1, 2, 3]);
  const chain = new CharterChain(signedBy(g, [0, 1, 2, 3]));
  const v2 = removeMembers(g, [peer(3)], T0);
  expect(chain.accept(signedBy(v2, [0])).status).toBe('accepted');
  const v3 = nextCharter(v2, { createdAt: T0, thresholds: { policy: 2 } });
  expect(chain.accept(signedBy(v3, [0])).status).toBe('accepted');
  const rig = charterRig(chain, { self: 0, now: NOW });
  rig.core.departures.update(chain);
  const sync = new FederationSync(rig.core, rig.module);
  return { ...rig, chain, sync, v2 };
}

const versionsOf = (m: SyncMessage) => (m.type === 'charters' ? m.envelopes.length : -1);

describe('FederationSync serving a removed member', () => {
  it('answers its hello with the version that removed it, and its get-charters up to that version only', async () => {
    const { chain, sync, v2, gate } = setup();
    expect(gate.admits(peer(3))).toBe(true);
    expect(gate.allows(peer(3))).toBe(false);
    const hello = await sync.serveSync(
      {
        type: 'hello',
        federationId: chain.federationId,
        charterVersion: 1,
        heads: { charter: { height: 1, digest: 'x' } },
      },
      peer(3),
    );
    expect(hello).toMatchObject({
      type: 'hello',
      charterVersion: 2,
      heads: { charter: { height: 2, digest: charterDigest(v2) } },
    });
    const got = await sync.serveSync({ type: 'get-charters', from: 1 }, peer(3));
    expect(versionsOf(got)).toBe(2); // versions 1 and 2, not 3
    const removal = chain.entry(2)?.envelope;
    expect((got as { envelopes: Envelope[] }).envelopes[1]?.payload).toBe(removal?.payload);
    expect(versionsOf(await sync.serveSync({ type: 'get-charters', from: 2 }, peer(3)))).toBe(1);
  });

  it('refuses anything past its removal and every other message (ERR_UNKNOWN_SIGNER)', async () => {
    const { sync, chain } = setup();
    const refused: SyncMessage[] = [
      { type: 'get-charters', from: 3 },
      { type: 'get-charters', from: 0 },
      { type: 'get-addresses' },
      { type: 'addresses', members: {} },
      { type: 'proposal', envelope: chain.entry(3)?.envelope as Envelope },
      { type: 'charters', envelopes: [chain.entry(3)?.envelope as Envelope] },
    ];
    for (const m of refused) expect(await codeOf(sync.serveSync(m, peer(3))), m.type).toBe('ERR_UNKNOWN_SIGNER');
  });

  it('refuses a hello for another federation (ERR_FEDERATION_MISMATCH), and a stranger anything', async () => {
    const { sync } = setup();
    const other = { type: 'hello', federationId: 'f'.repeat(64), charterVersion: 1, heads: {} } as SyncMessage;
    expect(await codeOf(sync.serveSync(other, peer(3)))).toBe('ERR_FEDERATION_MISMATCH');
    expect(await codeOf(sync.serveSync({ type: 'get-charters', from: 1 }, peer(5)))).toBe('ERR_UNKNOWN_SIGNER');
  });
});
