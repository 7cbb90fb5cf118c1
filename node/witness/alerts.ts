/**
 * Equivocation alerts. Two checkpoints of one log that cannot both be true (same size and another
 * root; a proof reproducing the new root but not the old) are Equivocation evidence: this node signs
 * it as an alert and gossips it. Every node checks the evidence itself (verifyAlert, against the
 * charter), stores it, marks the origin misbehaving, appends a `witness.equivocation` leaf to its
 * audit log, and never cosigns for that origin again.
 */
import { encodeLeaf, type GovernanceLeaf } from '../../protocol/audit/leaf.ts';
import { canonicalBytes } from '../../protocol/canonical/jcs.ts';
import { sha256 } from '../../protocol/crypto/sha256.ts';
import { toHex } from '../../protocol/encoding/bytes.ts';
import { GovfedError } from '../../protocol/errors.ts';
import type { Envelope, GossipMessage } from '../../protocol/federation/index.ts';
import {
  ALERT_PAYLOAD_TYPE,
  type Equivocation,
  encodeEquivocation,
  verifyAlert,
} from '../../protocol/witness/evidence.ts';
import { alertBody, checkAlertBody } from '../../protocol/witness/gossip.ts';
import type { WitnessDeps } from './deps.ts';

/** Distinct alerts kept (and logged) per origin. */
const MAX_ALERTS_PER_ORIGIN = 16;

export class Alerts {
  readonly #d: WitnessDeps;
  /** Alert ids (hex SHA-256 of the evidence) by origin. */
  #alerts = new Map<string, Set<string>>();

  constructor(deps: WitnessDeps) {
    this.#d = deps;
  }

  /** Loads the alerts the store holds (the store must be open). */
  async start(): Promise<void> {
    for (const a of await this.#d.store.alerts()) this.#add(a.origin, a.id);
  }

  isMisbehaving(origin: string): boolean {
    return (this.#alerts.get(origin)?.size ?? 0) > 0;
  }

  /** How many distinct alerts are recorded. */
  get count(): number {
    return [...this.#alerts.values()].reduce((n, s) => n + s.size, 0);
  }

  /** Origins caught equivocating, sorted. */
  misbehaving(): string[] {
    return [...this.#alerts.keys()].sort();
  }

  /**
   * Checks an `alert` gossip body (attacker-controlled, synchronous: shape and evidence against the
   * charter) and queues its recording under the origin.
   */
  onGossip(msg: GossipMessage): void {
    const charter = this.#d.members.charter;
    if (charter === undefined) throw new GovfedError('ERR_INVALID_INPUT', 'no charter');
    const env = checkAlertBody(msg.body);
    const verified = verifyAlert(env, charter, { verify: this.#d.verify });
    void this.#d.queue.enqueue(verified.evidence.origin, () => this.record(env, verified.evidence));
  }

  /** Signs `ev` as this node's alert, records it and gossips it (a no-op outside a federation). */
  async raise(ev: Equivocation): Promise<void> {
    const ctx = this.#d.federation();
    const charter = this.#d.members.charter;
    if (ctx === undefined || charter === undefined) return;
    const env = ctx.signAsPeer(ALERT_PAYLOAD_TYPE, encodeEquivocation(ev));
    verifyAlert(env, charter, { verify: this.#d.verify }); // our own evidence passes the check every node will make
    if (await this.record(env, ev)) await ctx.publish('alert', alertBody(env));
  }

  /** Stores a verified alert, marks its origin and logs it. False when already known (or too many). */
  async record(env: Envelope, ev: Equivocation): Promise<boolean> {
    const id = toHex(sha256(encodeEquivocation(ev)));
    const set = this.#alerts.get(ev.origin);
    if (set?.has(id) === true || (set?.size ?? 0) >= MAX_ALERTS_PER_ORIGIN) return false;
    this.#add(ev.origin, id);
    await this.#d.store.addAlert(ev.origin, id, env);
    this.#d.metrics?.equivocations.inc();
    this.#d.events('witness:equivocation', {
      origin: ev.origin,
      alert: id,
      reporters: env.signatures.map((s) => s.keyid),
    });
    const leaf: GovernanceLeaf = {
      v: 1,
      type: 'governance',
      kind: 'witness.equivocation',
      time: this.#d.now().toISOString(),
      digest: `sha256:${id}`,
      ref: `witness/${ev.origin}`.slice(0, 512),
    };
    await this.#d.log.append([{ leaf: encodeLeaf(leaf), record: canonicalBytes(env) }]);
    return true;
  }

  #add(origin: string, id: string): void {
    const set = this.#alerts.get(origin) ?? new Set<string>();
    set.add(id);
    this.#alerts.set(origin, set);
  }
}
