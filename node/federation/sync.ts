/**
 * The /govfed/sync protocol (node/p2p/sync.ts): the charter chain's anti-entropy (the generic ChainSync
 * of the charter module: hello, pull missing versions, push pending proposals) plus what only the
 * federation has — member address books. Every SYNC_INTERVAL_MS, and on each new connection, the node
 * syncs with up to SYNC_FANOUT random connected peers, asks a member's address book when it lacks
 * addresses — in the first round with a new connection, and in the exchange by which a joiner hands
 * over its admission — dials what it learns at once, re-dials (in the background, backed off after
 * failures: dial-backoff.ts) members it knows addresses of, then runs each module's sync round. So
 * every member reaches every other directly; nobody relays for another.
 * Serving: members may ask everything; a peer in its join window only `hello` and its own admission.
 * Every request is attacker-controlled; accept / merge go through the charter's ReplicatedChain.
 */
import { GovfedError } from '../../protocol/errors.ts';
import {
  addressesResponse,
  type Charter,
  type CharterChain,
  charterOf,
  chartersResponse,
  type Envelope,
  helloFor,
  MAX_BOOTSTRAP_ADDRS,
  type SyncMessage,
} from '../../protocol/federation/index.ts';
import { type ChainSync, errorText, PeerRounds, type PendingSet, shuffle } from '../chain/index.ts';
import type { CharterModule } from './charter-module.ts';
import { fromWire, toWire } from './charter-object.ts';
import type { FederationCore } from './core.ts';

/** Peers a sync round talks to (chosen at random among the connected members). */
export const SYNC_FANOUT = 3;
/**
 * Longest first dial of one known address of a member (re-dials, and addresses just learnt); doubled per
 * failure in a row (dial-backoff.ts).
 */
export const REDIAL_ADDRESS_TIMEOUT_MS = 2000;
/** Longest re-dial of one member, over all its known addresses. */
export const REDIAL_TIMEOUT_MS = 8000;

export class FederationSync {
  readonly #c: FederationCore;
  readonly #chainSync: ChainSync<Charter>;
  readonly #pending: PendingSet;
  readonly #rounds = new PeerRounds(
    (peer) => this.syncWith(peer),
    (version) => (this.#c.chain?.version ?? -1) < version,
  );
  /** Members whose re-dial failed, reported once until a dial works again. */
  readonly #unreachable = new Set<string>();
  /** Whether the charter held at the last change listed this node (see #onCharter). */
  #wasMember = false;

  constructor(core: FederationCore, charter: Pick<CharterModule, 'sync' | 'rc'>) {
    this.#c = core;
    this.#chainSync = charter.sync;
    this.#pending = charter.rc.pending;
    core.pullSoon = (peer, version) => this.pullSoon(peer, version);
    core.charterHooks.push((chain) => this.#onCharter(chain));
  }

  async serveSync(msg: SyncMessage, from: string): Promise<SyncMessage> {
    const chain = this.#c.requireChain();
    if (!this.#c.gate.isMember(from)) {
      if (!this.#c.gate.inWindow(from)) return this.#serveDeparted(chain, msg, from);
      this.#checkJoinerRequest(chain, msg, from);
    }
    this.#c.seen(from);
    switch (msg.type) {
      case 'get-addresses':
        return addressesResponse(chain, this.addressBook());
      case 'addresses':
        this.learnAddresses(chain, msg.members);
        return helloFor(chain);
      default: {
        const reply = await this.#chainSync.answer(fromWire(msg, chain.federationId), from);
        return toWire(reply, chain.federationId);
      }
    }
  }

  /** The member addresses we know, ours included (what `get-addresses` answers). */
  addressBook(): Record<string, readonly string[]> {
    const ours = this.#c.net?.host.addresses() ?? [];
    return { ...this.#c.addresses, ...(ours.length > 0 ? { [this.#c.peerId]: ours } : {}) };
  }

  /** True when some other member of the charter has no known address (then we ask a member's book). */
  #missingAddresses(chain: CharterChain): boolean {
    return chain.current.members.some(
      (m) => m.peerId !== this.#c.peerId && (this.#c.addresses[m.peerId]?.length ?? 0) === 0,
    );
  }

  /**
   * Addresses a member told us (hints, attacker-controlled): kept only for members of the charter we
   * have no address of — never replacing one learnt first-hand (identify, invite) — and dialled at once
   * (Noise proves the peer id), so that a member learns of and reaches the others in its first exchange.
   */
  learnAddresses(chain: CharterChain, members: Record<string, string[]>): void {
    const learnt: string[] = [];
    for (const [peer, addrs] of Object.entries(members)) {
      if (peer === this.#c.peerId || !chain.isMember(peer) || (this.#c.addresses[peer]?.length ?? 0) > 0) continue;
      this.#c.addresses[peer] = addrs.slice(0, MAX_BOOTSTRAP_ADDRS);
      learnt.push(peer);
    }
    if (learnt.length === 0) return;
    this.#c.persistSoon();
    void Promise.all(learnt.map((peer) => this.#redial(peer)));
  }

  /**
   * Asks member `peer` for its address book (`get-addresses`) when some member of our charter has no
   * known address, and dials what it tells us. Failures are `federation:sync-failed` events.
   */
  async askAddresses(peer: string): Promise<void> {
    const net = this.#c.net;
    const chain = this.#c.chain;
    if (net === undefined || chain === undefined || this.#c.stopped || !this.#missingAddresses(chain)) return;
    try {
      const book = await net.sync.request(peer, { type: 'get-addresses' });
      if (book.type === 'addresses' && this.#c.chain !== undefined) this.learnAddresses(this.#c.chain, book.members);
    } catch (err) {
      if (!this.#c.stopped) this.#c.events('federation:sync-failed', { peer, error: errorText(err) });
    }
  }

  /**
   * After the charter moved: when it made this node a member (an admission that needed more
   * signatures than the invitee's arrives by sync or gossip), a round with each connected member soon —
   * the round asks the address book that a peer in its join window may not.
   */
  #onCharter(chain: CharterChain): void {
    const member = chain.isMember(this.#c.peerId);
    const admitted = member && !this.#wasMember;
    this.#wasMember = member;
    const net = this.#c.net;
    if (!admitted || net === undefined) return;
    for (const p of net.host.connectedPeers()) if (chain.isMember(p)) this.pullSoon(p);
  }

  /**
   * What a peer in a join window (not a member yet) may ask: only what joining needs. It holds the
   * chain its invite carries, so: `hello`, and pushing the change that admits *it* — the `proposal`
   * with its signature, or the complete `charters` version. No `get-charters` (the chain, or versions
   * past its invite, are for members), no other proposals. Throws ERR_UNKNOWN_SIGNER.
   */
  #checkJoinerRequest(chain: CharterChain, msg: SyncMessage, from: string): void {
    const admitsSender = (env: Envelope) => {
      const c = charterOf(env);
      return c.version === chain.version + 1 && c.members.some((m) => m.peerId === from);
    };
    const ok =
      msg.type === 'hello' ||
      (msg.type === 'proposal' && admitsSender(msg.envelope)) ||
      (msg.type === 'charters' && msg.envelopes.length === 1 && admitsSender(msg.envelopes[0] as Envelope));
    if (!ok) {
      throw new GovfedError(
        'ERR_UNKNOWN_SIGNER',
        `${from} is not a member: in its join window it may only send hello and its own admission (not ${msg.type})`,
      );
    }
  }

  /**
   * What a peer the chain removed may ask (departures.ts): it learns that it was removed — a `hello` that
   * says our chain ends at the version that removed it, and `get-charters` up to that version — so one
   * removed while offline departs when it comes back. Nothing past its removal, nothing else: anything
   * other, or from a stranger, is ERR_UNKNOWN_SIGNER.
   */
  #serveDeparted(chain: CharterChain, msg: SyncMessage, from: string): SyncMessage {
    const removedAt = this.#c.departures.versionFor(from);
    const at = removedAt === undefined ? undefined : chain.entry(removedAt);
    if (removedAt === undefined || at === undefined) {
      throw new GovfedError('ERR_UNKNOWN_SIGNER', `${from} is not a member`);
    }
    if (msg.type === 'hello') {
      fromWire(msg, chain.federationId); // ERR_FEDERATION_MISMATCH for another federation
      const head = { height: removedAt, digest: at.digest };
      return { type: 'hello', federationId: chain.federationId, charterVersion: removedAt, heads: { charter: head } };
    }
    if (msg.type === 'get-charters' && msg.from >= 1 && msg.from <= removedAt) {
      const reply = chartersResponse(chain, msg);
      reply.envelopes = reply.envelopes.slice(0, removedAt - msg.from + 1);
      if (msg.from + reply.envelopes.length > removedAt) {
        this.#c.events('federation:told-removed', { peer: from, version: removedAt });
      }
      return reply;
    }
    throw new GovfedError(
      'ERR_UNKNOWN_SIGNER',
      `${from} was removed at charter version ${removedAt}: it may only learn that (hello, get-charters up to it), not ${msg.type}`,
    );
  }

  /**
   * One sync round with `peer`: the charter chain's (hello, pull the versions we lack, push pending
   * proposals — to a peer in its join window only the one that admits it), then, from a member, its
   * address book when we lack some member's addresses.
   */
  async syncWith(peer: string): Promise<void> {
    const net = this.#c.net;
    if (net === undefined || this.#c.chain === undefined) return;
    await this.#rounds.exclusive(peer, async () => {
      await this.#chainSync.syncWith(peer); // its failures are `federation:sync-failed` events
      const chain = this.#c.chain;
      if (chain === undefined || this.#c.stopped || !this.#c.gate.isMember(peer)) return;
      // A member we cannot dial because nobody told us where it listens (an invite names only two):
      // ask this member's address book, in this very round.
      await this.askAddresses(peer);
    });
  }

  /** Dials a member (or bootstrap peer) by its known addresses unless connected; reports the outcome. */
  async #redial(peer: string): Promise<void> {
    const failure = await this.#c.dialKnown(peer, REDIAL_TIMEOUT_MS, REDIAL_ADDRESS_TIMEOUT_MS, true);
    this.#redialOutcome(peer, this.#c.addresses[peer] ?? [], failure);
  }

  /**
   * Reports a member we could not re-dial once (`federation:redial-failed`, with the last error), not
   * every round, until a dial to it works again.
   */
  #redialOutcome(peer: string, addrs: readonly string[], failure: unknown): void {
    if (failure === undefined) {
      this.#unreachable.delete(peer);
      return;
    }
    if (this.#unreachable.has(peer) || this.#c.stopped) return;
    this.#unreachable.add(peer);
    this.#c.events('federation:redial-failed', { peer, addresses: [...addrs], error: errorText(failure) });
  }

  /** A round with `peer` soon; with `version` (a charter version it holds), only if we still lack it then. */
  pullSoon(peer: string, version?: number): void {
    this.#rounds.soon(peer, version);
  }

  async syncRound(): Promise<void> {
    const net = this.#c.net;
    const chain = this.#c.chain;
    if (net === undefined || chain === undefined || this.#c.stopped) return;
    // Expired proposals go, with their join windows.
    const now = this.#c.now().getTime();
    if (this.#pending.prune((p) => Date.parse(p.expiresAt) > now) > 0) await this.#c.persist();
    this.#c.peerHeads.newRound(); // the modules' rounds below count only the heads heard from here on
    const connected = new Set(net.host.connectedPeers());
    // Re-dial members (and bootstrap peers) we know addresses of but are not connected to — in the
    // background, each at its own pace (dial-backoff.ts: one dial per peer, backed off after failures,
    // longer each time): a new connection starts its own sync round (network.ts).
    for (const peer of Object.keys(this.#c.addresses)) {
      if (peer === this.#c.peerId || connected.has(peer) || !this.#c.gate.allows(peer)) continue;
      if (this.#c.dials.waitFor(peer) === 0) void this.#redial(peer);
    }
    // Anti-entropy needs a few peers per round, not all: a random SYNC_FANOUT of them (new connections
    // are synced at once anyway), so the cost per round does not grow with the federation.
    const peers = shuffle([...connected].filter((p) => this.#c.gate.allows(p))).slice(0, SYNC_FANOUT);
    await Promise.all(peers.map((p) => this.syncWith(p)));
    const members = peers.filter((p) => this.#c.chain?.isMember(p) === true);
    for (const m of this.#c.modules) {
      if (this.#c.stopped || m.onSyncRound === undefined) continue;
      try {
        await m.onSyncRound(members);
      } catch (err) {
        this.#c.events('federation:module-error', { module: m.name, error: errorText(err) });
      }
    }
    this.#c.lastSync = this.#c.now();
  }
}
