/**
 * Cross-org proving: an entry (or a consistency proof) of any member's log, against the newest
 * witnessed checkpoint of it this node holds. The entry and its proof come from the origin's node over
 * /govfed/log/1.0.0 (or from this node's own log) and are verified here before they are returned; the
 * inclusion bundle also carries the log key, the cosigners' keys and the charter chain, so that it
 * verifies offline (protocol/witness/bundle.ts).
 */
import { decodeLeaf } from '../../protocol/audit/leaf.ts';
import { equalBytes, fromBase64, toBase64 } from '../../protocol/encoding/bytes.ts';
import { GovfedError } from '../../protocol/errors.ts';
import { leafHash, verifyConsistency, verifyInclusion } from '../../protocol/log/index.ts';
import { openCheckpoint } from '../../protocol/note/index.ts';
import { type CrossOrgBundle, createCrossOrgBundle } from '../../protocol/witness/bundle.ts';
import { decodeHashes, decodeLogResponse } from '../../protocol/witness/log-protocol.ts';
import { NodeError } from '../errors.ts';
import type { CosignatureCollector, Witnessed } from './collector.ts';
import { ownLog, type WitnessDeps } from './deps.ts';
import { badPeer } from './failures.ts';
import type { LogClient } from './log-client.ts';
import type { MemberLog } from './members.ts';

export interface CrossOrgConsistency {
  origin: string;
  from: number;
  to: number;
  /** Root of the first `from` entries, as the log computes it (check it against a checkpoint you hold). */
  oldRoot: string;
  proof: string[];
  /** The witnessed checkpoint of size `to` the proof was verified against. */
  checkpoint: string;
}

export class CrossOrgProver {
  readonly #d: WitnessDeps;
  readonly #collector: CosignatureCollector;
  readonly #client: LogClient;

  constructor(deps: WitnessDeps, collector: CosignatureCollector, client: LogClient) {
    this.#d = deps;
    this.#collector = collector;
    this.#client = client;
  }

  /** The inclusion bundle of entry `index` of `origin`'s log. */
  async proveInclusion(origin: string, index: number): Promise<CrossOrgBundle> {
    const { ml, w } = this.#requireWitnessed(origin);
    if (index >= w.size) {
      throw new NodeError(
        'ERR_NOT_WITNESSED',
        `entry ${index} is past the newest witnessed checkpoint of ${origin}, which holds ${w.size} entries (0 to ${w.size - 1}); ` +
          'if the entry was appended since, ask again once the members have cosigned a newer checkpoint',
      );
    }
    let entry: Uint8Array;
    let proof: Uint8Array[];
    const own = ownLog(this.#d, origin);
    if (own !== undefined) {
      entry = await own.entry(index);
      proof = await own.proveInclusion(index, w.size);
    } else {
      const res = await this.#client.requestOrUnavailable(ml, {
        type: 'get-inclusion',
        origin,
        index,
        treeSize: w.size,
      });
      const r = decodeLogResponse(res, 'inclusion');
      if (r.index !== index || r.treeSize !== w.size) throw badPeer(origin, 'answered for another entry');
      entry = fromBase64(r.entry);
      proof = decodeHashes(r.proof);
    }
    try {
      verifyInclusion(index, w.size, leafHash(entry), proof, w.rootHash);
    } catch (cause) {
      throw badPeer(origin, `its inclusion proof of entry ${index} does not verify`, cause);
    }
    const chain = this.#d.members.chain;
    if (chain === undefined) throw new NodeError('ERR_NOT_FOUND', 'no charter');
    return createCrossOrgBundle({
      origin,
      index,
      treeSize: w.size,
      entry,
      inclusion: proof,
      checkpoint: w.note,
      logKey: ml.verifier.vkey,
      witnessKeys: this.#cosignerKeys(ml, w.note),
      federation: { id: chain.federationId, charters: chain.versions().map((e) => e.envelope) },
    });
  }

  /**
   * The inclusion bundle of the entry of `origin`'s log that holds decision `decisionId` (or whose leaf
   * hash is `leafHash`). The owner's node says which index (a `lookup` request); that claim is not
   * believed: the entry proven at that index must be the decision (strict leaf decoding) or have the
   * leaf hash asked for, else ERR_BAD_PEER_RESPONSE.
   */
  async lookup(origin: string, q: { decisionId: string } | { leafHash: Uint8Array }): Promise<CrossOrgBundle> {
    const { ml } = this.#requireWitnessed(origin);
    let index: number | undefined;
    const own = ownLog(this.#d, origin);
    if (own !== undefined) {
      index = 'leafHash' in q ? await own.lookupLeafHash(q.leafHash) : await own.lookupDecision(q.decisionId);
      if (index === undefined) throw new NodeError('ERR_NOT_FOUND', `no entry of ${origin} has it`);
    } else {
      const key = 'leafHash' in q ? { leafHash: toBase64(q.leafHash) } : { decisionId: q.decisionId };
      const res = await this.#client.requestOrUnavailable(ml, { type: 'lookup', origin, ...key });
      index = decodeLogResponse(res, 'found').index;
    }
    const bundle = await this.proveInclusion(origin, index);
    const entry = fromBase64(bundle.entry);
    const matches =
      'leafHash' in q ? equalBytes(leafHash(entry), q.leafHash) : decisionIdOfLeaf(entry) === q.decisionId;
    if (!matches) throw badPeer(origin, `its entry ${index} is not the one asked for`);
    return bundle;
  }

  /** A consistency proof of `origin`'s log from `from` to the newest witnessed size (or `to`), verified. */
  async proveConsistency(origin: string, from: number, to?: number): Promise<CrossOrgConsistency> {
    const { ml, w } = this.#requireWitnessed(origin);
    const target = to ?? w.size;
    if (target !== w.size) {
      throw new NodeError(
        'ERR_NOT_WITNESSED',
        `the newest witnessed checkpoint of ${origin} has size ${w.size}, not ${target}`,
      );
    }
    if (from > target) throw new GovfedError('ERR_INVALID_TREE_SIZE', `from ${from} is larger than to ${target}`);
    let proof: Uint8Array[];
    let oldRoot: Uint8Array;
    const own = ownLog(this.#d, origin);
    if (own !== undefined) {
      proof = await own.proveConsistency(from, target);
      oldRoot = await own.treeHash(from);
    } else {
      const res = await this.#client.requestOrUnavailable(ml, { type: 'get-consistency', origin, from, to: target });
      const r = decodeLogResponse(res, 'consistency');
      proof = decodeHashes(r.proof);
      oldRoot = decodeHashes([r.oldRoot])[0] as Uint8Array;
    }
    try {
      verifyConsistency(from, target, proof, oldRoot, w.rootHash);
    } catch (cause) {
      throw badPeer(origin, `its consistency proof ${from} -> ${target} does not verify`, cause);
    }
    return { origin, from, to: target, oldRoot: toBase64(oldRoot), proof: proof.map(toBase64), checkpoint: w.note };
  }

  #requireWitnessed(origin: string): { ml: MemberLog; w: Witnessed } {
    const ml = this.#d.members.get(origin);
    if (ml === undefined || this.#d.members.chain === undefined) {
      throw new NodeError('ERR_NOT_FOUND', `no member of the federation has a log with origin ${origin}`);
    }
    const w = this.#collector.witnessed(origin);
    if (w === undefined)
      throw new NodeError('ERR_NOT_WITNESSED', `this node holds no witnessed checkpoint of ${origin} yet`);
    return { ml, w };
  }

  /** The witness keys of the cosignature lines in a witnessed note of `ml`'s log. */
  #cosignerKeys(ml: MemberLog, note: string): string[] {
    const verifiers = this.#d.members.witnessKeysBut(ml.member.org);
    const keys: string[] = [];
    for (const s of openCheckpoint(note, ml.verifier, verifiers).verified) {
      const v = verifiers.find((x) => x.name === s.name && x.keyHash === s.keyHash);
      if (v !== undefined) keys.push(v.vkey);
    }
    return keys;
  }
}

/** The decision id of a decision leaf (strictly decoded), else undefined. */
function decisionIdOfLeaf(entry: Uint8Array): string | undefined {
  try {
    const leaf = decodeLeaf(entry);
    return leaf.type === 'decision' ? leaf.decisionId : undefined;
  } catch {
    return undefined;
  }
}
