/**
 * ModelCounter over a log of real leaves (an in-memory list stands in for the audit log: the counter
 * only reads `size` and `entries(from, to)`), with its state file on disk: it counts only decision leaves that name
 * a registered version, by digest; catches up from where it stopped; and a new counter on the same home
 * (a restart) goes on from the saved index without counting anything twice.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StateStorage } from '../../../node/home/state-backend.ts';
import { ModelCounter } from '../../../node/report/counter.ts';
import { encodeLeaf, type Leaf } from '../../../protocol/audit/leaf.ts';
import { utf8 } from '../../../protocol/encoding/bytes.ts';
import { makeTempDir, removeDir } from '../../helpers/cli.ts';

const A = `sha256:${'aa'.repeat(32)}`;
const B = `sha256:${'bb'.repeat(32)}`;
let n = 0;
const decision = (o: Partial<Extract<Leaf, { type: 'decision' }>>): Uint8Array =>
  encodeLeaf({
    v: 1,
    type: 'decision',
    model: 'a/m@1',
    time: '2027-01-01T00:00:00Z',
    decisionId: `d${n++}`,
    recordDigest: `sha256:${'00'.repeat(32)}`,
    outcome: 'ok',
    ...o,
  });
const governance = encodeLeaf({ v: 1, type: 'governance', kind: 'node.init', time: '2027-01-01T00:00:00Z', digest: A });

class ListLog {
  readonly list: Uint8Array[] = [];
  get size(): number {
    return this.list.length;
  }
  async *entries(from: number, to: number): AsyncGenerator<[number, Uint8Array]> {
    for (let i = from; i < Math.min(to, this.list.length); i++) yield [i, this.list[i] as Uint8Array];
  }
}

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => removeDir(d)));
});

describe('ModelCounter', () => {
  it('counts decision leaves by model digest, and nothing else', async () => {
    const tmp = await makeTempDir();
    dirs.push(tmp);
    const log = new ListLog();
    log.list.push(
      governance,
      decision({ modelDigest: A }),
      decision({ modelDigest: A, verdict: 'denied', deny: ['contract.purpose'], flags: ['shadow_ai'] }),
      decision({ modelDigest: B }),
      decision({}), // no registered version: not counted
      utf8('{"not":"a leaf"}'),
    );
    const c = new ModelCounter(path.join(tmp, 'home'), log);
    await c.load();
    expect(await c.catchUp()).toBe(6);
    expect(c.tally(A)).toEqual({
      tally: { decisions: 2, denied: 1, flags: { shadow_ai: 1 }, deny: { 'contract.purpose': 1 } },
      through: 6,
    });
    expect(c.tally(B).tally.decisions).toBe(1);
    expect(c.tally(`sha256:${'cc'.repeat(32)}`).tally.decisions).toBe(0);
  });

  describe('when ingest hands it what each batch adds', () => {
    it('adds it, saves it with the log size after the batch, and a restart counts only the tail past it', async () => {
      const tmp = await makeTempDir();
      dirs.push(tmp);
      const home = path.join(tmp, 'home');
      const log = new ListLog();
      const c = new ModelCounter(home, log);
      await c.load();
      await c.catchUp();
      log.list.push(decision({ modelDigest: A }), decision({ modelDigest: A, flags: ['shadow_ai'] }));
      c.add({ [A]: { decisions: 2, denied: 0, flags: { shadow_ai: 1 }, deny: {} } }, 2);
      expect(c.tally(A)).toEqual({ tally: { decisions: 2, denied: 0, flags: { shadow_ai: 1 }, deny: {} }, through: 2 });
      await c.save();
      // Appended and durable, but the node stopped before ingest handed it over: the restart counts it.
      log.list.push(decision({ modelDigest: A }));
      const again = new ModelCounter(home, log);
      await again.load();
      await again.catchUp();
      expect(again.tally(A).tally.decisions).toBe(3);
      expect(again.through).toBe(3);
    });
  });

  describe('when its state cannot be saved (a full disk, a lost database)', () => {
    it('says so to the caller of setFederation, and the next save writes it', async () => {
      const stored: Uint8Array[] = [];
      let failing = true;
      const storage: StateStorage = {
        kind: 'files',
        backend: () => ({
          where: 'test',
          read: async () => stored.at(-1),
          write: async (body) => {
            if (failing) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
            stored.push(body);
          },
          remove: async () => {},
        }),
      };
      const c = new ModelCounter(storage, new ListLog());
      await c.load();
      // Before, this save ran unawaited: its failure was an unhandled rejection, which stops a node.
      await expect(c.setFederation('ab'.repeat(32))).rejects.toThrow(/ENOSPC/);
      expect(c.federationId).toBe('ab'.repeat(32));
      failing = false;
      await c.save();
      expect(JSON.parse(Buffer.from(stored.at(-1) as Uint8Array).toString('utf8')).federationId).toBe('ab'.repeat(32));
    });
  });

  describe('when the log grows, and when the node restarts', () => {
    it('reads only what was appended since, and counts nothing twice', async () => {
      const tmp = await makeTempDir();
      dirs.push(tmp);
      const home = path.join(tmp, 'home');
      const log = new ListLog();
      log.list.push(decision({ modelDigest: A }), decision({ modelDigest: A }));
      const first = new ModelCounter(home, log);
      await first.load();
      await first.catchUp();
      log.list.push(decision({ modelDigest: A }));
      await first.catchUp();
      expect(first.tally(A).tally.decisions).toBe(3);
      await first.flush();
      // A restart: a new counter on the same home, the log grown meanwhile.
      log.list.push(decision({ modelDigest: A, verdict: 'denied', deny: ['r1'] }));
      let reads = 0;
      const counted = {
        get size() {
          return log.size;
        },
        async *entries(from: number, to: number): AsyncGenerator<[number, Uint8Array]> {
          for await (const e of log.entries(from, to)) {
            reads++;
            yield e;
          }
        },
      };
      const again = new ModelCounter(home, counted);
      await again.load();
      expect(again.tally(A).through).toBe(3);
      await again.catchUp();
      expect(reads).toBe(1);
      expect(again.tally(A).tally).toEqual({ decisions: 4, denied: 1, flags: {}, deny: { r1: 1 } });
    });
  });
});
