/**
 * Shared fixtures for the federation tests: deterministic peer keys, members and signed charters.
 * Seeds are fixed, and Ed25519 signing is deterministic, so every envelope here is byte-stable.
 */
import { type Charter, genesisCharter, type Member, type Thresholds } from '../../../protocol/federation/charter.ts';
import type { Envelope } from '../../../protocol/federation/envelope.ts';
import { peerIdFromSeed } from '../../../protocol/federation/peer-id.ts';
import { addSignature, signCharter } from '../../../protocol/federation/proposal.ts';

export const T0 = '2025-01-01T00:00:00Z';
export const ORGS = ['eu', 'us', 'apac', 'latam', 'africa', 'oceania', 'arctic', 'mallory'] as const;

/** A fixed 32-byte seed per index. */
export function seed(i: number): Uint8Array {
  return Uint8Array.from({ length: 32 }, (_, j) => (i * 31 + j * 7 + 1) & 0xff);
}

export function peer(i: number): string {
  return peerIdFromSeed(seed(i));
}

/** Member i: org ORGS[i] (past them, `org<i>`), peer key seed(i). */
export function member(i: number, jurisdiction = 'EU'): Member {
  return { org: ORGS[i] ?? `org${i}`, peerId: peer(i), jurisdiction };
}

/** The envelope of `c` signed by the peers with these indexes, in that order. */
export function signedBy(c: Charter, signers: readonly number[]): Envelope {
  const [first, ...rest] = signers;
  if (first === undefined) throw new Error('signedBy: need a signer');
  let env = signCharter(c, seed(first));
  for (const i of rest) env = addSignature(env, seed(i));
  return env;
}

export function makeGenesis(founders: readonly number[], thresholds?: Partial<Thresholds>): Charter {
  return genesisCharter({
    name: 'Test federation',
    createdAt: T0,
    members: founders.map((i) => member(i)),
    thresholds: { admission: 1, policy: 1, charter: 1, ...thresholds },
  });
}
