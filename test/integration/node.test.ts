/**
 * The node as a user runs it: `govfed init`, `govfed start` (a real daemon child process on 127.0.0.1),
 * `govfed token create`, ingest over real HTTP, then everything the node serves checked with protocol/
 * alone against the verifier key that init printed — checkpoint signature, entries, inclusion and
 * consistency proofs, auditor records — and the CLI's status / audit / verify / fsck round trips.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Level } from 'level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leafKey } from '../../node/log/keys.ts';
import { type DecisionRecord, decodeLeaf, recordDigest } from '../../protocol/audit/index.ts';
import { generateKeyPair } from '../../protocol/crypto/ed25519.ts';
import { fromBase64, toBase64 } from '../../protocol/encoding/bytes.ts';
import { leafHash, verifyConsistency, verifyInclusion } from '../../protocol/log/index.ts';
import { type Checkpoint, ed25519VerifierKey, openCheckpoint, parseVerifierKey } from '../../protocol/note/index.ts';
import { removeDir, runCli, runCliJson } from '../helpers/cli.ts';
import { DaemonProcess, initNode, killAllDaemons, type TestNode } from '../helpers/daemon.ts';
import {
  type AppendedEntry,
  getBytes,
  getJson,
  getText,
  hashes,
  makeRecords,
  postDecisions,
  waitForToken,
} from '../helpers/records.ts';

let node: TestNode;
let daemon: DaemonProcess;
let ingestToken: string;
let auditorToken: string;
const acked: AppendedEntry[] = [];
let firstCheckpoint: Checkpoint;

function open(note: string): Checkpoint {
  return openCheckpoint(note, parseVerifierKey(node.init.verifierKey)).checkpoint;
}

async function signNow(): Promise<Checkpoint> {
  const res = await daemon.fetch('/v1/log/checkpoint', { method: 'POST', token: node.adminToken });
  expect(res.status).toBe(200);
  return open(await res.text());
}

beforeAll(async () => {
  node = await initNode('acme', ['--jurisdiction', 'DE']);
  daemon = await DaemonProcess.start(node.home);
});

afterAll(async () => {
  await killAllDaemons();
  if (node !== undefined) await removeDir(node.tmp);
});

describe('govfed node', () => {
  describe('when initialized with govfed init', () => {
    it('prints the identity as JSON with exactly the documented keys', () => {
      expect(Object.keys(node.init).sort()).toEqual([
        'api',
        'memberCard',
        'org',
        'origin',
        'peerId',
        'tokenFile',
        'verifierKey',
        'witnessKey',
      ]);
      expect(node.init.org).toBe('acme');
      expect(node.init.origin).toMatch(/^govfed\/acme\/[0-9a-f]{8}$/);
      expect(node.init.verifierKey.startsWith(`${node.init.origin}+`)).toBe(true);
      expect(node.init.peerId).toMatch(/^12D3KooW/);
      expect(node.init.tokenFile).toBe(path.join(node.home, 'admin.token'));
      expect(node.init.memberCard).toBe(path.join(node.home, 'member-card.json'));
      expect(node.adminToken).toMatch(/^gf_admin_/);
    });

    it('writes every secret with mode 0600', async () => {
      for (const f of ['keys/log.key', 'keys/peer.key', 'admin.token', 'tokens.json']) {
        expect(((await stat(path.join(node.home, f))).mode & 0o777).toString(8), f).toBe('600');
      }
    });

    it('never prints key material', async () => {
      const logKey = (await readFile(path.join(node.home, 'keys/log.key'), 'utf8')).trim();
      // PRIVATE+KEY+<name>+<key hash>+<base64 secret>; the base64 may itself contain '+'.
      const secret = /^PRIVATE\+KEY\+[^+]+\+[0-9a-f]{8}\+(.{40,})$/.exec(logKey)?.[1] as string;
      expect(secret).toBeDefined();
      expect(JSON.stringify(node.init)).not.toContain(secret);
      expect(daemon.stdout + daemon.stderr).not.toContain(secret);
      expect(daemon.stdout + daemon.stderr).not.toContain(node.adminToken);
    });

    it('prints a readable summary without --json', async () => {
      const home = path.join(node.tmp, 'second');
      const r = await runCli(['init', '--home', home, '--org', 'beta', '--api', '127.0.0.1:0']);
      expect(r.code, r.stderr).toBe(0);
      for (const label of ['org', 'peer id', 'log origin', 'verifier key', 'api', 'admin token']) {
        expect(r.stdout).toMatch(new RegExp(`^${label}\\s+\\S+`, 'm'));
      }
      expect(r.stdout).toMatch(/^log origin\s+govfed\/beta\/[0-9a-f]{8}$/m);
    });

    it('refuses to initialize the same home twice (exit 4)', async () => {
      const r = await runCli(['init', '--home', node.home, '--org', 'acme']);
      expect(r.code).toBe(4);
      expect(r.stderr).toContain('ERR_HOME_EXISTS');
    });
  });

  describe('when started', () => {
    it('listens on 127.0.0.1 and reports the identity init printed', async () => {
      expect(daemon.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await daemon.fetch('/healthz')).status).toBe(200);
      const info = await getJson<Record<string, unknown>>(`${daemon.url}/v1/node`, node.adminToken);
      expect(info).toMatchObject({
        org: 'acme',
        jurisdiction: 'DE',
        peerId: node.init.peerId,
        origin: node.init.origin,
        verifierKey: node.init.verifierKey,
      });
    });

    it('serves a checkpoint signed by the key init printed', async () => {
      const res = await daemon.fetch('/v1/log/checkpoint', { token: node.adminToken });
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      firstCheckpoint = open(await res.text());
      expect(firstCheckpoint.origin).toBe(node.init.origin);
    });
  });

  describe('when decisions are ingested with a token from govfed token create', () => {
    it('creates an ingest token and an auditor token', async () => {
      const ingest = await runCliJson<{ token: string; role: string }>([
        'token',
        'create',
        '--home',
        node.home,
        '--role',
        'ingest',
      ]);
      const auditor = await runCliJson<{ token: string; role: string }>([
        'token',
        'create',
        '--home',
        node.home,
        '--role',
        'auditor',
      ]);
      expect(ingest.role).toBe('ingest');
      expect(auditor.role).toBe('auditor');
      ingestToken = ingest.token;
      auditorToken = auditor.token;
      // The running daemon picks them up without a restart.
      await waitForToken(daemon.url, ingestToken);
      await waitForToken(daemon.url, auditorToken);
    });

    it('acknowledges a batch and a single record with consecutive indices', async () => {
      const batch = await postDecisions(daemon.url, ingestToken, makeRecords(25, 'batch'));
      const single = await postDecisions(daemon.url, ingestToken, makeRecords(1, 'single')[0]);
      const all = [...batch, ...single];
      expect(all).toHaveLength(26);
      for (let i = 1; i < all.length; i++) expect(all[i]?.index).toBe((all[0]?.index as number) + i);
      acked.push(...all);
    });

    it('signs a checkpoint that covers them, consistent with the first one', async () => {
      const cp = await signNow();
      expect(cp.size).toBeGreaterThan(acked.at(-1)?.index as number);
      const { proof } = await getJson<{ proof: string[] }>(
        `${daemon.url}/v1/log/proofs/consistency?from=${firstCheckpoint.size}&to=${cp.size}`,
        node.adminToken,
      );
      verifyConsistency(firstCheckpoint.size, cp.size, hashes(proof), firstCheckpoint.rootHash, cp.rootHash);
    });

    it('serves each entry with the acknowledged leaf hash and an inclusion proof to the checkpoint', async () => {
      const cp = open(await getText(`${daemon.url}/v1/log/checkpoint`, ingestToken));
      for (const e of acked) {
        const bytes = await getBytes(`${daemon.url}/v1/log/entries/${e.index}`, ingestToken);
        expect(toBase64(leafHash(bytes))).toBe(e.leafHash);
        expect(decodeLeaf(bytes)).toMatchObject({ v: 1, type: 'decision', model: 'credit-scorer-v2' });
        const p = await getJson<{ index: number; treeSize: number; leafHash: string; proof: string[] }>(
          `${daemon.url}/v1/log/proofs/inclusion?index=${e.index}&treeSize=${cp.size}`,
          ingestToken,
        );
        expect(p).toMatchObject({ index: e.index, treeSize: cp.size, leafHash: e.leafHash });
        verifyInclusion(e.index, cp.size, fromBase64(p.leafHash), hashes(p.proof), cp.rootHash);
      }
    });

    it('rejects a tampered proof (the check can fail)', async () => {
      const e = acked[3] as AppendedEntry;
      const cp = open(await getText(`${daemon.url}/v1/log/checkpoint`, ingestToken));
      const p = await getJson<{ proof: string[] }>(
        `${daemon.url}/v1/log/proofs/inclusion?index=${e.index}`,
        ingestToken,
      );
      const bad = hashes(p.proof);
      const first = bad[0] as Uint8Array;
      first[0] = (first[0] as number) ^ 1;
      expect(() => verifyInclusion(e.index, cp.size, fromBase64(e.leafHash), bad, cp.rootHash)).toThrow(
        expect.objectContaining({ code: 'ERR_ROOT_MISMATCH' }),
      );
    });

    it('serves the full record to an auditor, and its salted digest is the one in the leaf', async () => {
      const e = acked[0] as AppendedEntry;
      const r = await getJson<{ index: number; leaf: { recordDigest: string }; record: DecisionRecord }>(
        `${daemon.url}/v1/decisions/${e.index}`,
        auditorToken,
      );
      expect(r.record).toMatchObject({ model: 'credit-scorer-v2', decisionId: 'batch-0', output: 'deny' });
      expect(recordDigest(r.record)).toBe(r.leaf.recordDigest);
      const leaf = decodeLeaf(await getBytes(`${daemon.url}/v1/log/entries/${e.index}`, auditorToken));
      expect(leaf).toMatchObject({ recordDigest: r.leaf.recordDigest });
    });
  });

  describe('when using the CLI against the running node', () => {
    it('status --json shows the identity and a verified checkpoint', async () => {
      const s = await runCliJson<{ node: Record<string, unknown>; checkpoint: { size: number; verified: boolean } }>([
        'status',
        '--home',
        node.home,
      ]);
      expect(s.node).toMatchObject({ org: 'acme', origin: node.init.origin, verifierKey: node.init.verifierKey });
      expect(s.checkpoint.size).toBeGreaterThan(acked.at(-1)?.index as number);
      expect(s.checkpoint.verified).toBe(true);
    });

    it('status prints a readable table', async () => {
      const r = await runCli(['status', '--home', node.home]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^api\s+http:\/\/127\.0\.0\.1:\d+$/m);
      expect(r.stdout).toMatch(new RegExp(`^log origin\\s+${node.init.origin}$`, 'm'));
    });

    it('audit checkpoint prints the signed note', async () => {
      const r = await runCli(['audit', 'checkpoint', '--home', node.home]);
      expect(r.code).toBe(0);
      expect(open(r.stdout).origin).toBe(node.init.origin);
    });

    it('audit prove writes a bundle that verify accepts under the pinned key (exit 0)', async () => {
      const e = acked[7] as AppendedEntry;
      const out = path.join(node.tmp, 'proof.json');
      const p = await runCli(['audit', 'prove', '--home', node.home, '--index', String(e.index), '--out', out]);
      expect(p.code, p.stderr).toBe(0);
      const v = await runCli(['verify', out, '--key', node.init.verifierKey, '--json']);
      expect(v.code, v.stderr).toBe(0);
      expect(JSON.parse(v.stdout)).toMatchObject({
        ok: true,
        index: e.index,
        origin: node.init.origin,
        keyPinned: true,
      });
      expect(v.stderr).toBe('');
    });

    it('audit prove works with a non-admin token (waits for the periodic checkpoint) and GOVFED_HOME', async () => {
      const [fresh] = await postDecisions(daemon.url, ingestToken, makeRecords(1, 'fresh'));
      const e = fresh as AppendedEntry;
      const r = await runCli(['audit', 'prove', '--index', String(e.index), '--token', ingestToken], {
        env: { GOVFED_HOME: node.home },
      });
      expect(r.code, r.stderr).toBe(0);
      const bundle = JSON.parse(r.stdout) as { index: number; treeSize: number; leafHash: string };
      expect(bundle.index).toBe(e.index);
      expect(bundle.treeSize).toBeGreaterThan(e.index);
      expect(bundle.leafHash).toBe(e.leafHash);
      const v = await runCli(['verify', '-', '--key', node.init.verifierKey], { input: r.stdout });
      expect(v.code, v.stderr).toBe(0);
      expect(v.stdout).toContain(`OK: entry ${e.index}`);
    });

    it('verify warns when the key is not pinned', async () => {
      const v = await runCli(['verify', path.join(node.tmp, 'proof.json')]);
      expect(v.code).toBe(0);
      expect(v.stderr).toContain('warning');
    });

    it('verify exits 1 after the bundle is tampered with', async () => {
      const file = path.join(node.tmp, 'proof.json');
      const bundle = JSON.parse(await readFile(file, 'utf8')) as { entry: string; index: number };
      const other = await getBytes(`${daemon.url}/v1/log/entries/${(acked[8] as AppendedEntry).index}`, ingestToken);
      const tampered = path.join(node.tmp, 'tampered.json');
      await writeFile(tampered, JSON.stringify({ ...bundle, entry: toBase64(other) }));
      const v = await runCli(['verify', tampered, '--key', node.init.verifierKey]);
      expect(v.code).toBe(1);
      expect(v.stderr).toContain('ERR_LEAF_HASH_MISMATCH');
    });

    it('verify exits 1 under a wrong --key', async () => {
      const wrong = ed25519VerifierKey(node.init.origin, generateKeyPair().publicKey);
      const v = await runCli(['verify', path.join(node.tmp, 'proof.json'), '--key', wrong]);
      expect(v.code).toBe(1);
      expect(v.stderr).toMatch(/ERR_UNKNOWN_KEY|ERR_NO_VERIFIED_SIGNATURE/);
    });

    it('audit prove exits 4 for an index beyond the log', async () => {
      const r = await runCli(['audit', 'prove', '--home', node.home, '--index', '1000000']);
      expect(r.code).toBe(4);
      expect(r.stderr).toContain('ERR_NOT_FOUND');
    });

    it('audit fsck passes via the running daemon (exit 0)', async () => {
      const r = await runCliJson<{ ok: boolean; via: string; size: number }>(['audit', 'fsck', '--home', node.home]);
      expect(r).toMatchObject({ ok: true, via: 'daemon' });
      expect(r.size).toBeGreaterThan(acked.at(-1)?.index as number);
    });
  });

  describe('when stopped with SIGTERM', () => {
    it('exits 0', async () => {
      expect(await daemon.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    });

    it('audit fsck passes on the closed store (exit 0)', async () => {
      const r = await runCliJson<{ ok: boolean; via: string }>(['audit', 'fsck', '--home', node.home]);
      expect(r).toMatchObject({ ok: true, via: 'store' });
    });

    it('status exits 3: the node is unreachable', async () => {
      const r = await runCli(['status', '--home', node.home]);
      expect(r.code).toBe(3);
    });

    it('restarts with the same entries and a consistent checkpoint', async () => {
      daemon = await DaemonProcess.start(node.home);
      const e = acked.at(-1) as AppendedEntry;
      const bytes = await getBytes(`${daemon.url}/v1/log/entries/${e.index}`, ingestToken);
      expect(toBase64(leafHash(bytes))).toBe(e.leafHash);
      const cp = await signNow();
      const { proof } = await getJson<{ proof: string[] }>(
        `${daemon.url}/v1/log/proofs/consistency?from=${firstCheckpoint.size}&to=${cp.size}`,
        ingestToken,
      );
      verifyConsistency(firstCheckpoint.size, cp.size, hashes(proof), firstCheckpoint.rootHash, cp.rootHash);
      expect(await daemon.stop('SIGINT')).toEqual({ code: 0, signal: null });
    });
  });

  describe('when a stored leaf is altered behind the node', () => {
    it('audit fsck reports the mismatch and exits 1', async () => {
      const e = acked[2] as AppendedEntry;
      const db = new Level<string, Uint8Array>(path.join(node.home, 'data'), {
        keyEncoding: 'utf8',
        valueEncoding: 'view',
      });
      const original = (await db.get(leafKey(e.index))) as Uint8Array;
      const altered = new TextDecoder().decode(original).replace(/"outcome":"[^"]+"/, '"outcome":"tampered"');
      expect(altered).toContain('"outcome":"tampered"');
      await db.put(leafKey(e.index), new TextEncoder().encode(altered), { sync: true });
      await db.close();
      const r = await runCli(['audit', 'fsck', '--home', node.home, '--json']);
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout) as { ok: boolean; via: string; problems: string[] };
      expect(report).toMatchObject({ ok: false, via: 'store' });
      expect(report.problems.length).toBeGreaterThan(0);
      const human = await runCli(['audit', 'fsck', '--home', node.home]);
      expect(human.code).toBe(1);
      expect(human.stdout).toMatch(/^FAILED/);
      expect(human.stdout).toContain('problem:');
    });
  });
});
