/**
 * Shared fixtures for the witness tests: deterministic log and witness keys per member, logs built in
 * memory (with a forked twin for equivocation), and charters whose members carry logKey + witnessKey.
 * Seeds are fixed and Ed25519 is deterministic, so everything here is byte-stable.
 */
import { encodeLeaf } from '../../../protocol/audit/leaf.ts';
import { keyPairFromSeed } from '../../../protocol/crypto/ed25519.ts';
import { sha256 } from '../../../protocol/crypto/sha256.ts';
import { toHex, utf8 } from '../../../protocol/encoding/bytes.ts';
import {
  addMembers,
  type Charter,
  federationId,
  genesisCharter,
  type Member,
  type Thresholds,
} from '../../../protocol/federation/charter.ts';
import type { Envelope } from '../../../protocol/federation/envelope.ts';
import { MemoryTree } from '../../../protocol/log/memory.ts';
import { ed25519Signer, ed25519VerifierKey, type KeyedVerifier, signCheckpoint } from '../../../protocol/note/index.ts';
import { parseLogKey, witnessSigner, witnessVerifierKey } from '../../../protocol/witness/keys.ts';
import { member, ORGS, signedBy, T0 } from '../federation/fixtures.ts';

export { ORGS, seed as peerSeed } from '../federation/fixtures.ts';

/** POSIX seconds used as every witness's clock. */
export const NOW_S = 1_750_000_000;

const logSeed = (i: number) => sha256(utf8(`govfed test log key ${i}`));
const witnessSeed = (i: number) => sha256(utf8(`govfed test witness key ${i}`));

/** Member i's log key name (= its checkpoints' origin). */
export const logName = (i: number) => `govfed/${ORGS[i]}/log`;
export const logSigner = (i: number) => ed25519Signer(logName(i), logSeed(i));
export const logKey = (i: number) => ed25519VerifierKey(logName(i), keyPairFromSeed(logSeed(i)).publicKey);
export const logVerifier = (i: number): KeyedVerifier => parseLogKey(logKey(i));
export const witness = (i: number, now = NOW_S) => witnessSigner(ORGS[i] as string, witnessSeed(i), () => now);
export const witnessKey = (i: number) =>
  witnessVerifierKey(ORGS[i] as string, keyPairFromSeed(witnessSeed(i)).publicKey);

/** Member i with its log and witness keys. */
export function fedMember(i: number): Member {
  return { ...member(i), logKey: logKey(i), witnessKey: witnessKey(i) };
}

export interface Federation {
  id: string;
  charter: Charter;
  envelopes: Envelope[];
}

/** A genesis of the given members (all sign), optionally followed by admitting `admitted` (signed by 0). */
export function federation(
  founders: readonly number[],
  opts: { witness?: number; admitted?: readonly number[] } = {},
): Federation {
  const thresholds: Thresholds = { admission: 1, policy: 1, charter: 1 };
  if (opts.witness !== undefined) thresholds.witness = opts.witness;
  const g = genesisCharter({ name: 'Test federation', createdAt: T0, members: founders.map(fedMember), thresholds });
  const genesis = signedBy(g, founders);
  const envelopes = [genesis];
  let charter = g;
  if (opts.admitted !== undefined && opts.admitted.length > 0) {
    charter = addMembers(g, opts.admitted.map(fedMember), '2025-02-01T00:00:00Z');
    envelopes.push(signedBy(charter, [founders[0] as number, ...opts.admitted]));
  }
  return { id: federationId(g), charter, envelopes };
}

/** A v1 governance leaf, distinct per (branch, i). */
export function leafBytes(i: number, branch = 'main'): Uint8Array {
  return encodeLeaf({
    v: 1,
    type: 'governance',
    kind: 'test.entry',
    time: '2025-01-01T00:00:00Z',
    digest: `sha256:${toHex(sha256(utf8(`${branch} ${i}`)))}`,
  });
}

export interface TestLog {
  tree: MemoryTree;
  entries: Uint8Array[];
  /** roots[n]: the root of the first n leaves. */
  roots: Uint8Array[];
}

/** A log of `n` leaves; leaves from `forkAt` on come from another branch (a forked twin). */
export function buildLog(n: number, forkAt = n, branch = 'fork'): TestLog {
  const tree = new MemoryTree();
  const entries: Uint8Array[] = [];
  const roots = [tree.root()];
  for (let i = 0; i < n; i++) {
    const e = i < forkAt ? leafBytes(i) : leafBytes(i, branch);
    entries.push(e);
    tree.append(e);
    roots.push(tree.root());
  }
  return { tree, entries, roots };
}

/** Member i's signed checkpoint of `log` at `size`. */
export function checkpointOf(i: number, log: TestLog, size: number): string {
  return signCheckpoint(
    { origin: logName(i), size, rootHash: log.roots[size] as Uint8Array, extensions: [] },
    logSigner(i),
  );
}
