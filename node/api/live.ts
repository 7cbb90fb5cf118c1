/**
 * LiveFeed — what the web console's live-update stream (GET /v1/events) carries: a small set of
 * *topics* that tell a page "what you show may have changed, read it again", never the data itself (the
 * page reads that from the same API routes a script uses, with the same access rules).
 *
 *   checkpoint   the log signed a checkpoint                     {size}
 *   decision     decisions were recorded on this node            {count}
 *   policy       a baseline was applied, proposed or the overlay changed   {version?, what}
 *   federation   a charter version or a pending change           {version?, what}
 *   model        a registry record was taken (model, approval, contract, revocation, deployment)
 *   alert        staleness, equivocation, a fork or a conflicting record  {what, …}
 *   monitoring   a monitoring window was taken (own or a member's), a breach, a monitor's suspension
 *                {what, windowOrg, model, monitor, seq?, value, breach?, …}
 *
 * The daemon tees its operator events (node/events.ts) into `fromEvent`, which keeps only the events
 * listed in TOPIC_OF; the log's checkpoints and the ingest route publish directly. Fields are copied
 * from operator events, which by contract carry no key or token. Subscribers are bounded (MAX_STREAMS):
 * a client cannot make the node hold unbounded streams.
 */
import type { EventFields, EventName } from '../events.ts';

export const LIVE_TOPICS = ['checkpoint', 'decision', 'policy', 'federation', 'model', 'alert', 'monitoring'] as const;
export type LiveTopic = (typeof LIVE_TOPICS)[number];

/** One message of the stream: a topic and flat, public fields. */
export interface LiveMessage {
  topic: LiveTopic;
  data: Record<string, string | number | boolean | null>;
}

export type LiveListener = (message: LiveMessage) => void;

/** Live streams one node serves at once. */
export const MAX_STREAMS = 64;

/** Which operator events reach the console, and as which topic. */
export const TOPIC_OF: Partial<Record<EventName, LiveTopic>> = {
  'policy:applied': 'policy',
  'policy:proposal': 'policy',
  'policy:local': 'policy',
  'federation:charter': 'federation',
  'federation:proposal': 'federation',
  'federation:withdrawn': 'federation',
  'federation:departed': 'federation',
  'registry:model': 'model',
  'registry:approval': 'model',
  'registry:contract': 'model',
  'registry:revocation': 'model',
  'registry:deployment': 'model',
  'federation:stale': 'alert',
  'federation:fresh': 'alert',
  'witness:equivocation': 'alert',
  'policy:fork': 'alert',
  'registry:roster-fork': 'alert',
  'registry:model-conflict': 'alert',
  'registry:contract-conflict': 'alert',
  'registry:deployment-conflict': 'alert',
  'monitoring:window': 'monitoring',
  'monitoring:breach': 'monitoring',
  'monitoring:suspended': 'monitoring',
};

/** The scalar fields of an event (arrays and objects are left out: a page reads details from the API). */
function scalars(event: string, fields: object): LiveMessage['data'] {
  const data: LiveMessage['data'] = { what: event };
  for (const [k, v] of Object.entries(fields)) {
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') data[k] = v;
  }
  return data;
}

export class LiveFeed {
  readonly #listeners = new Set<LiveListener>();
  readonly #max: number;

  constructor(opts: { maxStreams?: number } = {}) {
    this.#max = opts.maxStreams ?? MAX_STREAMS;
  }

  /** Streams open now. */
  get size(): number {
    return this.#listeners.size;
  }

  /** Adds a listener; undefined when MAX_STREAMS are open already. Returns the function that removes it. */
  subscribe(listener: LiveListener): (() => void) | undefined {
    if (this.#listeners.size >= this.#max) return undefined;
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  publish(topic: LiveTopic, data: LiveMessage['data']): void {
    const message: LiveMessage = { topic, data };
    for (const fn of [...this.#listeners]) {
      try {
        fn(message);
      } catch {
        this.#listeners.delete(fn); // a listener that throws (a dead socket) is dropped, not retried
      }
    }
  }

  /** An operator event: published under its topic when the console shows it, else ignored. */
  fromEvent<E extends EventName>(event: E, fields: EventFields[E]): void {
    const topic = TOPIC_OF[event];
    if (topic === undefined || this.#listeners.size === 0) return;
    this.publish(topic, scalars(event, fields));
  }
}
