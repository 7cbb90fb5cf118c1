/**
 * The anti-entropy exchange of one replicated chain, over the module's request protocol (members
 * only, one bounded frame each way). Gossip is the fast path, sync the guarantee: a node that was
 * offline catches up here.
 *
 *   round    hello → pull every version we lack up to the peer's (`get`, at most maxCatchUp, taken as
 *            one run: only the newest must be fully signed under today's charter) → push the pending
 *            proposals the peer lacks or that may carry more signatures → pull its receipts (objects
 *            that have receipts).
 *   serve    answers the same messages (attacker-controlled bytes); a peer that says it is ahead is
 *            pulled from soon after.
 * One round per peer at a time; a failed round is the module's `syncFailed` event.
 */
import { GovfedError } from '../../protocol/errors.ts';
import type { Envelope, Head } from '../../protocol/federation/index.ts';
import { NodeError } from '../errors.ts';
import type { EventSink } from '../events.ts';
import { byKey, headOf } from '../federation/heads.ts';
import type { ChainEmit, ChainSyncMessage } from './object.ts';
import type { ReplicatedChain } from './replicated.ts';
import { errorText, PeerRounds } from './util.ts';

export interface ChainSyncOptions {
  /**
   * Which pending proposals a round pushes to `peer` (default: all). The charter pushes to a peer in
   * its join window only the proposal that admits it.
   */
  pushes?: (peer: string, env: Envelope) => boolean;
  /**
   * When true, a pushed proposal or version that is refused fails the exchange with the refusal (the
   * pusher hears why; the owner's transport reports it) instead of being answered with a hello. The
   * charter's /govfed/sync always answered so; policy sync answers a hello.
   */
  refusePushes?: boolean;
  /** Other kinds' heads for our hello (the charter's: node/federation/heads.ts). */
  heads?: () => Record<string, Head>;
  /** A peer's hello (asked or answered) was heard: its other kinds' heads, if it sent any. */
  onHello?: (peer: string, heads: Record<string, Head>) => void;
}

export class ChainSync<O> {
  readonly #rc: ReplicatedChain<O>;
  readonly #events: EventSink;
  readonly #opts: ChainSyncOptions;
  readonly #rounds = new PeerRounds(
    (peer) => this.syncWith(peer),
    (version) => this.#rc.version < version,
  );
  #stopped = false;

  constructor(rc: ReplicatedChain<O>, events: EventSink, opts: ChainSyncOptions = {}) {
    this.#rc = rc;
    this.#events = events;
    this.#opts = opts;
  }

  start(): void {
    this.#stopped = false;
  }

  stop(): void {
    this.#stopped = true;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  hello(): ChainSyncMessage {
    const rc = this.#rc;
    const heads = this.#opts.heads?.();
    return {
      type: 'hello',
      version: rc.version,
      digest: rc.chain?.current?.digest ?? null,
      pending: rc.pending.ids(),
      ...(heads === undefined ? {} : { heads }),
    };
  }

  /**
   * The head of this chain's round (node/federation/heads.ts): its version, and a digest over all the
   * round pulls or pushes — the current version's digest, each pending proposal with its signatures, each
   * member's receipt. Two nodes with the same head have nothing to exchange.
   */
  head(): Head {
    const rc = this.#rc;
    const parts = [`v ${rc.version} ${rc.chain?.current?.digest ?? '-'}`];
    for (const [id, p] of byKey(rc.pending.entries())) {
      parts.push(`p ${id} ${p.envelope.signatures.map((s) => `${s.keyid}:${s.sig}`).join(' ')}`);
    }
    for (const [peer, env] of byKey(rc.receipts())) {
      parts.push(`r ${peer} ${env.signatures.map((s) => s.sig).join(' ')}`);
    }
    return headOf(rc.version, parts);
  }

  /** Answers one sync request (attacker-controlled bytes) from the member `from`. */
  async serve(req: Uint8Array, from: string): Promise<Uint8Array> {
    return this.#rc.object.encodeSync(await this.answer(this.#rc.object.decodeSync(req), from));
  }

  /**
   * Answers one decoded sync message (attacker-controlled) from `from`: for an owner whose protocol
   * carries more than the chain's messages (the charter's /govfed/sync also carries address books).
   */
  async answer(msg: ChainSyncMessage, from: string): Promise<ChainSyncMessage> {
    const rc = this.#rc;
    const chain = rc.requireChain();
    let reply: ChainSyncMessage;
    switch (msg.type) {
      case 'hello':
        if (msg.heads !== undefined) this.#opts.onHello?.(from, msg.heads);
        if (msg.version > chain.version) this.pullSoon(from, msg.version);
        reply = this.hello();
        break;
      case 'get':
        reply = { type: 'objects', envelopes: chain.since(msg.from).map((e) => e.envelope) };
        break;
      case 'get-receipts':
        // An object without receipts holds none: the answer is empty.
        reply = { type: 'receipts', envelopes: [...rc.receipts().values()] };
        break;
      case 'proposal':
        await this.#offerFromPeer(msg.envelope, from);
        reply = this.hello();
        break;
      case 'objects':
        if (msg.envelopes.length > 0) await this.#acceptRunFromPeer(msg.envelopes, from);
        reply = this.hello();
        break;
      case 'receipts':
        if (rc.object.receipts !== undefined) for (const env of msg.envelopes) this.#tryReceipt(env, from);
        reply = this.hello();
        break;
    }
    return reply;
  }

  /** One sync exchange with `peer`: hello; pull missing versions; push pending proposals; pull receipts. */
  async syncWith(peer: string): Promise<void> {
    const rc = this.#rc;
    if (rc.chain === undefined || rc.context?.chain() === undefined || this.#stopped) return;
    await this.#rounds.exclusive(peer, async () => {
      try {
        const hello = await this.#request(peer, this.hello());
        if (hello.type !== 'hello') {
          throw new GovfedError('ERR_MALFORMED_SYNC_MESSAGE', `expected ${rc.object.syncName('hello')}`);
        }
        if (hello.heads !== undefined) this.#opts.onHello?.(peer, hello.heads);
        const run: Envelope[] = [];
        let next = rc.version + 1;
        while (!this.#stopped && next <= hello.version && run.length < rc.object.maxCatchUp) {
          const reply = await this.#request(peer, { type: 'get', from: next });
          if (reply.type !== 'objects' || reply.envelopes.length === 0) break;
          run.push(...reply.envelopes);
          next += reply.envelopes.length;
        }
        if (run.length > 0) await this.#acceptRunFromPeer(run, peer, true);
        for (const [id, p] of rc.pending.entries()) {
          if (this.#stopped) break;
          if (this.#opts.pushes?.(peer, p.envelope) === false) continue;
          const theirs = hello.pending.includes(id);
          // Push what the peer lacks, and what may carry more signatures than its copy.
          if (!theirs || p.envelope.signatures.length > 1) {
            await this.#request(peer, { type: 'proposal', envelope: p.envelope });
          }
        }
        if (rc.object.receipts !== undefined) {
          const receipts = await this.#request(peer, { type: 'get-receipts' });
          if (receipts.type === 'receipts') for (const env of receipts.envelopes) this.#tryReceipt(env, peer);
        }
      } catch (err) {
        if (!this.#stopped)
          (this.#events as unknown as ChainEmit)(rc.object.events.syncFailed, { peer, error: errorText(err) });
      }
    });
  }

  /** A round with `peer` soon; with `version` (the peer holds it), only if this node still lacks it then. */
  pullSoon(peer: string, version?: number): void {
    this.#rounds.soon(peer, version);
  }

  async #offerFromPeer(env: Envelope, from: string): Promise<void> {
    try {
      await this.#rc.offer(env, 'sync', from);
    } catch (err) {
      if (this.#opts.refusePushes === true) throw err;
      this.#rc.reject('sync', from, err);
    }
  }

  /** Versions from a peer, oldest first, taken as one run (`pulled`: answers to our `get`). */
  async #acceptRunFromPeer(envs: readonly Envelope[], from: string, pulled = false): Promise<void> {
    try {
      this.#rc.applyRun(envs, 'sync', from);
      await this.#rc.tail.idle();
    } catch (err) {
      if (this.#opts.refusePushes === true && !pulled) throw err;
      this.#rc.reject('sync', from, err);
    }
  }

  #tryReceipt(env: Envelope, from: string): void {
    try {
      this.#rc.takeReceipt(env);
    } catch (err) {
      this.#rc.reject('sync', from, err);
    }
  }

  async #request(peer: string, msg: ChainSyncMessage): Promise<ChainSyncMessage> {
    const rc = this.#rc;
    const ctx = rc.context;
    if (ctx === undefined) throw new NodeError('ERR_NO_FEDERATION', `the ${rc.object.noun} service is not attached`);
    const bytes = await ctx.request(peer, rc.object.protocol, rc.object.encodeSync(msg), rc.object.maxSyncBytes);
    return rc.object.decodeSync(bytes);
  }
}
