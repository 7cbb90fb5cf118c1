/**
 * Who holds a key, by the rosters this node holds (node/registry/rosters.ts), for the registry's checks:
 *
 *   strict   the org's current people only — for what a person posts to this node now;
 *   lenient  also its revoked people, with `revokedAt` — for records off the wire or from disk, which may
 *            have been signed before the person was revoked (model-checks.ts then refuses one signed at or
 *            after `revokedAt`). Whether a vote still COUNTS is always decided by the current roster
 *            (model-book.ts).
 */

import { keyIdOf } from '../../protocol/dsse/index.ts';
import { fromBase64 } from '../../protocol/encoding/bytes.ts';
import type { Roster, RosterPerson } from '../../protocol/registry/index.ts';

export type LookedUpPerson = RosterPerson & { revokedAt?: string };

export function rosterLookup(
  rosters: { roster(org: string): Roster | undefined },
  mode: 'strict' | 'lenient',
): (org: string, keyid: string) => LookedUpPerson | undefined {
  return (org, keyid) => {
    const r = rosters.roster(org);
    if (r === undefined) return undefined;
    for (const p of r.people) {
      const publicKey = fromBase64(p.publicKey);
      if (keyIdOf(publicKey) === keyid) return { name: p.name, role: p.role, publicKey };
    }
    if (mode === 'strict') return undefined;
    for (const p of r.revoked) {
      const publicKey = fromBase64(p.publicKey);
      if (keyIdOf(publicKey) === keyid) return { name: p.name, role: p.role, publicKey, revokedAt: p.revokedAt };
    }
    return undefined;
  };
}
