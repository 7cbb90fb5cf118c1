/**
 * A federation of N real daemons on this machine, for the benches that measure propagation: each node
 * is `govfed start` in its own process with libp2p on 127.0.0.1; the first founds the federation and
 * admits the others one at a time (each invite names the founder and a member it knows as bootstrap
 * peers — the mesh the demo and tests build). Events are read from each daemon's stderr (one JSON
 * object per line, stamped by the daemon's clock; all processes share the machine clock).
 */
import { type EventFields, type EventName, parseEventLine } from '../node/events.ts';
import { removeDir } from '../test/helpers/cli.ts';
import { type FedNode, formFederation, startFedNode } from '../test/helpers/federation.ts';

export type { FedNode };

/** Starts `n` nodes (five at a time) and forms one federation with `thresholds`. */
export async function startCluster(
  n: number,
  opts: { thresholds?: { policy?: number; witness?: number }; name?: string } = {},
): Promise<FedNode[]> {
  const nodes: FedNode[] = [];
  try {
    for (let i = 0; i < n; i += 5) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(5, n - i) }, (_, j) => startFedNode(`org${i + j}`, 'EU')),
      );
      nodes.push(...batch);
    }
    // Each admission is witnessed by every member (O(N²) gossip, issue #17): at N = 20 on 2 cores a
    // version takes minutes to be held, not seconds.
    await formFederation(nodes, {
      name: opts.name ?? `bench ${n}`,
      versionTimeoutMs: n > 10 ? 600_000 : 60_000,
      ...opts,
    });
    return nodes;
  } catch (err) {
    await stopCluster(nodes);
    throw err;
  }
}

export async function stopCluster(nodes: readonly FedNode[]): Promise<void> {
  await Promise.all(nodes.map((x) => x.daemon.stop()));
  await Promise.all(nodes.map((x) => removeDir(x.tmp)));
}

export interface DaemonEvent {
  /** ms since the epoch, from the event's `time`. */
  at: number;
  fields: Record<string, unknown>;
}

/**
 * A daemon's events, parsed once as its stderr grows. The benches poll every 5 ms across up to 20
 * daemons whose output reaches megabytes; re-parsing all of it on every poll made the harness itself
 * the busiest process on the machine it measures.
 */
class EventIndex {
  #offset = 0;
  readonly #byName = new Map<string, DaemonEvent[]>();

  /** The events named `name` in `text` (the daemon's whole stderr so far, which only grows). */
  named(text: string, name: string): readonly DaemonEvent[] {
    const end = text.lastIndexOf('\n') + 1;
    if (end > this.#offset) {
      for (const line of text.slice(this.#offset, end).split('\n')) {
        const v = parseEventLine(line);
        if (v === undefined) continue;
        const list = this.#byName.get(v.event) ?? [];
        list.push({ at: Date.parse(v.time), fields: v as Record<string, unknown> });
        this.#byName.set(v.event, list);
      }
      this.#offset = end;
    }
    return this.#byName.get(name) ?? [];
  }
}

const indexes = new WeakMap<FedNode['daemon'], EventIndex>();

function indexOf(node: FedNode): EventIndex {
  let index = indexes.get(node.daemon);
  if (index === undefined) {
    index = new EventIndex();
    indexes.set(node.daemon, index);
  }
  return index;
}

/** The daemon's events named `event` whose fields include `match` (parsed from its stderr so far). */
export function events<E extends EventName>(
  node: FedNode,
  event: E,
  match: Partial<EventFields[E]> = {},
): DaemonEvent[] {
  const entries = Object.entries(match);
  return indexOf(node)
    .named(node.daemon.stderr, event)
    .filter((v) => entries.every(([k, x]) => v.fields[k] === x));
}

/** The time of the first such event, if logged yet. */
export function eventTime<E extends EventName>(
  node: FedNode,
  event: E,
  match: Partial<EventFields[E]> = {},
): number | undefined {
  return events(node, event, match)[0]?.at;
}

/** Polls `fn` every 5 ms until it is true; throws after `ms`. */
export async function until(fn: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Waits until the federation is quiet: no node has cosigned a checkpoint for 1.5 s and every node's log
 * is covered by its latest checkpoint (GET /v1/node), `maxMs` at most. Every record that reaches every
 * node (a charter, a policy version, a kill-switch record) is a log entry on each of them, so each node's
 * next checkpoint is then witnessed by others — up to 5 checkpoint intervals later, as governance-only
 * growth is paced (node/log/paced.ts): 1.5 s without a cosignature alone does not say that all of it is
 * done. A bench that measures the normal case — such records are rare — waits for that work to end
 * before the next one.
 */
export async function quiet(nodes: readonly FedNode[], maxMs: number): Promise<void> {
  const count = () => nodes.reduce((a, x) => a + events(x, 'witness:cosigned').length, 0);
  const end = Date.now() + maxMs;
  let last = count();
  let since = Date.now();
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    const c = count();
    if (c !== last) {
      last = c;
      since = Date.now();
    }
    if (Date.now() - since < 1500) continue;
    if (await allCovered(nodes)) return;
    await new Promise((r) => setTimeout(r, 400)); // not every 100 ms: 20 requests each
  }
}

/** Whether every node's latest checkpoint covers its whole log. */
async function allCovered(nodes: readonly FedNode[]): Promise<boolean> {
  const logs = await Promise.all(
    nodes.map(async (x) => {
      const res = await x.daemon.fetch('/v1/node', { token: x.adminToken });
      return ((await res.json()) as { log: { size: number; checkpointSize: number } }).log;
    }),
  );
  return logs.every((l) => l.checkpointSize >= l.size);
}
