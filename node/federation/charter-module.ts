/**
 * The charter as a federation module: its gossip kinds `charter` (a complete version) and `proposal`
 * (a change waiting for co-signatures) go through the same validation path as every module's
 * (network.ts: the gossip envelope checked by decodeAndVerifyGossip, then this judge of the body).
 * The body is attacker-controlled (the sender is a member, not necessarily honest):
 *   charter   CharterChain.accept now (the rest queued): accept, or ignore a duplicate
 *   proposal  proposalStatus + the pending limits (pending.ts), checked before anything is stored
 * A stale version or a gap (the gap also pulls from the sender) is not malice: Ignore. Limits and
 * deadlines depend on this node's state and clock: Ignore when a member merely forwarded it. Anything
 * else is a Reject. The charter judges bodies of senders with a newer charter itself (judgesNewer).
 */
import { isGovfedError } from '../../protocol/errors.ts';
import { envelopeFromBody, type GossipMessage, isGossipValidationError } from '../../protocol/federation/index.ts';
import { type GossipVerdict, verdictOf } from '../p2p/pubsub.ts';
import type { Charters } from './charters.ts';
import type { FederationCore } from './core.ts';
import type { FederationContext, FederationModule } from './module.ts';

/** Refusals that depend on local state or the clock. */
const LIMIT_CODES = new Set(['ERR_PROPOSAL_LIMIT', 'ERR_PROPOSAL_EXPIRED']);

export class CharterModule implements FederationModule {
  readonly name = 'charter';
  readonly judgesNewer = true;
  readonly gossip: Readonly<Record<string, (msg: GossipMessage, from: string) => GossipVerdict>>;
  readonly #c: FederationCore;
  readonly #charters: Charters;

  constructor(core: FederationCore, charters: Charters) {
    this.#c = core;
    this.#charters = charters;
    this.gossip = {
      charter: (msg, from) => this.#judge('charter', msg, from),
      proposal: (msg, from) => this.#judge('proposal', msg, from),
    };
  }

  attach(_ctx: FederationContext): void {}

  #judge(kind: 'charter' | 'proposal', msg: GossipMessage, from: string): GossipVerdict {
    const chain = this.#c.requireChain();
    try {
      const env = envelopeFromBody(msg.body);
      if (kind === 'charter') {
        // Synchronous part of accept (the chain moves now); persistence and audit follow in order.
        const r = this.#charters.acceptNow(env);
        return r ? { result: 'accept' } : { result: 'ignore', error: undefined };
      }
      // A forged proposal is a reject, not only a log line; so is one past its deadline, without a
      // member signature or over the pending limits (pending.ts) — checked before anything is stored.
      this.#c.proposals.admit(chain.proposalStatus(env));
      void this.#charters
        .receiveProposal(env, 'gossip', from)
        .catch((err) => this.#c.reject('gossip', kind, from, err, 'ignore'));
      return { result: 'accept' };
    } catch (err) {
      let verdict = verdictOf(err);
      if (!isGossipValidationError(err)) {
        // The body failed the charter rules: a stale or gap is not necessarily malice.
        const code = isGovfedError(err) ? err.code : '';
        if (code === 'ERR_CHARTER_GAP') {
          this.#c.pullSoon(from);
          verdict = { result: 'ignore', error: err };
        } else if (kind === 'proposal' && code === 'ERR_CHARTER_STALE') {
          verdict = { result: 'ignore', error: err };
        } else if (LIMIT_CODES.has(code) && msg.sender !== from) {
          // Limits and deadlines depend on what this node holds and its clock: penalise the signer that
          // published it, not an honest member that forwarded it.
          verdict = { result: 'ignore', error: err };
        }
      }
      return verdict;
    }
  }
}
