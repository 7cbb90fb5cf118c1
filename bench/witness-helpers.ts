/** What the witnessing benches (witness.bench.ts, wide.bench.ts) read from the nodes. */
import { adminPost } from '../test/helpers/federation.ts';
import { makeRecords, metricValue } from '../test/helpers/records.ts';
import { events, type FedNode, until } from './cluster.ts';

/** org0's witnessed events for its own origin with size >= `size`. */
export function ownWitnessed(node: FedNode, size: number): { lagMs: number; size: number } | undefined {
  for (const e of events(node, 'witness:witnessed', { origin: node.init.origin })) {
    const s = e.fields.size as number;
    if (s >= size && typeof e.fields.lagMs === 'number') return { lagMs: e.fields.lagMs, size: s };
  }
  return undefined;
}

/**
 * Witness messages so far, summed over every node's /metrics: add-checkpoint requests sent (each one
 * answered, or failed) and witnessed checkpoints gossiped (each delivered once to every node).
 */
export async function witnessMessages(nodes: readonly FedNode[]): Promise<{ requests: number; gossiped: number }> {
  let requests = 0;
  let gossiped = 0;
  for (const node of nodes) {
    const text = await (await node.daemon.fetch('/metrics', { token: node.adminToken })).text();
    for (const line of text.split('\n')) {
      if (line.startsWith('govfed_witness_requests_total{')) requests += Number(line.split(' ').at(-1));
    }
    gossiped += metricValue(text, 'govfed_witness_checkpoints_gossiped_total') ?? 0;
  }
  return { requests, gossiped };
}

/**
 * Signed → witnessed on nodes[0]'s log, `checkpoints` times one after another: one decision appended,
 * the latency read from its `witness:witnessed` event (lagMs). Returns the sorted latencies, k and the
 * witness messages per checkpoint (all nodes together) over the run.
 */
export async function measureWitnessed(
  nodes: readonly FedNode[],
  checkpoints: number,
  tag: string,
): Promise<{ sorted: number[]; k: number; messages: string }> {
  const origin = nodes[0] as FedNode;
  const lags: number[] = [];
  let k = 0;
  const before = await witnessMessages(nodes);
  for (let i = 0; i < checkpoints; i++) {
    const r = (await adminPost(origin, '/v1/decisions', makeRecords(1, `${tag}-${i}`)[0])) as {
      entries: { index: number }[];
    };
    const size = (r.entries[0]?.index ?? 0) + 1;
    await until(() => ownWitnessed(origin, size) !== undefined, 30_000, `checkpoint of size ${size} witnessed`);
    lags.push((ownWitnessed(origin, size) as { lagMs: number }).lagMs);
    const ev = events(origin, 'witness:witnessed', { origin: origin.init.origin }).at(-1);
    k = (ev?.fields.k as number | undefined) ?? k;
  }
  await new Promise((r) => setTimeout(r, 1000)); // the last answers of the slower witnesses
  const after = await witnessMessages(nodes);
  const per = (x: number) => (x / checkpoints).toFixed(1);
  const messages = `${per(after.requests - before.requests)} add-checkpoint requests (each answered) + ${per(after.gossiped - before.gossiped)} gossip per checkpoint, all nodes together`;
  return { sorted: [...lags].sort((a, b) => a - b), k, messages };
}
