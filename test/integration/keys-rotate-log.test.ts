/**
 * `govfed keys rotate --log` with real daemons, real libp2p, real LevelDB and the real CLI
 * (node/federation/rotation.ts, log-rotation.ts, node/home/log-rotation.ts): the charter moves a's old
 * log key to its retiredLogKeys; a closes its old log with a `log.rotated` entry, restarts in place under
 * the new origin, and its new log commits to the old one's final tree. Entries of the old log stay
 * provable — from another member's node and from a's own — with bundles that verify offline, and
 * exportable (`decisions export --origin`) against the old log's final checkpoint; new
 * entries are witnessed under the new origin; a restart opens the retired log again.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exists } from '../../node/home/fs.ts';
import { decodeLeaf } from '../../protocol/audit/leaf.ts';
import { logRotationEntry } from '../../protocol/audit/log-rotation.ts';
import { fromBase64 } from '../../protocol/encoding/bytes.ts';
import { removeDir, runCli, runCliJson } from '../helpers/cli.ts';
import { killAllDaemons } from '../helpers/daemon.ts';
import { eventsOf } from '../helpers/events.ts';
import {
  type FedNode,
  fedStatus,
  formFederation,
  restartFedNode,
  startFedNode,
  waitFor,
  waitForVersion,
} from '../helpers/federation.ts';
import { ingest, witnessView } from '../helpers/netfed.ts';

let a: FedNode;
let b: FedNode;
let c: FedNode;
let federationId: string;
/** a's log before the rotation, and the indexes of decisions written to it. */
let oldOrigin: string;
let oldIndexes: number[];
let newOrigin: string;

beforeAll(async () => {
  [a, b, c] = await Promise.all([startFedNode('a', 'DE'), startFedNode('b', 'FR'), startFedNode('c', 'IT')]);
  federationId = (await formFederation([a, b, c])).federationId;
  oldOrigin = a.init.origin;
  oldIndexes = await ingest(a, 4, 'before-log-rotation');
}, 180_000);

afterAll(async () => {
  await killAllDaemons();
  await Promise.all([a, b, c].map((n) => removeDir(n.tmp)));
});

/** `audit prove --origin ORIGIN --index N --out FILE` at `viewer`, retried until witnessed; then verify. */
async function proveAndVerify(viewer: FedNode, origin: string, index: number): Promise<Record<string, unknown>> {
  const file = await waitFor(
    `${viewer.org} to prove entry ${index} of ${origin}`,
    () => prove(viewer, origin, index),
    90_000,
  );
  const ok = await runCli(['verify', file, '--federation', federationId, '--json']);
  expect(ok.code, ok.stderr).toBe(0);
  return JSON.parse(ok.stdout) as Record<string, unknown>;
}

/** `audit prove --origin ORIGIN --index N` at `viewer` into a file (one try); throws with its stderr. */
async function prove(viewer: FedNode, origin: string, index: number): Promise<string> {
  const file = path.join(viewer.tmp, `${origin.replaceAll('/', '_')}-${index}.json`);
  const r = await runCli([
    'audit',
    'prove',
    '--home',
    viewer.home,
    '--origin',
    origin,
    '--index',
    String(index),
    '--out',
    file,
  ]);
  if (r.code !== 0) throw new Error(r.stderr);
  return file;
}

/** Entry `index` of a's (current) log, decoded. */
async function newLeaf(index: number) {
  const res = await a.daemon.fetch(`/v1/log/entries/${index}`, { token: a.adminToken });
  expect(res.status).toBe(200);
  return decodeLeaf(new Uint8Array(await res.arrayBuffer())) as { kind?: string; ref?: string; digest?: string };
}

async function nodeInfo(n: FedNode): Promise<{ origin: string; verifierKey: string }> {
  const res = await n.daemon.fetch('/v1/node', { token: n.adminToken });
  return (await res.json()) as { origin: string; verifierKey: string };
}

describe('keys rotate --log', () => {
  describe('when a rotates its log key at charter threshold 1', () => {
    it('every member lists the new key and retires the old one; a restarts in place under the new origin', async () => {
      const before = (await fedStatus(b)).charterVersion as number;
      const r = await runCliJson<{ status: { charterVersion: number } }>([
        'keys',
        'rotate',
        '--log',
        '--home',
        a.home,
        '--json',
      ]);
      expect(r.status.charterVersion).toBe(before + 1);
      await waitForVersion([b, c], before + 1, 60_000);
      for (const n of [b, c]) {
        const m = (await fedStatus(n)).members.find((x) => x.org === 'a') as {
          logKey: string;
          retiredLogKeys: string[];
        };
        expect(m.retiredLogKeys).toEqual([a.init.verifierKey]);
        expect(m.logKey).not.toBe(a.init.verifierKey);
        newOrigin = m.logKey.split('+')[0] as string;
      }
      expect(newOrigin).toMatch(/^govfed\/a\/[0-9a-f]{8}$/);
      expect(newOrigin).not.toBe(oldOrigin);
      // The same process and API address, a new log.
      await waitFor(
        'a to run under its new origin',
        async () => (await nodeInfo(a).catch(() => undefined))?.origin === newOrigin,
        60_000,
      );
      expect(eventsOf(a.daemon, 'keys:rotated').map((e) => [e.key, e.restart])).toEqual([['log', true]]);
      const config = JSON.parse(await readFile(path.join(a.home, 'config.json'), 'utf8')) as Record<string, unknown>;
      expect(config.origin).toBe(newOrigin);
      expect(config.retiredLogs).toEqual([{ origin: oldOrigin, verifierKey: a.init.verifierKey }]);
      const id = oldOrigin.split('/')[2] as string;
      expect(await exists(path.join(a.home, 'retired', id, 'data', 'CURRENT'))).toBe(true);
      expect(await exists(path.join(a.home, 'keys', 'log.key.next'))).toBe(false);
      expect(
        (await readFile(path.join(a.home, 'keys', 'log.key'), 'utf8')).startsWith(`PRIVATE+KEY+${newOrigin}+`),
      ).toBe(true);
      const card = await runCliJson<{ card: { logKey: string } }>(['member', 'card', '--home', a.home, '--json']);
      expect(card.card.logKey.startsWith(`${newOrigin}+`)).toBe(true);
    }, 150_000);

    it("a's new log begins with node.init and a log.rotated entry naming the old origin", async () => {
      const [first, second] = [await newLeaf(0), await newLeaf(1)];
      expect(first).toMatchObject({ kind: 'node.init', ref: newOrigin });
      expect(second).toMatchObject({ kind: 'log.rotated', ref: oldOrigin });
    }, 30_000);
  });

  describe("when an auditor asks for entries of a's old log", () => {
    it('b proves them and the bundles verify offline under the old key', async () => {
      const v = await proveAndVerify(b, oldOrigin, oldIndexes[0] as number);
      expect(v).toMatchObject({ ok: true, org: 'a', index: oldIndexes[0], retired: true });
    }, 150_000);

    it("the old log's last entries include its log.rotated entry, and the new log commits to its final tree", async () => {
      const newKey = (JSON.parse(await readFile(path.join(a.home, 'config.json'), 'utf8')) as { verifierKey: string })
        .verifierKey;
      const committed = (await newLeaf(1)).digest;
      // Witnessed size grows to the old log's final checkpoint (gossiped each sync round until witnessed).
      const bundle = await waitFor(
        "the old log's final tree witnessed",
        async () => {
          const w = (await witnessView(c)).find((o) => o.origin === oldOrigin)?.witnessedSize ?? 0;
          if (w === 0) return undefined;
          const file = await prove(c, oldOrigin, w - 1);
          const text = JSON.parse(await readFile(file, 'utf8')) as { checkpoint: string; entry: string };
          const [, size, root] = text.checkpoint.split('\n');
          const { leaf } = logRotationEntry(
            {
              from: {
                origin: oldOrigin,
                verifierKey: a.init.verifierKey,
                tree: { size: Number(size), rootHash: fromBase64(root as string) },
              },
              to: { origin: newOrigin, verifierKey: newKey },
            },
            'new',
            new Date().toISOString(),
          );
          return leaf.digest === committed ? { file, size: Number(size), entry: text.entry } : undefined;
        },
        120_000,
      );
      expect(bundle.size).toBeGreaterThan(Math.max(...oldIndexes) + 1);
      const ok = await runCli(['verify', bundle.file, '--federation', federationId, '--json']);
      expect(ok.code, ok.stderr).toBe(0);
      // The old log's log.rotated entry is among its last two (a charter leaf may follow it).
      const tail = [decodeLeaf(fromBase64(bundle.entry))];
      const before = JSON.parse(await readFile(await prove(c, oldOrigin, bundle.size - 2), 'utf8')) as {
        entry: string;
      };
      tail.push(decodeLeaf(fromBase64(before.entry)));
      expect(tail.some((l) => l.type === 'governance' && l.kind === 'log.rotated' && l.ref === newOrigin)).toBe(true);
    }, 200_000);

    it("a's own node proves its retired log too (a cross-org bundle)", async () => {
      const v = await proveAndVerify(a, oldOrigin, oldIndexes[1] as number);
      expect(v).toMatchObject({ ok: true, org: 'a', index: oldIndexes[1] });
      // A decision logged before the rotation is found by its id in the old log (not in the current one).
      const found = await runCli([
        'audit',
        'lookup',
        '--home',
        a.home,
        '--origin',
        oldOrigin,
        '--decision-id',
        'before-log-rotation-1',
        '--json',
      ]);
      expect(found.code, found.stderr).toBe(0);
      expect(JSON.parse(found.stdout)).toMatchObject({ origin: oldOrigin, index: oldIndexes[1] });
      const current = await runCli(['audit', 'lookup', '--home', a.home, '--decision-id', 'before-log-rotation-1']);
      expect(current.code).not.toBe(0);
    }, 120_000);
  });

  describe("when an auditor exports a's decisions from before the rotation", () => {
    it('decisions export --origin proves them against the old log with the old key; without it, the old log is named', async () => {
      const out = path.join(a.tmp, 'before-rotation.jsonl');
      const base = ['decisions', 'export', '--home', a.home, '--since', '1d', '--model', 'scorer-1'];
      const r = await runCliJson<{ count: number; origin: string; verifierKey: string; otherLogs?: string[] }>([
        ...base,
        '--origin',
        oldOrigin,
        '--out',
        out,
        '--json',
      ]);
      expect(r).toMatchObject({ count: oldIndexes.length, origin: oldOrigin, verifierKey: a.init.verifierKey });
      expect(r.otherLogs).toEqual([newOrigin]);
      const lines = (await readFile(out, 'utf8')).trim().split('\n');
      const ids = lines.slice(1).map((l) => (JSON.parse(l) as { record: { decisionId: string } }).record.decisionId);
      expect(ids.sort()).toEqual(oldIndexes.map((_, i) => `before-log-rotation-${i}`).sort());
      const ok = await runCli(['verify', out, '--key', a.init.verifierKey]);
      expect(ok.code, ok.stderr).toBe(0);
      // The current log's key does not verify it.
      const current = (await nodeInfo(a)).verifierKey;
      expect((await runCli(['verify', out, '--key', current])).code).toBe(1);
      // Without --origin: the current log, and the human summary names the old one as not searched.
      const now = await runCli([...base, '--out', path.join(a.tmp, 'current.jsonl')]);
      expect(now.code, now.stderr).toBe(0);
      expect(now.stdout).toContain(`not searched: this node's log ${oldOrigin} (--origin ${oldOrigin})`);
      expect(now.stdout).toContain(`(${newOrigin})`);
    }, 60_000);
  });

  describe("when a's new log grows", () => {
    it('its entries are witnessed under the new origin and provable from c', async () => {
      const [index] = await ingest(a, 1, 'after-log-rotation');
      const v = await proveAndVerify(c, newOrigin, index as number);
      expect(v).toMatchObject({ ok: true, org: 'a', index });
      expect(v.retired).toBeUndefined();
      // --org names the current log, not the retired one.
      const byOrg = await runCli(['audit', 'prove', '--home', c.home, '--org', 'a', '--index', String(index)]);
      expect(byOrg.code, byOrg.stderr).toBe(0);
      expect(JSON.parse(byOrg.stdout)).toMatchObject({ origin: newOrigin });
    }, 150_000);
  });

  describe('when a restarts', () => {
    it('opens its retired log again and still serves it', async () => {
      await a.daemon.stop();
      await restartFedNode(a);
      expect((await nodeInfo(a)).origin).toBe(newOrigin);
      const v = await proveAndVerify(b, oldOrigin, oldIndexes[2] as number);
      expect(v).toMatchObject({ ok: true, org: 'a' });
    }, 150_000);
  });

  describe('when asked with two keys at once', () => {
    it('is a usage error (exit 2)', async () => {
      expect((await runCli(['keys', 'rotate', '--log', '--witness', '--home', a.home])).code).toBe(2);
    }, 30_000);
  });
});
