/**
 * node/witness — witnessed audit logs and cross-org proofs (issue 6).
 *
 * The model in plain words: every member's log is watched by the other members. For each new checkpoint
 * a node asks every other member's witness directly (the C2SP tlog-witness add-checkpoint request over
 * /govfed/witness/1.0.0, with a consistency proof from the size that witness last cosigned); the
 * witness checks it with the pure tlog-witness rule of protocol/witness, stores the new size and root
 * atomically and answers its cosignature (C2SP tlog-cosignature v1, with the witness key the charter
 * publishes). A checkpoint with cosignatures from at least k other members is *witnessed* — nobody can
 * have been shown a different tree of that size unless k witnesses lied too — and its node gossips it
 * once. Any node can then prove an entry of any member's log — it fetches the entry and its inclusion
 * proof from the owner and packs them with the witnessed checkpoint and the charter chain into a bundle
 * that verifies offline (protocol/witness/bundle.ts). Two checkpoints of one log that cannot both be
 * true are evidence of equivocation: an alert every node checks for itself; witnesses compare what
 * they hold with a peer each sync round, so a split view is caught when the halves meet again.
 *
 *   service.ts     WitnessService (a FederationModule): composes the parts below, routes gossip to them
 *   publisher.ts   checkpoint publishing: this node's checkpoints to its witnesses, witnessed ones as gossip
 *   asker.ts       asking: add-checkpoint to each witness over /govfed/witness/1.0.0, 409 → resend
 *   cosigner.ts    cosigning: other members' checkpoints (libp2p) and external logs' (HTTP add-checkpoint)
 *   witness-server.ts  /govfed/witness/1.0.0, answering (add-checkpoint, get-witnessed)
 *   collector.ts   cosignature collection: k cosignatures make a checkpoint witnessed
 *   exchange.ts    anti-entropy: a peer's witnessed and cosigned notes against ours (split views)
 *   alerts.ts      equivocation alerts: signed, gossiped, verified, stored, logged
 *   external.ts    the logs outside the federation this node witnesses (logs.json)
 *   prover.ts      cross-org proving: inclusion bundles and consistency proofs against witnessed checkpoints
 *   log-client.ts  /govfed/log/1.0.0, asking: to the log's owner only, dialled by its learnt addresses
 *   log-server.ts  /govfed/log/1.0.0, answering about this node's own logs only — nobody relays for
 *                  another (codec: protocol/witness/log-protocol.ts)
 *   members.ts     the charter's view: member logs by origin, witness keys by org, k
 *   queue.ts       the per-origin queue: each origin's work one step at a time
 *   notes.ts       checkpoint notes through protocol/note (log-signed part, stored witnessed notes)
 *   store.ts       DIR/witness: cosigned state per origin, witnessed checkpoints, alerts, logs.json
 *   deps.ts, metrics.ts, failures.ts   what the parts share
 */

export { LOG_PROTOCOL, LOG_PROTOCOL_MAX_BYTES } from '../../protocol/witness/log-protocol.ts';
export {
  type CrossOrgConsistency,
  type WitnessOriginStatus,
  WitnessService,
  type WitnessServiceOptions,
} from './service.ts';
