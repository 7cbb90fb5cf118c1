/**
 * Witnessed logs and cross-org proofs, as orgs run them: four real daemons (a, b, c, d) on 127.0.0.1 with
 * real libp2p, one federation (every member's log key and witness key in the charter, k = 2 of 3).
 *
 *   1. every member's checkpoints get cosigned by the others; GET /v1/log/checkpoint carries the lines;
 *   2. a cross-org bundle for c's entry, asked of a's node, verifies offline (govfed verify) and fails
 *      when any byte of the entry, the inclusion proof, the checkpoint or a cosignature changes;
 *   3. the tlog-witness endpoint answers every status code the spec defines (an outside log);
 *   4. c equivocates — the test signs two different checkpoints of one size with c's real log key and
 *      feeds one to each half of the federation — and every honest node detects it: c is misbehaving in
 *      every federation view and the alert is in every honest node's audit log.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeLeaf } from '../../protocol/audit/leaf.ts';
import { generateKeyPair } from '../../protocol/crypto/ed25519.ts';
import { fromBase64, toBase64, utf8 } from '../../protocol/encoding/bytes.ts';
import { leafHash as leafHashOf, MemoryTree, proveConsistency } from '../../protocol/log/index.ts';
import {
  ed25519Signer,
  ed25519VerifierKey,
  type NoteSigner,
  openCheckpoint,
  parseVerifierKey,
  signCheckpoint,
  verifyCosignature,
} from '../../protocol/note/index.ts';
import { verifyCrossOrgBundle } from '../../protocol/witness/bundle.ts';
import { formatAddCheckpoint } from '../../protocol/witness/request.ts';
import { makeTempDir, removeDir, runCli } from '../helpers/cli.ts';
import { type FedNode, type FedStatus, fedCli, fedStatus, waitFor, waitForVersion } from '../helpers/federation.ts';
import { inviteByCli, OrgNodes } from '../helpers/org-nodes.ts';
import { postWitness, stageSplitView } from '../helpers/splitview.ts';

const ORGS = [
  ['a', 'DE'],
  ['b', 'FR'],
  ['c', 'US'],
  ['d', 'JP'],
] as const;

const orgs = new OrgNodes(ORGS);
const { node } = orgs;
let federationId = '';
let tmp = '';

interface WitnessOrigin {
  origin: string;
  org: string;
  witnessedSize: number | null;
  cosignatures: number;
  k: number;
  misbehaving: boolean;
}

const witnessView = async (n: FedNode) =>
  ((await fedStatus(n)).modules?.witness as { origins: WitnessOrigin[] } | undefined)?.origins ?? [];

async function admit(invitee: FedNode, version: number, members: FedNode[]): Promise<void> {
  await inviteByCli(node('a'), invitee);
  await waitForVersion([...members, invitee], version);
}

async function get(n: FedNode, p: string): Promise<Response> {
  return await n.daemon.fetch(p, { token: n.adminToken });
}

beforeAll(async () => {
  tmp = await makeTempDir();
  await orgs.start();
  const created = await fedCli<{ status: FedStatus }>(node('a'), ['create', '--name', 'Witness test']);
  federationId = created.status.id as string;
  await admit(node('b'), 2, [node('a')]);
  await admit(node('c'), 3, [node('a'), node('b')]);
  await admit(node('d'), 4, [node('a'), node('b'), node('c')]);
}, 80_000);

afterAll(async () => {
  await orgs.stop();
  if (tmp !== '') await removeDir(tmp);
});

describe('witnessed audit logs', () => {
  describe('when four members run', () => {
    it("gets every member's checkpoints cosigned by at least k = 2 of the others", async () => {
      const all = ORGS.map(([o]) => node(o));
      const s = await fedStatus(node('a'));
      expect(s.members.every((m) => typeof m.logKey === 'string' && typeof m.witnessKey === 'string')).toBe(true);
      for (const n of all) {
        await waitFor(`${n.org} to hold a witnessed checkpoint of every member`, async () => {
          const view = await witnessView(n);
          return (
            view.length === 4 && view.every((o) => o.k === 2 && (o.witnessedSize ?? 0) >= 1 && o.cosignatures >= 2)
          );
        });
      }
      // Each node serves its own checkpoint with the cosignature lines appended (C2SP style).
      for (const n of all) {
        const keys = s.members.filter((m) => m.org !== n.org).map((m) => parseVerifierKey(m.witnessKey as string));
        const note = await waitFor(`${n.org}'s checkpoint to carry 2 cosignatures`, async () => {
          const text = await (await get(n, '/v1/log/checkpoint')).text();
          return text.split('\n').filter((l) => l.startsWith('\u2014 ')).length >= 3 ? text : undefined;
        });
        const opened = openCheckpoint(note, parseVerifierKey(n.init.verifierKey), keys);
        const cosigs = opened.verified.filter((v) => v.name.endsWith('/witness'));
        expect(cosigs.length).toBeGreaterThanOrEqual(2);
        for (const c of cosigs) {
          const key = keys.find((k) => k.name === c.name) as ReturnType<typeof parseVerifierKey>;
          expect(() => verifyCosignature(opened.text, c, key)).not.toThrow();
        }
        // The tlog-tiles endpoint GET /checkpoint (no token) serves the same note, cosignatures included.
        const pub = await waitFor(`${n.org}'s public /checkpoint to carry 2 cosignatures`, async () => {
          const text = await (await fetch(`${n.daemon.url}/checkpoint`)).text();
          return text.split('\n').filter((l) => l.startsWith('\u2014 ')).length >= 3 ? text : undefined;
        });
        const pubCosigs = openCheckpoint(pub, parseVerifierKey(n.init.verifierKey), keys).verified;
        expect(pubCosigs.filter((v) => v.name.endsWith('/witness')).length).toBeGreaterThanOrEqual(2);
      }
    }, 60_000);
  });

  describe("when an auditor asks a's node to prove an entry of c's log", () => {
    it('gets a bundle that verifies offline and fails when any byte of it changes', async () => {
      const c = node('c');
      const posted = await c.daemon.fetch('/v1/decisions', {
        method: 'POST',
        token: c.adminToken,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'scorer-1', decisionId: 'loan-42', output: { approve: true } }),
      });
      expect(posted.status).toBe(200);
      const found = (await (await get(c, '/v1/log/lookup?decisionId=loan-42')).json()) as { index: number };
      const origin = c.init.origin;
      const file = path.join(tmp, 'c-proof.json');
      await waitFor("a's node to prove c's new entry", async () => {
        const r = await runCli([
          'audit',
          'prove',
          '--home',
          node('a').home,
          '--origin',
          origin,
          '--index',
          String(found.index),
          '--out',
          file,
        ]);
        return r.code === 0;
      });
      const ok = await runCli(['verify', file, '--federation', federationId, '--json']);
      expect(ok.code).toBe(0);
      // The same by org name (issue 12): --org c, and --origin accepting the org name.
      const expectedEntry = (JSON.parse(await readFile(file, 'utf8')) as { entry: string }).entry;
      for (const flag of ['--org', '--origin']) {
        const byOrg = await runCli([
          'audit',
          'prove',
          '--home',
          node('a').home,
          flag,
          'c',
          '--index',
          String(found.index),
        ]);
        expect(byOrg.code, flag).toBe(0);
        expect(JSON.parse(byOrg.stdout)).toMatchObject({ entry: expectedEntry });
      }
      const unknownOrg = await runCli(['audit', 'prove', '--home', node('a').home, '--org', 'apac', '--index', '0']);
      expect(unknownOrg.code).toBe(2);
      expect(unknownOrg.stderr).toContain(`c (${origin})`);
      const verified = JSON.parse(ok.stdout) as { ok: boolean; org: string; index: number; cosigners: string[] };
      expect(verified).toMatchObject({ ok: true, org: 'c', index: found.index });
      expect(verified.cosigners.length).toBeGreaterThanOrEqual(2);
      expect(verified.cosigners).not.toContain('c');

      // A different federation id pinned: refused.
      const wrongFed = await runCli(['verify', file, '--federation', 'f'.repeat(64)]);
      expect(wrongFed.code).toBe(1);

      const bundle = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown> & {
        entry: string;
        inclusion: string[];
        checkpoint: string;
      };
      expect(() => verifyCrossOrgBundle(bundle, { federationId })).not.toThrow();
      const flipB64 = (s: string, at: number) => {
        const bytes = fromBase64(s);
        bytes[at % bytes.length] = (bytes[at % bytes.length] as number) ^ 1;
        return toBase64(bytes);
      };
      const lines = bundle.checkpoint.split('\n');
      const cosigLine = lines.findIndex((l) => l.includes('/witness '));
      const flipLine = (i: number, f: (l: string) => string) => lines.map((l, j) => (j === i ? f(l) : l)).join('\n');
      const tampered: [string, Record<string, unknown>][] = [
        ['entry', { ...bundle, entry: flipB64(bundle.entry, 10) }],
        [
          'inclusion',
          { ...bundle, inclusion: [flipB64(bundle.inclusion[0] as string, 3), ...bundle.inclusion.slice(1)] },
        ],
        ['checkpoint root', { ...bundle, checkpoint: flipLine(2, (l) => flipB64(l, 7)) }],
        [
          'cosignature',
          {
            ...bundle,
            checkpoint: flipLine(cosigLine, (l) => {
              const at = l.lastIndexOf(' ');
              return `${l.slice(0, at + 1)}${flipB64(l.slice(at + 1), 40)}`;
            }),
          },
        ],
      ];
      expect(bundle.inclusion.length).toBeGreaterThan(0);
      expect(cosigLine).toBeGreaterThan(3);
      for (const [what, b] of tampered) {
        expect(() => verifyCrossOrgBundle(b, { federationId }), what).toThrow(
          expect.objectContaining({ code: expect.stringMatching(/^ERR_/) }),
        );
      }
      const bad = path.join(tmp, 'c-proof-bad.json');
      await writeFile(bad, JSON.stringify(tampered[3]?.[1]));
      const failed = await runCli(['verify', bad, '--federation', federationId]);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/ERR_BAD_SIGNATURE/);
    }, 60_000);
  });

  describe("when an auditor looks a decision up in c's log through a's node (audit lookup --org)", () => {
    it('gets the same verified bundle by decision id or leaf hash; an unknown decision is ERR_NOT_FOUND', async () => {
      const home = node('a').home;
      const file = path.join(tmp, 'c-lookup.json');
      const r = await runCli([
        'audit',
        'lookup',
        '--home',
        home,
        '--org',
        'c',
        '--decision-id',
        'loan-42',
        '--out',
        file,
        '--json',
      ]);
      expect(r.code, r.stderr).toBe(0);
      const summary = JSON.parse(r.stdout) as { org: string; index: number; file: string };
      expect(summary).toMatchObject({ org: 'c', file });
      const bundle = JSON.parse(await readFile(file, 'utf8')) as { entry: string; index: number };
      const leaf = decodeLeaf(fromBase64(bundle.entry));
      expect(leaf.type === 'decision' && leaf.decisionId).toBe('loan-42');
      expect((await runCli(['verify', file, '--federation', federationId])).code).toBe(0);
      // By leaf hash (the hash of that entry), through the route, the same entry.
      const hash = toBase64(leafHashOf(fromBase64(bundle.entry)));
      const byHash = await runCli(['audit', 'lookup', '--home', home, '--origin', 'c', '--leaf-hash', hash]);
      expect(byHash.code, byHash.stderr).toBe(0);
      expect(JSON.parse(byHash.stdout)).toMatchObject({ entry: bundle.entry, index: bundle.index });
      const none = await runCli([
        'audit',
        'lookup',
        '--home',
        home,
        '--org',
        'c',
        '--decision-id',
        'no-such',
        '--json',
      ]);
      expect(none.code).toBe(4);
      expect(JSON.parse(none.stdout)).toMatchObject({ ok: false, code: 'ERR_NOT_FOUND' });
      const outAlone = await runCli(['audit', 'lookup', '--home', home, '--decision-id', 'loan-42', '--out', file]);
      expect(outAlone.code).toBe(2);
    }, 60_000);
  });

  describe('when a log outside the federation uses a node as its tlog-witness', () => {
    it('answers every status code of add-checkpoint', async () => {
      const a = node('a');
      const origin = 'example.com/outside-log';
      const seed = generateKeyPair().seed;
      const signer = ed25519Signer(origin, seed);
      const vkey = ed25519VerifierKey(origin, signer.publicKey);
      const added = await runCli(['witness', 'logs', 'add', '--home', a.home, '--key', vkey, '--json']);
      expect(added.code).toBe(0);
      expect(JSON.parse(added.stdout)).toEqual({ logs: [vkey] });

      const tree = new MemoryTree();
      const roots: Uint8Array[] = [tree.root()];
      for (let i = 0; i < 5; i++) {
        tree.append(utf8(`leaf ${i}`));
        roots.push(tree.root());
      }
      const cp = (size: number, s: NoteSigner = signer, root = roots[size] as Uint8Array) =>
        signCheckpoint({ origin, size, rootHash: root, extensions: [] }, s);
      const req = (old: number, note: string, proof: Uint8Array[] = []) =>
        formatAddCheckpoint({ oldSize: old, proof, note });

      const first = await postWitness(a, req(0, cp(2)));
      expect(first.status).toBe(200);
      const line = await first.text();
      const witnessKey = parseVerifierKey(a.init.witnessKey as string);
      const opened = openCheckpoint(`${cp(2)}${line}`, parseVerifierKey(vkey), [witnessKey]);
      expect(opened.verified.map((v) => v.name)).toContain('govfed/a/witness');

      const conflict = await postWitness(a, req(0, cp(3)));
      expect(conflict.status).toBe(409);
      expect(conflict.headers.get('content-type')).toMatch(/^text\/x\.tlog\.size/);
      expect(await conflict.text()).toBe('2\n');

      expect((await postWitness(a, req(2, cp(3), [new Uint8Array(32).fill(9)]))).status).toBe(422);
      expect((await postWitness(a, req(2, cp(2, signer, new Uint8Array(32).fill(1))))).status).toBe(409);
      expect((await postWitness(a, req(5, cp(3)))).status).toBe(400);
      expect((await postWitness(a, 'old 0\nnot a checkpoint\n')).status).toBe(400);
      const impostor = ed25519Signer(origin, generateKeyPair().seed);
      expect((await postWitness(a, req(2, cp(3, impostor)))).status).toBe(403);
      const stranger = ed25519Signer('example.com/unknown', seed);
      const unknown = signCheckpoint(
        { origin: 'example.com/unknown', size: 1, rootHash: roots[1] as Uint8Array, extensions: [] },
        stranger,
      );
      expect((await postWitness(a, req(0, unknown))).status).toBe(404);

      // The honest next step still works: a valid proof from 2 to 4.
      const proof = await proveConsistency(2, 4, tree);
      expect((await postWitness(a, req(2, cp(4), proof))).status).toBe(200);
    }, 30_000);
  });

  describe('when c shows two different checkpoints of one size to two halves of the federation', () => {
    it('is detected by every honest node, in its federation view and its audit log', async () => {
      const c = node('c');
      const { size: S, notes, feed } = await stageSplitView(c);
      expect(await feed(node('a'), 'A')).toBe(200);
      expect(await feed(node('b'), 'A')).toBe(200);
      // d may already know A from the others' cosignatures: then it refuses B (409 ERR_EQUIVOCATION).
      expect([200, 409]).toContain(await feed(node('d'), 'B'));

      for (const n of [node('a'), node('b'), node('d')]) {
        await waitFor(`${n.org} to mark c misbehaving`, async () => {
          const s = await fedStatus(n);
          return s.members.find((m) => m.org === 'c')?.misbehaving === true;
        });
        await waitFor(`${n.org} to log the equivocation`, async () => {
          const size = ((await (await get(n, '/v1/node')).json()) as { log: { size: number } }).log.size;
          for (let i = size - 1; i >= Math.max(0, size - 20); i--) {
            const leaf = decodeLeaf(new Uint8Array(await (await get(n, `/v1/log/entries/${i}`)).arrayBuffer()));
            if (leaf.type === 'governance' && leaf.kind === 'witness.equivocation') {
              return leaf.ref === `witness/${c.init.origin}`;
            }
          }
          return false;
        });
        expect(n.daemon.stderr).toMatch(/"event":"witness:equivocation"/);
      }
      // A log caught equivocating is never cosigned again.
      const again = await postWitness(node('a'), formatAddCheckpoint({ oldSize: S, proof: [], note: notes.A }));
      expect(again.status).toBe(409);
      expect(((await again.json()) as { error: { code: string } }).error.code).toBe('ERR_EQUIVOCATION');
    }, 60_000);
  });
});
