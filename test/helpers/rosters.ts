/** A roster object for unit tests of what reads rosters (node/registry): unsigned, checked by nothing. */
import { toBase64 } from '../../protocol/encoding/bytes.ts';
import type { Roster } from '../../protocol/registry/index.ts';

type Entry = [name: string, role: string, publicKey: Uint8Array];

export function testRoster(federation: string, org: string, people: Entry[], revoked: Entry[] = []): Roster {
  return {
    type: 'govfed.roster/v1',
    federation,
    org,
    version: 1,
    previous: null,
    issuedAt: '2026-01-01T00:00:00Z',
    people: people.map(([name, role, k]) => ({ name, role, publicKey: toBase64(k), addedAt: '2026-01-01T00:00:00Z' })),
    revoked: revoked.map(([name, role, k]) => ({
      name,
      role,
      publicKey: toBase64(k),
      revokedAt: '2026-06-01T00:00:00Z',
    })),
  } as Roster;
}
