/**
 * A formed three-member federation for an integration file (vitest hooks): kept apart from federation.ts,
 * which the benches import outside vitest (bench/cluster.ts, bench/federation.bench.ts) — a vitest
 * import there stops them at load ("Vitest failed to access its internal state").
 */
import { afterAll, beforeAll } from 'vitest';
import { removeDir } from './cli.ts';
import { killAllDaemons } from './daemon.ts';
import { type FedNode, formFederation, startFedNode } from './federation.ts';

/**
 * Three daemons, a (DE), b (FR) and c (IT), formed into a federation before the file's tests (vitest
 * beforeAll) and killed and removed after them. The returned objects are filled in then (destructure
 * them at the top of the file; use them in tests).
 */
export function formedThree(): [FedNode, FedNode, FedNode] {
  const nodes = [{}, {}, {}] as [FedNode, FedNode, FedNode];
  beforeAll(async () => {
    const started = await Promise.all([startFedNode('a', 'DE'), startFedNode('b', 'FR'), startFedNode('c', 'IT')]);
    for (const [i, n] of started.entries()) Object.assign(nodes[i] as FedNode, n);
    await formFederation(nodes);
  }, 180_000);
  afterAll(async () => {
    await killAllDaemons();
    await Promise.all(nodes.map((n) => removeDir(n.tmp)));
  });
  return nodes as [FedNode, FedNode, FedNode];
}
