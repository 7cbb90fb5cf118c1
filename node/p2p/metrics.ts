/**
 * The network's Prometheus metrics, registered in the node's registry (when the host is given one):
 *
 *   govfed_gossip_refused_total{kind,reason,action}  gossip refused: by topic kind (`rpc` for a frame
 *                                                     refused before it was decoded), error code, and
 *                                                     action (reject: the sender is penalised | ignore |
 *                                                     unheard: a non-member's message, dropped unread)
 *   govfed_inbound_refused_total{reason}              inbound connections refused before the handshake
 *                                                     (`per-source-limit`: admission.ts)
 *   govfed_gossip_messages_total{kind,direction}      gossip by topic kind: `published` by this node,
 *                                                     `validated` (distinct messages received: gossipsub
 *                                                     drops duplicate copies before the validator)
 *   govfed_p2p_exchanges_total{protocol,direction}    request/response exchanges (one libp2p stream
 *                                                     each) by protocol id: `outbound` asked by this
 *                                                     node, `inbound` served — what a charter version or
 *                                                     a checkpoint costs in streams (issue 17)
 *   govfed_gossip_peer_score{peer}                    gossipsub's score of each connected peer, read at
 *                                                     scrape time (a peer that sends invalid gossip
 *                                                     goes negative; below -300 it is graylisted)
 *
 * Counters are bumped where things happen; the score gauge reads the host when Prometheus scrapes.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export class P2pMetrics {
  readonly #gossipRefused: Counter<'kind' | 'reason' | 'action'>;
  readonly #inboundRefused: Counter<'reason'>;
  readonly #gossip: Counter<'kind' | 'direction'>;
  readonly #exchanges: Counter<'protocol' | 'direction'>;

  constructor(registry: Registry | undefined, scores: () => Record<string, number>) {
    const registers = registry === undefined ? [] : [registry];
    this.#gossipRefused = new Counter({
      name: 'govfed_gossip_refused_total',
      help: 'Gossip messages refused, by kind, error code (reason) and action (reject penalises the sender).',
      labelNames: ['kind', 'reason', 'action'],
      registers,
    });
    this.#inboundRefused = new Counter({
      name: 'govfed_inbound_refused_total',
      help: 'Inbound connections refused before the handshake, by reason.',
      labelNames: ['reason'],
      registers,
    });
    this.#gossip = new Counter({
      name: 'govfed_gossip_messages_total',
      help: 'Gossip messages by kind: published by this node, or validated (distinct messages received).',
      labelNames: ['kind', 'direction'],
      registers,
    });
    this.#exchanges = new Counter({
      name: 'govfed_p2p_exchanges_total',
      help: 'Request/response exchanges (one stream each) by protocol: outbound (asked) or inbound (served).',
      labelNames: ['protocol', 'direction'],
      registers,
    });
    new Gauge({
      name: 'govfed_gossip_peer_score',
      help: "gossipsub's score of each connected peer (negative: it sent invalid gossip).",
      labelNames: ['peer'],
      registers,
      collect() {
        this.reset();
        for (const [peer, score] of Object.entries(scores())) this.set({ peer }, score);
      },
    });
  }

  gossipRefused(kind: string, reason: string, action: string): void {
    this.#gossipRefused.inc({ kind, reason, action });
  }

  inboundRefused(reason: string): void {
    this.#inboundRefused.inc({ reason });
  }

  gossip(kind: string, direction: 'published' | 'validated'): void {
    this.#gossip.inc({ kind, direction });
  }

  exchange(protocol: string, direction: 'outbound' | 'inbound'): void {
    this.#exchanges.inc({ protocol, direction });
  }
}
