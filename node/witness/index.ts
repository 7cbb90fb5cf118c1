/**
 * node/witness — witnessed audit logs and cross-org proofs (issue 6).
 *
 * The model in plain words: every member's log is watched by the other members. A node gossips each new
 * checkpoint of its log; every other member, as a witness, fetches a consistency proof from the size it
 * last cosigned (over /govfed/log/1.0.0), checks it with the pure tlog-witness rule of
 * protocol/witness, stores the new size and root atomically, and gossips its cosignature (C2SP
 * tlog-cosignature v1, with the witness key the charter publishes). A checkpoint with cosignatures from
 * at least k other members is *witnessed*: nobody can have been shown a different tree of that size
 * unless k witnesses lied too. Any node can then prove an entry of any member's log — it fetches the
 * entry and its inclusion proof from the owner and packs them with the witnessed checkpoint and the
 * charter chain into a bundle that verifies offline (protocol/witness/bundle.ts). Two checkpoints of one
 * log that cannot both be true are evidence of equivocation: an alert every node checks for itself.
 *
 *   service.ts       WitnessService (a FederationModule): gossip, witnessing, collection, alerts, proofs
 *   log-protocol.ts  /govfed/log/1.0.0 — members read each other's logs (entries, proofs, checkpoints)
 *   store.ts         DIR/witness: cosigned state per origin, witnessed checkpoints, alerts, logs.json
 */

export { LOG_PROTOCOL, LOG_PROTOCOL_MAX_BYTES } from './log-protocol.ts';
export {
  type CrossOrgConsistency,
  PUBLISH_MIN_MS,
  type WitnessOriginStatus,
  WitnessService,
  type WitnessServiceOptions,
} from './service.ts';
