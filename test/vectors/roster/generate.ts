/**
 * Writes the roster vectors of this folder from fixed seeds (Ed25519 signing is deterministic, so the
 * files are byte-stable): `npx node test/vectors/roster/generate.ts`. test/protocol/registry/roster.test.ts
 * checks each file, and that this script still produces the same bytes.
 *   valid.json         eu's roster v2 (alice risk_officer; bob revoked), signed by eu's node
 *   reindented.json    the same envelope re-indented: verifies (checked by signature, not bytes)
 *   tampered.json      the payload of a roster naming alice `legal`, under valid.json's signature
 *   wrong-signer.json  the same roster signed by another peer (us's node)
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { keyPairFromSeed } from '../../../protocol/crypto/ed25519.ts';
import { sha256 } from '../../../protocol/crypto/sha256.ts';
import { toBase64 } from '../../../protocol/encoding/bytes.ts';
import { firstRoster, nextRoster, type Roster, signRoster } from '../../../protocol/registry/roster.ts';

const seedOf = (b: number) => sha256(Uint8Array.of(b));
export const FEDERATION = 'ab'.repeat(32);
export const EU_PEER_SEED = seedOf(0x31);
export const US_PEER_SEED = seedOf(0x32);
export const ALICE = keyPairFromSeed(seedOf(0x41));
export const BOB = keyPairFromSeed(seedOf(0x42));

export function vectorRoster(): Roster {
  const r1 = firstRoster(FEDERATION, 'eu', '2026-12-05T00:00:00Z');
  const r2 = nextRoster(r1, { add: { name: 'alice', role: 'risk_officer', publicKey: toBase64(ALICE.publicKey) } }, '2026-12-05T00:01:00Z');
  const r3 = nextRoster(r2, { add: { name: 'bob', role: 'legal', publicKey: toBase64(BOB.publicKey) } }, '2026-12-05T00:02:00Z');
  return nextRoster(r3, { revoke: 'bob' }, '2026-12-05T00:03:00Z');
}

export function rosterVectors(): Record<string, string> {
  const roster = vectorRoster();
  const env = signRoster(roster, EU_PEER_SEED);
  const valid = `${JSON.stringify(env, null, 2)}\n`;
  const legal = signRoster({ ...roster, people: roster.people.map((p) => ({ ...p, role: 'legal' as const })) }, EU_PEER_SEED);
  return {
    'valid.json': valid,
    'reindented.json': `${JSON.stringify(env, null, 4)}\n`,
    'tampered.json': `${JSON.stringify({ ...env, payload: legal.payload }, null, 2)}\n`,
    'wrong-signer.json': `${JSON.stringify(signRoster(roster, US_PEER_SEED), null, 2)}\n`,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = fileURLToPath(new URL('.', import.meta.url));
  for (const [name, text] of Object.entries(rosterVectors())) writeFileSync(`${dir}${name}`, text);
}
