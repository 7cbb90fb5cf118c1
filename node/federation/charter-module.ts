/**
 * The charter as a federation module on the generic replicated chain (node/chain): a
 * ReplicatedChain<Charter> with the charter's own parts (charter-object.ts) — the same pending set,
 * co-signing, fork evidence, persist → audit tail and anti-entropy as policy baselines. Its gossip
 * kinds `charter` (a complete version) and `proposal` (a change waiting for co-signatures) go through
 * the same validation path as every module's (network.ts checks the gossip envelope, then this judges
 * the body). The body is attacker-controlled (the sender is a member, not necessarily honest):
 *   charter   the chain's acceptance rule now (ReplicatedChain.applyRun; the rest on its tail):
 *             accept, or ignore a duplicate
 *   proposal  the chain's gossip verdict (node/chain/gossip.ts): the pending limits and deadlines
 *             (charter-object.ts `admit`) checked before anything is stored
 * A stale version or a gap (the gap also pulls from the sender) is not malice: Ignore. Limits and
 * deadlines depend on this node's state and clock: Ignore when a member merely forwarded it. Anything
 * else is a Reject. The charter judges bodies of senders with a newer charter itself (judgesNewer).
 *
 * What the charter adds around the chain, as its owner: an accepted version tells every module in the
 * same turn (a gossip message about a new member must not meet a module that still knows the old
 * member list), ends the join's bootstrap trust, closes the connections it no longer allows, and a
 * version learnt by sync is passed on by gossip. Its rejections (sync) are the federation's
 * `federation:rejected` {via, kind: charter, code, action}; gossip ones are reported by network.ts.
 */
import { isGovfedError } from '../../protocol/errors.ts';
import {
  type Charter,
  type CharterChain,
  charterOf,
  type Envelope,
  envelopeFromBody,
  type GossipMessage,
  isGossipValidationError,
  removedMembers,
} from '../../protocol/federation/index.ts';
import { ChainSync, objectGossipVerdict, ReplicatedChain } from '../chain/index.ts';
import { type GossipVerdict, verdictOf } from '../p2p/pubsub.ts';
import { charterObject, charterWindowHooks } from './charter-object.ts';
import type { FederationCore } from './core.ts';
import type { FederationContext, FederationModule } from './module.ts';
import { WithdrawalBook } from './withdrawals.ts';

export class CharterModule implements FederationModule {
  readonly name = 'charter';
  readonly judgesNewer = true;
  readonly gossip: Readonly<Record<string, (msg: GossipMessage, from: string) => GossipVerdict>>;
  /** The charter's replicated chain: pending changes, co-signing, accepting, fork evidence. */
  readonly rc: ReplicatedChain<Charter>;
  /** Its anti-entropy (the chain's messages of /govfed/sync; sync.ts serves the protocol). */
  readonly sync: ChainSync<Charter>;
  /** Signatures taken back from pending changes (`withdrawal` gossip, `federation withdraw`). */
  readonly withdrawals = new WithdrawalBook();
  readonly #c: FederationCore;

  constructor(core: FederationCore) {
    this.#c = core;
    const rc: ReplicatedChain<Charter> = new ReplicatedChain<Charter>({
      ...charterWindowHooks({
        gate: core.gate,
        self: core.peerId,
        chain: () => core.chain,
        pending: () => rc.pending.values(),
      }),
      object: {
        ...charterObject({ federationId: () => core.requireChain().federationId, now: () => core.now().getTime() }),
        withdrawn: (digest) => this.withdrawals.signers(digest),
      },
      self: core.peerId,
      seed: core.seed,
      log: core.log,
      events: core.events,
      now: core.now,
      persist: () => core.persist(),
      onHead: (_head, reason) => {
        if (reason !== 'applied') return;
        core.bootstrap = [];
        const chain = core.chain;
        if (chain !== undefined) this.withdrawals.prune(chain);
        core.notifyCharter();
      },
      onRejected: (_code, via, peer, err) => {
        if (via !== 'gossip') core.reject(via, 'charter', peer, err, 'reject');
      },
      onApplied: async (head, via) => {
        // Members that missed it by gossip learn it from us; by gossip it spread already, and a joiner's
        // own admission goes to members by sync (they do not know it before they accept it).
        if (via === 'sync') await core.publish('charter', head.envelope);
        const before = core.chain?.versions().find((e) => e.version === head.version - 1)?.charter;
        const gone = before === undefined ? [] : removedMembers(before, head.object);
        // Removed members still connected hear it from us by sync before the sweep closes them out.
        await Promise.all(gone.filter((p) => p !== core.peerId).map((p) => core.handCharter(p, head.envelope)));
        await core.net?.host.sweep();
        // we left or were removed — unless the charter seats us under the peer key we rotated to
        if (gone.includes(core.peerId) && !core.rotatedAway(head.object)) await core.departed(head.version);
      },
    });
    this.rc = rc;
    this.sync = new ChainSync(rc, core.events, {
      // A refused push fails the exchange: the pusher (a joiner, say) hears why.
      refusePushes: true,
      // A peer in its join window gets only the proposal that admits it.
      pushes: (peer, env) => core.gate.isMember(peer) || charterOf(env).members.some((m) => m.peerId === peer),
      // The hello carries the modules' heads, so that their rounds skip what matches (heads.ts).
      heads: () => core.moduleHeads(),
      onHello: (peer, heads) => core.peerHeads.note(peer, heads),
    });
    this.gossip = {
      charter: (msg, from) => this.#judgeComplete(msg, from),
      proposal: (msg, from) => objectGossipVerdict(rc, msg, from, (p, v) => core.pullSoon(p, v)),
      withdrawal: (msg, from) => this.#judgeWithdrawal(msg, from),
    };
  }

  /**
   * Believes a withdrawal (made here, or received: attacker-controlled — verified first, a typed refusal
   * otherwise) and takes the signature out of our copy of the proposal; a copy left without a current
   * member's signature is dropped. False when it was known already. Persisted on the chain's tail; local
   * ones are then logged (`federation.withdrawal`) and gossiped.
   */
  withdraw(env: Envelope, via: 'local' | 'gossip', from?: string): boolean {
    const chain = this.#c.requireChain();
    const w = this.withdrawals.take(env, chain, this.#c.verify);
    if (!w.fresh) return false;
    const { digest, version } = w.withdrawal;
    const held = this.rc.pending.get(digest);
    if (held !== undefined) {
      const signatures = held.envelope.signatures.filter((s) => s.keyid !== w.signer);
      if (signatures.some((s) => s.keyid !== undefined && chain.isMember(s.keyid))) {
        this.rc.pending.set(digest, { ...held, envelope: { ...held.envelope, signatures } });
      } else {
        this.rc.pending.delete(digest);
      }
    }
    const dropped = held !== undefined && !this.rc.pending.has(digest);
    this.#c.events('federation:withdrawn', {
      via,
      id: digest,
      version,
      signer: w.signer,
      dropped,
      ...(from === undefined ? {} : { from }),
    });
    this.rc.tail.queue(async () => {
      await this.#c.persist();
      if (via !== 'local') return;
      await this.#c.audit('federation.withdrawal', version, env);
      await this.#c.publish('withdrawal', env);
    });
    return true;
  }

  /** A withdrawal by gossip: a forged or non-member one is a Reject, a known one an Ignore. */
  #judgeWithdrawal(msg: GossipMessage, from: string): GossipVerdict {
    try {
      return this.withdraw(envelopeFromBody(msg.body), 'gossip', from)
        ? { result: 'accept' }
        : { result: 'ignore', error: undefined };
    } catch (err) {
      return verdictOf(err);
    }
  }

  attach(ctx: FederationContext): void {
    this.rc.attach(ctx);
  }

  onCharter(chain: CharterChain): void {
    this.rc.onCharter(chain);
  }

  /** A complete version by gossip: the chain's acceptance rule now; persistence and audit follow in order. */
  #judgeComplete(msg: GossipMessage, from: string): GossipVerdict {
    try {
      const env: Envelope = envelopeFromBody(msg.body);
      return this.rc.applyRun([env], 'gossip', msg.sender)
        ? { result: 'accept' }
        : { result: 'ignore', error: undefined };
    } catch (err) {
      let verdict = verdictOf(err);
      if (!isGossipValidationError(err)) {
        const code = isGovfedError(err) ? err.code : '';
        if (code === 'ERR_CHARTER_GAP') {
          this.#c.pullSoon(from);
          verdict = { result: 'ignore', error: err };
        } else if (this.rc.object.localCodes?.includes(code) === true && msg.sender !== from) {
          // A deadline depends on this node's clock: penalise the signer that published it, not an
          // honest member that forwarded it.
          verdict = { result: 'ignore', error: err };
        }
      }
      return verdict;
    }
  }
}
