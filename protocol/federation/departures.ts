/**
 * Departures: who a charter chain removed, and at which version — so that a member removed while it
 * was offline can still learn it. When it comes back it believes it is a member and dials its old
 * peers; their gate lets it in only for this (node/federation/sync.ts serveDeparted): a `hello` that
 * says the chain ends at the version that removed it, and the versions up to that one. It verifies
 * them like any other, sees itself gone, and departs with reason "removed". It learns nothing past
 * its removal, and may use nothing else (no gossip, no other protocol, no proposal).
 *
 * A peer key rotated away counts as removed too: the old key may learn the version that replaced it,
 * which its owner signed. Pure: no I/O.
 */
import type { ChainEntry } from './chain.ts';

/**
 * Peer id → the version that removed it (its newest removal), for every peer some version dropped
 * from the members and the newest version does not list. `versions`: oldest first, consecutive.
 */
export function removalVersions(versions: readonly Pick<ChainEntry, 'version' | 'charter'>[]): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 1; i < versions.length; i++) {
    const prev = versions[i - 1] as Pick<ChainEntry, 'version' | 'charter'>;
    const next = versions[i] as Pick<ChainEntry, 'version' | 'charter'>;
    const after = new Set(next.charter.members.map((m) => m.peerId));
    for (const m of prev.charter.members) if (!after.has(m.peerId)) out.set(m.peerId, next.version);
  }
  const last = versions.at(-1);
  for (const m of last?.charter.members ?? []) out.delete(m.peerId);
  return out;
}
