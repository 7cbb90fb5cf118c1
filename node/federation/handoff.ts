/**
 * A joiner's hand-off: its admission — the charter version that admits it when the invite's proposal is
 * complete with its signature, else that proposal — sent to every bootstrap member its invite names, at
 * once. Members do not know the joiner until they accept its admission, so it is handed over by sync, not
 * gossiped. Returns how many took it. None (each timed out: a saturated or unreachable member) is not
 * the end: the joined node's sync rounds keep redialling those members, and a member that sees a newer
 * charter in its hello pulls it (node/chain/sync.ts) — but the caller is told.
 */
import type { SyncMessage } from '../../protocol/federation/index.ts';
import { errorText } from '../chain/index.ts';
import type { FederationCore } from './core.ts';
import type { FederationSync } from './sync.ts';

export async function handOffAdmission(
  c: FederationCore,
  sync: FederationSync,
  bootstrap: readonly string[],
  push: SyncMessage,
): Promise<number> {
  let delivered = 0;
  await Promise.all(
    bootstrap.map(async (addr) => {
      try {
        const peer = await c.requireNet().host.dial(addr);
        await c.requireNet().sync.request(peer, push);
        delivered += 1;
        // Our admission is complete and the peer took it: we are a member there, so this first
        // exchange also brings its address book — the members our invite does not name are dialled now.
        if (push.type === 'charters') await sync.askAddresses(peer);
      } catch (err) {
        c.events('federation:bootstrap-failed', { addr, error: errorText(err) });
      }
    }),
  );
  return delivered;
}
