/**
 * The federation's network: the libp2p host (node/p2p), /govfed/sync served by sync.ts, each module's
 * request protocols (members only), and gossip — one validation path for every kind, the charter's
 * included (charter-module.ts): the gossip envelope is checked here (decodeAndVerifyGossip: a current
 * member signed it with its peer key, right federation, kind, clock skew), then the kind's module judges
 * the body and returns a verdict synchronously. A refused message is counted and raised as
 * `federation:rejected`; a Reject penalises the peer in gossipsub, an Ignore does not.
 * Connections: a new one is synced at once and handed to the modules; identify teaches members'
 * addresses (kept for re-dials after a restart, and given to members that ask our address book).
 */
import { GovfedError } from '../../protocol/errors.ts';
import {
  type CharterChain,
  decodeAndVerifyGossip,
  type GossipMessage,
  MAX_BOOTSTRAP_ADDRS,
} from '../../protocol/federation/index.ts';
import { Host, type PeerEvent } from '../p2p/host.ts';
import { type GossipVerdict, verdictOf } from '../p2p/pubsub.ts';
import { serveRequests } from '../p2p/request.ts';
import { SyncTransport } from '../p2p/sync.ts';
import type { FederationCore } from './core.ts';
import type { FederationModule } from './module.ts';
import type { FederationSync } from './sync.ts';

export class FederationNetwork {
  readonly #c: FederationCore;
  readonly #sync: FederationSync;
  /** Listen addresses that peers in their join window identified with (kept once they are members). */
  readonly #joiners = new Map<string, string[]>();

  constructor(core: FederationCore, sync: FederationSync) {
    this.#c = core;
    this.#sync = sync;
    core.charterHooks.push((chain) => this.#onCharter(chain));
  }

  /** Starts the host, the protocols and the sync loop (a no-op when running). */
  async start(): Promise<void> {
    const chain = this.#c.requireChain();
    if (this.#c.net !== undefined) return;
    const host = await Host.start({
      peerKey: this.#c.home.peerKey,
      listen: [this.#c.home.config.listen],
      federationId: chain.federationId,
      gate: this.#c.gate,
      onPeer: (e) => this.#onPeer(e),
      allow: Object.values(this.#c.addresses).flat(),
      registry: this.#c.registry,
    });
    const sync = new SyncTransport(host);
    await sync.serve(
      (msg, from) => this.#sync.serveSync(msg, from),
      (from, err) => this.#c.reject('sync', 'sync', from, err, 'reject'),
    );
    for (const m of this.#c.modules) {
      for (const [kind, handler] of Object.entries(m.gossip ?? {})) {
        host.pubsub.validate(kind, (data, from) => this.#validate(m, kind, handler, data, from));
        host.pubsub.subscribe(kind, () => {});
      }
      for (const [protocol, p] of Object.entries(m.protocols ?? {})) {
        await serveRequests(host, protocol, {
          maxBytes: p.maxBytes,
          handler: (req, from) => {
            this.#c.seen(from);
            return p.handle(req, from);
          },
          allows: (peer) => this.#c.chain?.isMember(peer) === true,
          onError: (from, err) => this.#c.reject('request', protocol, from, err, 'reject'),
        });
      }
    }
    const timer = setInterval(() => void this.#sync.syncRound(), this.#c.syncIntervalMs);
    timer.unref();
    this.#c.net = { host, sync, timer };
    this.#c.events('federation:network', { peerId: host.peerId, addresses: host.addresses() });
    this.#c.notifyCharter();
    setTimeout(() => void this.#sync.syncRound(), 10).unref();
  }

  #onPeer(e: PeerEvent): void {
    if (e.type === 'gossip-refused') {
      this.#c.reject('gossip', 'rpc', e.peerId, e.error, 'reject');
      return;
    }
    if (e.type === 'refused') {
      this.#c.reject(
        'connection',
        'connection',
        e.peerId,
        new GovfedError('ERR_UNKNOWN_SIGNER', 'not a member'),
        'reject',
      );
      return;
    }
    if (e.type === 'connected') {
      this.#c.seen(e.peerId);
      this.#c.dials.connected(e.peerId); // reachable again, whoever dialled: no back-off
      if (this.#c.gate.allows(e.peerId)) this.#c.pullSoon(e.peerId);
      if (this.#c.chain?.isMember(e.peerId) === true) {
        for (const m of this.#c.modules) {
          if (m.onPeerConnected === undefined) continue;
          setTimeout(() => {
            if (!this.#c.stopped) m.onPeerConnected?.(e.peerId);
          }, 100).unref();
        }
      }
      return;
    }
    if (e.type === 'identified') {
      const addrs = e.addrs
        .filter((a) => a.startsWith('/ip4/') || a.startsWith('/ip6/'))
        .map((a) => (a.includes('/p2p/') ? a : `${a}/p2p/${e.peerId}`))
        .slice(0, MAX_BOOTSTRAP_ADDRS);
      if (this.#c.gate.isMember(e.peerId)) this.#keepAddresses(e.peerId, addrs);
      // Identify runs once, at connect, and a joiner connects before its admission is accepted: its
      // addresses wait here until a charter makes it a member (then our address book carries it).
      else if (this.#c.gate.inWindow(e.peerId) && addrs.length > 0) this.#joiners.set(e.peerId, addrs);
    }
  }

  #keepAddresses(peer: string, addrs: string[]): void {
    if (addrs.length > 0 && JSON.stringify(addrs) !== JSON.stringify(this.#c.addresses[peer])) {
      this.#c.addresses[peer] = addrs;
      this.#c.persistSoon();
    }
  }

  /** A new charter: joiners it admitted get the addresses they identified with; closed windows are dropped. */
  #onCharter(chain: CharterChain): void {
    for (const [peer, addrs] of this.#joiners) {
      if (chain.isMember(peer) && (this.#c.addresses[peer]?.length ?? 0) === 0) this.#keepAddresses(peer, addrs);
      if (chain.isMember(peer) || !this.#c.gate.inWindow(peer)) this.#joiners.delete(peer);
    }
  }

  /**
   * A gossip message (attacker-controlled) on a module's kind: the envelope checks here, the body's
   * judgement by the module.
   */
  #validate(
    module: FederationModule,
    kind: string,
    handler: (msg: GossipMessage, from: string) => GossipVerdict,
    data: Uint8Array,
    from: string,
  ): GossipVerdict {
    const chain = this.#c.chain;
    if (chain === undefined) return { result: 'ignore', error: new GovfedError('ERR_INVALID_INPUT', 'no federation') };
    let verdict: GossipVerdict;
    let newer = false;
    try {
      const v = decodeAndVerifyGossip(data, { chain, now: this.#c.now().getTime(), kind, verify: this.#c.verify });
      this.#c.seen(v.message.sender);
      newer = v.needsSync;
      if (v.needsSync) this.#c.pullSoon(from, v.message.charterVersion);
      verdict = handler(v.message, from);
    } catch (err) {
      verdict = verdictOf(err);
    }
    // A sender that holds a newer charter may speak of members we do not know yet (a new member's log,
    // witness or signature): we cannot judge the body before we sync, so it is not a fault — Ignore, not
    // Reject (a Reject would lower an honest peer's gossipsub score and, repeated, graylist it). The
    // charter judges that case itself (judgesNewer: its bodies are checked against the chain we hold).
    if (newer && verdict.result === 'reject' && module.judgesNewer !== true)
      verdict = { result: 'ignore', error: verdict.error };
    if (verdict.result !== 'accept') this.#c.reject('gossip', kind, from, verdict.error, verdict.result);
    return verdict;
  }
}
