/**
 * Gossip on a replicated chain's kinds, judged synchronously (gossipsub waits for the verdict; the
 * storage work follows on the chain's tail). The body is attacker-controlled: the sender is a member
 * (the federation checked the gossip envelope), not necessarily honest.
 *   objects   forged or non-member signatures → reject; a version past ours+1 → ignore and pull from
 *             the sender (a gap is not malice); complete → applied now; a stale proposal → ignore; a
 *             proposal the module does not admit (its `admit`) → reject, or ignore when the refusal
 *             depends on local state (`localCodes`) and a member merely forwarded it.
 *   receipts  verified, kept when newest for its member; a bad one → reject.
 */
import { GovfedError, isGovfedError } from '../../protocol/errors.ts';
import type { GossipMessage } from '../../protocol/federation/index.ts';
import type { GossipVerdict } from '../p2p/pubsub.ts';
import type { ReplicatedChain } from './replicated.ts';

/** Gossip of objects {envelope}: one with >= 1 signature (complete or not). */
export function objectGossipVerdict<O>(
  rc: ReplicatedChain<O>,
  msg: GossipMessage,
  from: string,
  pullSoon: (peer: string, version?: number) => void,
): GossipVerdict {
  const { codes } = rc.object;
  let pulled = false;
  try {
    const env = rc.object.fromGossip(msg.body);
    const charter = rc.requireCharter();
    const chain = rc.requireChain();
    const s = rc.object.status(env, charter); // forged or non-member signatures: reject
    if (chain.current?.digest === s.digest) return { result: 'ignore', error: undefined };
    if (s.version > chain.version + 1) {
      pullSoon(from, s.version);
      pulled = true;
      throw new GovfedError(
        codes.gap,
        `${rc.object.objectNoun} version ${s.version}, this node holds ${chain.version}`,
      );
    }
    if (s.complete) {
      rc.applyRun([env], 'gossip', msg.sender); // the chain moves now; the tail follows in order
      return { result: 'accept' };
    }
    if (s.version <= chain.version) return { result: 'ignore', error: undefined }; // a stale proposal
    // The module's admission (deadlines, limits) now, so that a refused proposal is a verdict too.
    rc.object.admit?.(s, env, rc.pending, charter);
    void rc.offer(env, 'gossip', msg.sender).catch((err) => rc.reject('gossip', from, err));
    return { result: 'accept' };
  } catch (err) {
    rc.reject('gossip', from, err);
    const code = isGovfedError(err) ? err.code : '';
    if (code === codes.gap && !pulled) pullSoon(from); // the module's status() found the gap first
    // Refusals that depend on this node's state or clock (the module's `localCodes`) penalise the
    // signer that published the message, not an honest member that forwarded it.
    const local = rc.object.localCodes?.includes(code) === true && msg.sender !== from;
    const ignore = local || code === codes.gap || code === codes.rollback || code === 'ERR_NO_FEDERATION';
    return { result: ignore ? 'ignore' : 'reject', error: err };
  }
}

/** Gossip of receipts {envelope}: one member's signed receipt. */
export function receiptGossipVerdict<O>(rc: ReplicatedChain<O>, msg: GossipMessage, from: string): GossipVerdict {
  try {
    const spec = rc.object.receipts;
    if (spec === undefined) throw new GovfedError('ERR_MALFORMED_GOSSIP', `${rc.object.noun} has no receipts`);
    const stored = rc.takeReceipt(spec.fromGossip(msg.body));
    return stored ? { result: 'accept' } : { result: 'ignore', error: undefined };
  } catch (err) {
    rc.reject('gossip', from, err);
    return { result: 'reject', error: err };
  }
}
