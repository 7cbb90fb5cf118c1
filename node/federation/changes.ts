/**
 * Charter changes made here: new thresholds, removing a member, leaving, co-signing, and taking back
 * our signature from a pending change (withdrawing). Each builds the next charter version, signs it with
 * this node's peer key and offers it to the charter's replicated chain (charter-module.ts), which
 * completes it at once when our signature suffices or keeps and gossips it as a proposal.
 *
 *   setThreshold  rule `charter`: needs the charter threshold.
 *   remove        rule `removal` (protocol/federation/proposal.ts): the member list minus one, the
 *                 thresholds lowered only as far as the new member count needs; needs the admission
 *                 threshold. Once accepted, every node's gate refuses the removed peer's connections and
 *                 its gossip (it is no longer a member), and the removed node, hearing it, departs.
 *   leave         the same removal of ourselves, complete with our own signature (nobody is held in a
 *                 federation against its will). Handed to connected members by sync and gossip before we
 *                 take it ourselves (after it, we are no longer a member and may not publish).
 *   withdraw      a signed withdrawal (protocol/federation/withdrawal.ts) of our signature from one of
 *                 our pending changes: logged, gossiped; we may then sign a different change.
 */
import {
  type ApprovalRule,
  type ApprovalRules,
  addSignature,
  charterDigest,
  checkNotExpired,
  type Envelope,
  nextCharter,
  type RiskTier,
  removeMembers,
  type SyncMessage,
  signCharter,
  signWithdrawal,
  type Thresholds,
  withApprovalRule,
} from '../../protocol/federation/index.ts';
import { isRole, ROLES } from '../../protocol/registry/roles.ts';
import { errorText } from '../chain/index.ts';
import { NodeError } from '../errors.ts';
import type { CharterModule } from './charter-module.ts';
import type { FederationCore } from './core.ts';
import { PROPOSAL_TTL_MS } from './pending.ts';
import { type FederationStatus, type ProposalView, view } from './views.ts';

export class CharterChanges {
  readonly #c: FederationCore;
  readonly #charter: CharterModule;
  readonly #status: () => FederationStatus;
  readonly #departure: () => Promise<void>;
  /** True from `leave()` until we departed: the departure's reason is `left`, not `removed`. */
  leaving = false;

  /** `departure`: resolves once this node's departure (if one is under way) is complete. */
  constructor(
    core: FederationCore,
    charter: CharterModule,
    hooks: { status: () => FederationStatus; departure: () => Promise<void> },
  ) {
    this.#c = core;
    this.#charter = charter;
    this.#status = hooks.status;
    this.#departure = hooks.departure;
  }

  /** Proposes a threshold change (a charter change); completes it at once when our signature suffices. */
  async setThreshold(t: Partial<Thresholds>): Promise<ProposalView | FederationStatus> {
    const chain = this.#c.requireChain();
    const cur = chain.current.thresholds;
    const admission = t.admission ?? cur.admission;
    const charter = t.charter ?? Math.max(cur.charter, admission);
    const next = nextCharter(chain.current, {
      createdAt: this.#c.now().toISOString(),
      expiresAt: this.#c.expiry(PROPOSAL_TTL_MS),
      thresholds: {
        admission,
        charter,
        policy: t.policy ?? cur.policy,
        ...(t.witness === undefined ? {} : { witness: t.witness }),
        ...(t.revocation === undefined ? {} : { revocation: t.revocation }),
        ...(t.suspensionTtl === undefined ? {} : { suspensionTtl: t.suspensionTtl }),
      },
    });
    this.#charter.rc.assertNoConflict(next.version, charterDigest(next));
    return await this.propose(signCharter(next, this.#c.seed));
  }

  /**
   * Proposes the charter with the approval rule of `tier` set (or removed, `rule` null): rule `charter`.
   * A rule needing approvers from more orgs than the charter has members could never be met: refused.
   */
  async setApprovalRule(tier: RiskTier, rule: ApprovalRule | null): Promise<ProposalView | FederationStatus> {
    const chain = this.#c.requireChain();
    const members = chain.current.members.length;
    if (rule !== null && rule.orgs > members) {
      throw new NodeError(
        'ERR_INVALID_APPROVAL_RULE',
        `the ${tier} rule asks for approvers from ${rule.orgs} orgs, but the federation has ${members} members`,
      );
    }
    const unknown = rule?.roles.find((r) => !isRole(r));
    if (unknown !== undefined) {
      throw new NodeError('ERR_INVALID_APPROVAL_RULE', `unknown role "${unknown}": roles are ${ROLES.join(', ')}`);
    }
    const current = chain.current.approvals ?? {};
    if (rule === null && current[tier] === undefined) {
      throw new NodeError('ERR_INVALID_APPROVAL_RULE', `the charter has no approval rule for tier ${tier}`);
    }
    let approvals: ApprovalRules;
    try {
      approvals = withApprovalRule(current, tier, rule);
    } catch (err) {
      throw new NodeError('ERR_INVALID_APPROVAL_RULE', errorText(err).replace(/^ERR_MALFORMED_CHARTER: charter: /, ''));
    }
    const next = nextCharter(chain.current, {
      createdAt: this.#c.now().toISOString(),
      expiresAt: this.#c.expiry(PROPOSAL_TTL_MS),
      approvals,
    });
    this.#charter.rc.assertNoConflict(next.version, charterDigest(next));
    return await this.propose(signCharter(next, this.#c.seed));
  }

  /** Proposes removing the member `org` (rule `removal`); our own org is `leave()`. */
  async remove(org: string): Promise<ProposalView | FederationStatus> {
    const chain = this.#c.requireChain();
    const member = chain.current.members.find((m) => m.org === org);
    if (member === undefined) {
      const orgs = chain.current.members.map((m) => m.org).join(', ');
      throw new NodeError('ERR_NOT_FOUND', `no member ${org} in the charter (members: ${orgs})`);
    }
    if (member.peerId === this.#c.peerId) return await this.leave();
    const next = removeMembers(
      chain.current,
      [member.peerId],
      this.#c.now().toISOString(),
      this.#c.expiry(PROPOSAL_TTL_MS),
    );
    this.#charter.rc.assertNoConflict(next.version, charterDigest(next));
    return await this.propose(signCharter(next, this.#c.seed));
  }

  /**
   * Leaves the federation: our removal, complete with our signature, handed to every connected member
   * (sync, then gossip) and then taken here — after which this node departs (service.ts).
   */
  async leave(): Promise<FederationStatus> {
    const chain = this.#c.requireChain();
    if (chain.current.members.length === 1) {
      throw new NodeError(
        'ERR_LAST_MEMBER',
        'this node is the only member: a federation keeps at least one; admit another member first, or stop using it',
      );
    }
    const next = removeMembers(chain.current, [this.#c.peerId], this.#c.now().toISOString());
    this.#charter.rc.assertNoConflict(next.version, charterDigest(next));
    const env = signCharter(next, this.#c.seed);
    this.leaving = true;
    const push: SyncMessage = { type: 'charters', envelopes: [env] };
    const net = this.#c.net;
    if (net !== undefined) {
      await Promise.all(
        this.#c
          .context()
          .connectedMembers()
          .map(async (peer) => {
            try {
              await net.sync.request(peer, push);
            } catch (err) {
              this.#c.events('federation:sync-failed', { peer, error: errorText(err) });
            }
          }),
      );
    }
    await this.#c.publish('charter', env); // while we are still a member
    try {
      await this.#charter.rc.offer(env, 'local');
    } catch (err) {
      // A member we handed it to told it back to us first (they tell a removed member): taken already.
      const taken = this.#c.chain === undefined || this.#c.chain.head.digest === charterDigest(next);
      if (!taken) throw err;
    }
    await this.#charter.rc.tail.idle();
    await this.#departure();
    return this.#status();
  }

  /** Co-signs a pending proposal, given by id (charter digest) or as an envelope. */
  async sign(ref: string | Envelope): Promise<ProposalView | FederationStatus> {
    const chain = this.#c.requireChain();
    const rc = this.#charter.rc;
    const env =
      typeof ref === 'string'
        ? rc.pending.resolve(ref, 'pending proposal', () => rc.chain?.versions() ?? []).envelope
        : ref;
    const s = chain.proposalStatus(env); // throws for anything that is not a valid next version
    // We never sign a change past the deadline its signers set (an expired invite stays expired).
    checkNotExpired(s.charter, this.#c.now().getTime());
    this.#charter.rc.assertNoConflict(s.charter.version, s.digest);
    return await this.propose(addSignature(env, this.#c.seed, { verify: this.#c.verify }));
  }

  /**
   * Takes back our signature from the pending change `id` (digest or unique prefix): ERR_NOT_FOUND when
   * there is none, ERR_NOT_SIGNER when we did not sign it. Answers the federation status.
   */
  async withdraw(id: string): Promise<FederationStatus> {
    const chain = this.#c.requireChain();
    const p = this.#charter.rc.pending.resolve(id, 'pending proposal');
    const s = chain.proposalStatus(p.envelope);
    if (!s.signedBy.includes(this.#c.peerId)) {
      throw new NodeError(
        'ERR_NOT_SIGNER',
        `this node has not signed ${s.digest}: there is no signature of ours to withdraw`,
      );
    }
    const env = signWithdrawal(
      {
        federationId: chain.federationId,
        version: s.charter.version,
        digest: s.digest,
        withdrawnAt: this.#c.now().toISOString(),
      },
      this.#c.seed,
    );
    this.#charter.withdraw(env, 'local');
    await this.#charter.rc.tail.idle();
    return this.#status();
  }

  /**
   * A change made or signed here: merged with our copy; if complete, accepted and gossiped as a charter
   * (the federation status answers), otherwise kept, logged (`federation.proposal`) and gossiped as a
   * proposal (its view answers).
   */
  async propose(env: Envelope): Promise<ProposalView | FederationStatus> {
    const rc = this.#charter.rc;
    const chain = this.#c.requireChain();
    const info = await rc.offer(env, 'local');
    // While it was logged and gossiped, a peer may have completed it (ours was the signature it lacked):
    // then, as for a change complete here, the federation status answers.
    if (info.status.complete || chain.version >= info.status.version) return this.#status();
    const held = rc.pending.get(info.status.digest);
    return view(info.status.digest, chain.proposalStatus(held?.envelope ?? env), info.expiresAt);
  }
}
