/**
 * One federation node's charter parts in one process, without a network: a FederationCore (stub store
 * and log) and the CharterModule on the generic replicated chain, attached to a context that records
 * what it would publish. For unit tests of the charter module and its pending rules; the real network
 * is test/integration/federation.test.ts.
 */
import { opensslVerify } from '../../../node/crypto/ed25519.ts';
import { CharterModule } from '../../../node/federation/charter-module.ts';
import { FederationCore } from '../../../node/federation/core.ts';
import type { FederationContext } from '../../../node/federation/module.ts';
import type { CharterChain } from '../../../protocol/federation/chain.ts';
import { peer, seed } from '../../protocol/federation/fixtures.ts';

export function charterRig(chain: CharterChain, opts: { self: number; now: number }) {
  const events: string[] = [];
  const published: string[] = [];
  const core = new FederationCore({
    home: { dir: '/nonexistent', config: { peerId: peer(opts.self) }, peerKey: new Uint8Array() } as never,
    log: { append: async () => [] },
    events: (event) => events.push(event),
    now: () => new Date(opts.now),
    syncIntervalMs: 5000,
    registry: undefined,
    store: { save: async () => {} } as never,
    seed: seed(opts.self),
    verify: opensslVerify,
  });
  core.chain = chain;
  // The default gate (core.ts): members of `chain`, bootstrap peers, and removed peers to learn it.
  const gate = core.gate;
  const pulls: string[] = [];
  core.pullSoon = (p) => pulls.push(p);
  const module = new CharterModule(core);
  core.pendingProposals = () => module.rc.pending.values();
  const ctx: FederationContext = {
    peerId: peer(opts.self),
    events: core.events,
    chain: () => core.chain,
    publish: async (kind) => void published.push(kind),
    request: async () => {
      throw new Error('no network in this rig');
    },
    connectedMembers: () => [],
    signAsPeer: () => {
      throw new Error('not used');
    },
    reject: () => {},
  };
  module.attach(ctx);
  module.onCharter(chain);
  return { core, gate, module, rc: module.rc, events, published, pulls };
}
