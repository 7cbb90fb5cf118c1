/**
 * The charter chain's job: proposing, co-signing and accepting charter versions. A proposal this node
 * makes or signs is merged with its copy (PendingProposals), stored, logged and gossiped; one received
 * (gossip, sync: attacker-controlled) is checked against the pending limits and merged; a complete one
 * is accepted (CharterChain.accept, past-deadline refusals by checkDeadline), then — modules told in
 * the same turn — persisted, audited, gossiped unless it came by gossip, and the connections it no
 * longer allows are closed. A fork is audited as evidence. This node never signs two charters with one
 * version (ERR_PROPOSAL_PENDING).
 */
import { isGovfedError } from '../../protocol/errors.ts';
import { type CharterChain, charterOf, type Envelope } from '../../protocol/federation/index.ts';
import { errorText } from '../chain/index.ts';
import type { FederationCore } from './core.ts';
import { checkDeadline } from './pending.ts';
import { type FederationStatus, type ProposalView, view } from './views.ts';

export class Charters {
  readonly #c: FederationCore;
  /** The federation status (what a completed change answers). */
  readonly #status: () => FederationStatus;

  constructor(core: FederationCore, status: () => FederationStatus) {
    this.#c = core;
    this.#status = status;
  }

  proposalViews(): ProposalView[] {
    const chain = this.#c.chain;
    if (chain === undefined) return [];
    const out: ProposalView[] = [];
    for (const [id, p] of this.#c.proposals.entries()) {
      try {
        const s = chain.proposalStatus(p.envelope);
        out.push(view(id, s, p.expiresAt));
      } catch {
        // stale: dropped on the next change
      }
    }
    return out;
  }

  /**
   * A proposal we made or signed: merged with our copy; if complete, accepted and gossiped as a charter,
   * otherwise stored, logged (this node signed it) and gossiped as a proposal.
   */
  async propose(env: Envelope): Promise<ProposalView | FederationStatus> {
    const chain = this.#c.requireChain();
    const { merged, status, expiresAt } = this.#c.proposals.offer(chain, env, true);
    if (status.complete) {
      await this.acceptCharter(merged, 'local');
      return this.#status();
    }
    await this.#c.persist();
    await this.#c.audit('federation.proposal', status.charter.version, merged);
    await this.#c.publish('proposal', merged);
    return view(status.digest, status, expiresAt);
  }

  /**
   * A proposal from a peer (gossip or sync; attacker-controlled `env`): checked against the pending
   * limits (pending.ts: deadline, a member signature, per signer and version, in total), merged, and
   * accepted when complete. Persisted when it is new or brings signatures; not logged on receipt (the
   * audit log records proposals this node signs and the charters it accepts). Throws the typed refusal.
   */
  async receiveProposal(env: Envelope, via: string, from: string): Promise<void> {
    const chain = this.#c.requireChain();
    const { merged, status: s, grew } = this.#c.proposals.offer(chain, env, false);
    if (!grew) return;
    this.#c.events('federation:proposal', {
      via,
      from,
      id: s.digest,
      signatures: s.signedBy.length,
      complete: s.complete,
    });
    if (s.complete) {
      await this.acceptCharter(merged, 'local');
      return;
    }
    await this.#c.persist();
  }

  /**
   * Takes a charter version (attacker-controlled unless `via` is local). On acceptance: persist, audit,
   * drop proposals it supersedes, close connections it no longer allows, and gossip it unless it came
   * by gossip. Throws the chain's error (ERR_CHARTER_GAP, ERR_BAD_SIGNATURE, …); a fork is audited.
   */
  async acceptCharter(
    env: Envelope,
    via: 'local' | 'join' | 'gossip' | 'sync',
    successor?: Envelope,
  ): Promise<'accepted' | 'duplicate'> {
    const chain = this.#c.requireChain();
    let result: ReturnType<CharterChain['accept']>;
    try {
      if (via === 'gossip' || via === 'sync') checkDeadline(chain, env, this.#c.now().getTime(), successor);
      result = chain.accept(env);
    } catch (err) {
      if (isGovfedError(err, 'ERR_CHARTER_FORK')) {
        await this.#c.audit('federation.fork', charterOf(env).version, env);
      }
      throw err;
    }
    if (result.status === 'duplicate') return 'duplicate';
    await this.afterAccept(result.entry.version, env, result.entry.digest, via);
    return 'accepted';
  }

  async afterAccept(version: number, env: Envelope, digest: string, via: string): Promise<void> {
    const chain = this.#c.requireChain();
    // Modules learn the new charter in the same turn as the chain moves: a gossip message about a new
    // member (its log, its witness key) must not meet a module that still knows the old member list.
    this.#c.notifyCharter();
    this.#c.proposals.prune(chain);
    this.#c.bootstrap = [];
    await this.#c.persist();
    await this.#c.audit('federation.charter', version, env, digest);
    this.#c.events('federation:charter', { version, digest, via, members: chain.current.members.length });
    if (via !== 'gossip' && via !== 'join') await this.#c.publish('charter', env);
    await this.#c.net?.host.sweep();
  }

  /** chain.accept now, the rest queued; true when accepted (false for a duplicate). Throws the chain's error. */
  acceptNow(env: Envelope): boolean {
    const chain = this.#c.requireChain();
    let r: ReturnType<CharterChain['accept']>;
    try {
      checkDeadline(chain, env, this.#c.now().getTime());
      r = chain.accept(env);
    } catch (err) {
      if (isGovfedError(err, 'ERR_CHARTER_FORK')) {
        void this.#c.audit('federation.fork', charterOf(env).version, env);
      }
      throw err;
    }
    if (r.status === 'duplicate') return false;
    void this.afterAccept(r.entry.version, env, r.entry.digest, 'gossip').catch((err) =>
      this.#c.events('federation:error', { error: errorText(err) }),
    );
    return true;
  }

  /** ERR_PROPOSAL_PENDING when this node signed another pending change for `version` (pending.ts). */
  assertNoConflict(version: number, digest: string): void {
    this.#c.proposals.assertNoConflict(version, digest);
  }
}
