/**
 * CountsSigner: this node's side of `/govfed/report/1.0.0` — its model-counts statements (the signed
 * rolling aggregates; protocol/report/counts.ts). Asked for versions (by a member putting a report
 * together, or by this node's own report), it reads the counters as ingest keeps them (counter.ts),
 * and for each version whose tally changed since its last statement signs a new one with the peer key
 * and appends it to the audit log (governance leaf `model.counts`, the envelope as its record); then it
 * answers with the newest statement of each. An unchanged tally re-uses the statement signed before,
 * so asking again appends nothing. Versions this node's registry does not hold (with that digest) get no
 * statement: a request cannot make it log anything else. Requests are serialised.
 */
import { encodeLeaf } from '../../protocol/audit/leaf.ts';
import { canonicalBytes, canonicalize } from '../../protocol/canonical/jcs.ts';
import type { Envelope } from '../../protocol/dsse/index.ts';
import { isGovfedError } from '../../protocol/errors.ts';
import { COUNTS_PAYLOAD_TYPE, COUNTS_TYPE, countsPayload, type Tally } from '../../protocol/report/counts.ts';
import { countsLeaf } from '../../protocol/report/evidence.ts';
import { type CountsAsked, decodeCountsRequest, encodeCountsResponse } from '../../protocol/report/protocol.ts';
import { NodeError } from '../errors.ts';
import type { FederationContext } from '../federation/module.ts';
import type { AuditLog } from '../log/index.ts';
import type { ModelCounter } from './counter.ts';

const sameTally = (a: Tally, b: Tally) => canonicalize(a) === canonicalize(b);

export interface CountsSignerOptions {
  org: string;
  /** checkpointNow, when given, signs a checkpoint right after new statements (their witnessing starts at once). */
  log: Pick<AuditLog, 'append'> & Partial<Pick<AuditLog, 'checkpointNow'>>;
  counter: ModelCounter;
  now: () => Date;
  context(): FederationContext | undefined;
  /** True when this node's registry holds that version with that digest (only those are stated). */
  holds(model: CountsAsked['model'], digest: string): boolean;
}

export class CountsSigner {
  readonly #o: CountsSignerOptions;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(o: CountsSignerOptions) {
    this.#o = o;
  }

  /** The newest statement of each version asked for (signed and logged now when its tally changed). */
  statements(asked: readonly CountsAsked[]): Promise<Envelope[]> {
    const work = this.#tail.catch(() => {}).then(() => this.#statements(asked));
    this.#tail = work.catch(() => {});
    return work;
  }

  async #statements(asked: readonly CountsAsked[]): Promise<Envelope[]> {
    const ctx = this.#o.context();
    const chain = ctx?.chain();
    if (ctx === undefined || chain === undefined) throw new NodeError('ERR_NO_FEDERATION', 'not in a federation');
    const counter = this.#o.counter;
    await counter.setFederation(chain.federationId);
    await counter.ready(); // the start's catch-up of the log's tail, when it is still running
    const out: Envelope[] = [];
    let appended = false;
    for (const a of asked) {
      // A member may ask for anything: only versions this node holds get a statement, so that no request
      // makes it sign and log statements about digests it never saw (one append per version and change).
      if (!this.#o.holds(a.model, a.digest)) continue;
      const { tally, through } = counter.tally(a.digest);
      const held = counter.statement(a.digest);
      if (held !== undefined && sameTally(held.tally, tally)) {
        out.push(held.envelope);
        continue;
      }
      const c = {
        federation: chain.federationId,
        org: this.#o.org,
        model: a.model,
        digest: a.digest,
        through,
        ...tally,
        time: this.#o.now().toISOString(),
      };
      const envelope = ctx.signAsPeer(COUNTS_PAYLOAD_TYPE, countsPayload(c));
      const leaf = encodeLeaf(countsLeaf(envelope, { type: COUNTS_TYPE, ...c }));
      const [entry] = await this.#o.log.append([{ leaf, record: canonicalBytes(envelope) }]);
      if (entry === undefined) throw new NodeError('ERR_INTERNAL', 'the log appended nothing');
      await counter.keepStatement(a.digest, { envelope, tally, logIndex: entry.index });
      out.push(envelope);
      appended = true;
    }
    // The asker proves the new statements against a witnessed checkpoint: sign one now rather than at
    // the next interval, so the witnesses' round starts at once.
    if (appended) await this.#o.log.checkpointNow?.();
    return out;
  }

  /** The `/govfed/report/1.0.0` handler: requests (attacker-controlled) from members. */
  async handle(req: Uint8Array): Promise<Uint8Array> {
    try {
      return encodeCountsResponse({ type: 'counts', statements: await this.statements(decodeCountsRequest(req)) });
    } catch (err) {
      const code = isGovfedError(err) || err instanceof NodeError ? (err as { code: string }).code : 'ERR_INTERNAL';
      const message = code === 'ERR_INTERNAL' ? 'internal error' : (err as Error).message;
      return encodeCountsResponse({ type: 'error', code, message: message.slice(0, 1024) });
    }
  }
}
