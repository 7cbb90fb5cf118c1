/**
 * A split view staged with a member's real log key: the test reads every leaf of member `m`'s log, stops
 * its daemon, and signs two different checkpoints of one size (the log plus "fork A", the log plus
 * "fork B") with m's own log key — what a node that shows two halves of the federation different
 * histories would sign. `feed(n, 'A' | 'B')` hands one of them to node `n` through the tlog-witness
 * endpoint (POST /v1/witness/add-checkpoint), with a consistency proof from the size `n` last cosigned.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { utf8 } from '../../protocol/encoding/bytes.ts';
import { MemoryTree, proveConsistency } from '../../protocol/log/index.ts';
import { parseSignerKey, signCheckpoint } from '../../protocol/note/index.ts';
import { formatAddCheckpoint } from '../../protocol/witness/request.ts';
import type { FedNode } from './federation.ts';

export type Half = 'A' | 'B';

export interface SplitView {
  /** The size of both forged checkpoints (m's log size + 1). */
  size: number;
  notes: Record<Half, string>;
  /** POSTs checkpoint `which` to `n`'s witness endpoint; returns the final HTTP status. */
  feed(n: FedNode, which: Half): Promise<number>;
}

/** POST /v1/witness/add-checkpoint (public, like the checkpoint itself). */
export async function postWitness(n: FedNode, body: string): Promise<Response> {
  return await n.daemon.fetch('/v1/witness/add-checkpoint', {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body,
  });
}

/** Reads m's log, stops m's daemon, and forges the two checkpoints. */
export async function stageSplitView(m: FedNode): Promise<SplitView> {
  const get = (p: string) => m.daemon.fetch(p, { token: m.adminToken });
  const info = (await (await get('/v1/node')).json()) as { log: { size: number } };
  const size = info.log.size;
  const leaves: Uint8Array[] = new Array(size);
  for (let from = 0; from < size; from += 64) {
    const batch = Array.from({ length: Math.min(64, size - from) }, (_, j) => from + j);
    await Promise.all(
      batch.map(async (i) => {
        leaves[i] = new Uint8Array(await (await get(`/v1/log/entries/${i}`)).arrayBuffer());
      }),
    );
  }
  await m.daemon.stop();
  const logSigner = parseSignerKey((await readFile(path.join(m.home, 'keys', 'log.key'), 'utf8')).trim());
  const fork = (extra: string) => {
    const t = new MemoryTree();
    for (const l of leaves) t.append(l);
    t.append(utf8(extra));
    return t;
  };
  const trees = { A: fork('fork A'), B: fork('fork B') };
  const S = size + 1;
  const sign = (t: MemoryTree) =>
    signCheckpoint({ origin: m.init.origin, size: S, rootHash: t.root(), extensions: [] }, logSigner);
  const notes = { A: sign(trees.A), B: sign(trees.B) };
  const feed = async (n: FedNode, which: Half): Promise<number> => {
    let res = await postWitness(n, formatAddCheckpoint({ oldSize: 0, proof: [], note: notes[which] }));
    if (res.status === 409 && res.headers.get('content-type')?.startsWith('text/x.tlog.size')) {
      const recorded = Number((await res.text()).trim());
      const proof = await proveConsistency(recorded, S, trees[which]);
      res = await postWitness(n, formatAddCheckpoint({ oldSize: recorded, proof, note: notes[which] }));
    }
    return res.status;
  };
  return { size: S, notes, feed };
}
