/**
 * The kill switch with real daemons, real libp2p and the real CLI (issue 14; docs/contracts.md "The kill
 * switch"): four orgs — a (DE), b (FR), c (IT), d (US); risk officers ana (a) and dan (d); the charter's
 * revocation threshold 2 and suspension time 15 s. One officer's suspension stops the version on every
 * node within seconds (decisions denied `suspended`) and lapses when not ratified; one revoke vote only
 * suspends, the second revokes everywhere; a reinstatement needs a fresh approval quorum; forged,
 * misdirected, wrong-role and replayed records change nothing; a node cut off from the others (they are
 * paused) fails closed for a contract's high-tier version once its kill-switch state is older than the
 * contract's maxRevocationStaleness, and recovers when they are back.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readIdentityKey } from '../../node/registry/identity-key.ts';
import { generateKeyPair } from '../../protocol/crypto/ed25519.ts';
import { keyIdOf } from '../../protocol/dsse/index.ts';
import { type RevocationPredicate, signRevocation } from '../../protocol/registry/index.ts';
import { removeDir, runCli, runCliJson } from '../helpers/cli.ts';
import { killAllDaemons } from '../helpers/daemon.ts';
import { denyRules, type Entry, postDecision } from '../helpers/decisions.ts';
import { type FedNode, fedCli, fedStatus, waitFor } from '../helpers/federation.ts';
import { approve, CARD, key, person, registryNodes, show, waitForStatus } from '../helpers/registry.ts';

let nodes: FedNode[];
let a: FedNode;
let b: FedNode;
let d: FedNode;
const REF = 'a/loans@1.0.0';

interface Kill {
  state: string;
  until?: string;
  ratified?: boolean;
  by: string[];
  reinstatedAt?: string;
}

const killOf = async (n: FedNode) => ((await show(n, REF)) as unknown as { kill: Kill }).kill;

const decide = async (n: FedNode): Promise<Entry> =>
  (await postDecision(n, { model: REF, output: { score: 0.7 } })).entry;
const killRules = (e: Entry) => denyRules(e, 'registry');

const kill = (n: FedNode, who: string, action: string, reason = 'drift in production') =>
  runCli(['model', action, REF, '--key', key(n, who), '--reason', reason, '--home', n.home, '--json']);

/** Waits until every node denies decisions of REF with `rule` (or allows them, for undefined). */
async function everywhere(rule: string | undefined, timeoutMs = 30_000): Promise<void> {
  await Promise.all(
    nodes.map((n) =>
      waitFor(
        `${n.org} to ${rule === undefined ? 'allow' : `deny (${rule})`} decisions of ${REF}`,
        async () => {
          const rules = killRules(await decide(n));
          return rule === undefined ? rules.length === 0 : rules.includes(rule);
        },
        timeoutMs,
      ),
    ),
  );
}

beforeAll(async () => {
  nodes = await registryNodes([['d', 'US']]);
  [a, b, , d] = nodes as [FedNode, FedNode, FedNode, FedNode];
  await person(d, 'dan', 'risk_officer');
  await fedCli(a, ['set-threshold', '--revocation', '2', '--suspension-ttl', '15', '--json']);
  await Promise.all(
    nodes.map((n) =>
      waitFor(`${n.org} to hold the kill-switch settings and dan`, async () => {
        const s = (await fedStatus(n)) as unknown as {
          thresholds?: { revocation?: number };
          modules?: { registry?: { rosters?: Record<string, number> } };
        };
        return s.thresholds?.revocation === 2 && (s.modules?.registry?.rosters?.d ?? 0) >= 1;
      }),
    ),
  );
  const model = path.join(a.tmp, 'loans-model');
  await writeFile(model, 'loans model weights');
  await runCliJson([
    'model',
    'register',
    '--name',
    'loans',
    '--version',
    '1.0.0',
    '--path',
    model,
    '--card',
    CARD,
    '--key',
    key(a, 'alice'),
    '--home',
    a.home,
    '--json',
  ]);
  expect((await approve(a, 'ana', REF)).code).toBe(0);
  expect((await approve(b, 'bea', REF)).code).toBe(0);
  await waitForStatus(nodes, REF, 'approved', 2);
}, 300_000);

afterAll(async () => {
  await killAllDaemons();
  await Promise.all((nodes ?? []).map((n) => removeDir(n.tmp)));
});

describe('model suspend', () => {
  it('stops the version on every node at once, and the suspension lapses when not ratified', async () => {
    for (const n of nodes) expect(killRules(await decide(n))).toEqual([]);
    const res = await kill(d, 'dan', 'suspend');
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout) as { kill: Kill; action: string };
    expect(out).toMatchObject({ action: 'suspend', kill: { state: 'suspended', ratified: false, by: ['d/dan'] } });
    await everywhere('suspended', 10_000);
    for (const n of nodes) expect((await killOf(n)).until).toBe(out.kill.until);
    // Not ratified: it lapses after 15 s on every node.
    await everywhere(undefined, 40_000);
    expect((await killOf(b)).state).toBe('active');
  }, 90_000);
});

describe('model revoke', () => {
  it('revokes only at the threshold: one vote suspends, the second revokes everywhere', async () => {
    expect((await kill(a, 'ana', 'revoke')).code).toBe(0);
    await everywhere('suspended');
    for (const n of nodes) expect((await killOf(n)).state).toBe('suspended');
    expect((await kill(d, 'dan', 'revoke')).code).toBe(0);
    await everywhere('revoked');
    for (const n of nodes) {
      const k = await killOf(n);
      expect(k.state).toBe('revoked');
      expect(k.by.sort()).toEqual(['a/ana', 'd/dan']);
    }
  }, 60_000);
});

describe('hostile records', () => {
  const post = (n: FedNode, envelope: unknown, ref = 'loans/1.0.0') =>
    n.daemon.fetch(`/v1/models/${ref}/revocations?org=a`, {
      method: 'POST',
      token: n.adminToken,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ envelope }),
    });
  const codeOf = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;
  const predicate = async (over: Partial<RevocationPredicate> = {}): Promise<RevocationPredicate> => ({
    federation: (await fedStatus(a)).id as string,
    model: { org: 'a', name: 'loans', version: '1.0.0' },
    action: 'reinstate',
    reason: 'forged',
    signer: { org: 'a', name: 'ana', role: 'risk_officer' },
    issuedAt: new Date().toISOString(),
    ...over,
  });

  it('refuses a forged, a wrong-role and a misdirected record, and a replay changes nothing', async () => {
    const digest = (await show(a, REF)).digest;
    const ana = await readIdentityKey(key(a, 'ana'));
    const fake = generateKeyPair();
    // Forged: claims ana's key id, signed with another key.
    const forged = signRevocation(digest, await predicate(), { keyid: ana.keyid, seed: fake.seed });
    for (const n of nodes) {
      const res = await post(n, forged);
      expect(res.status).toBe(400);
      expect(await codeOf(res)).toBe('ERR_BAD_SIGNATURE');
    }
    // A legal (bea) claiming to be a risk officer: not so on b's roster.
    const bea = await readIdentityKey(key(b, 'bea'));
    const wrongRole = signRevocation(
      digest,
      await predicate({ signer: { org: 'b', name: 'bea', role: 'risk_officer' } }),
      { keyid: bea.keyid, seed: bea.seed },
    );
    const res = await post(b, wrongRole);
    expect(res.status).toBe(403);
    expect(await codeOf(res)).toBe('ERR_NOT_IN_ROSTER');
    // The CLI refuses a non-officer before anything is sent.
    const cli = await kill(b, 'bea', 'reinstate');
    expect(cli.code).toBe(1);
    expect(JSON.parse(cli.stdout)).toMatchObject({ code: 'ERR_NOT_IN_ROSTER' });
    // A stranger's key (on no roster).
    const stranger = signRevocation(digest, await predicate(), { keyid: keyIdOf(fake.publicKey), seed: fake.seed });
    expect(await codeOf(await post(a, stranger))).toBe('ERR_NOT_IN_ROSTER');
    // A real record of ana about another digest, posted for loans@1.0.0.
    const elsewhere = signRevocation(`sha256:${'ab'.repeat(32)}`, await predicate(), ana);
    const mis = await post(a, elsewhere);
    expect(mis.status).toBe(400);
    expect(await codeOf(mis)).toBe('ERR_REVOCATION_MISMATCH');
    // Replay of a record every node holds: the same log entry, no change.
    const held = (await show(a, REF)) as unknown as { revocations: { envelope: unknown; logIndex: number }[] };
    const first = held.revocations[0] as { envelope: unknown; logIndex: number };
    const replay = await post(a, first.envelope);
    expect(replay.status).toBe(200);
    expect(((await replay.json()) as { logIndex: number }).logIndex).toBe(first.logIndex);
    for (const n of nodes) expect((await killOf(n)).state).toBe('revoked');
    // A revoked version is not deployed anywhere.
    const deploy = await runCli(['model', 'deploy', REF, '--home', b.home, '--json']);
    expect(deploy.code).toBe(1);
    expect(JSON.parse(deploy.stdout)).toMatchObject({ code: 'ERR_DEPLOY_REFUSED' });
    expect(JSON.parse(deploy.stdout).message).toContain('revoked by');
  }, 60_000);
});

describe('model reinstate', () => {
  it('ends the revocation everywhere and needs a fresh approval quorum', async () => {
    const res = await kill(a, 'ana', 'reinstate', 'false alarm: retrained and re-evaluated');
    expect(res.code).toBe(0);
    await waitForStatus(nodes, REF, 'pending', 0);
    for (const n of nodes) {
      const k = await killOf(n);
      expect(k.state).toBe('active');
      expect(k.reinstatedAt).toBeDefined();
    }
    const votes = (await show(d, REF)) as unknown as { votes: { counts: boolean; why?: string }[] };
    expect(votes.votes.every((v) => !v.counts && v.why?.includes('reinstated'))).toBe(true);
    expect((await approve(a, 'ana', REF)).code).toBe(0);
    expect((await approve(b, 'bea', REF)).code).toBe(0);
    await waitForStatus(nodes, REF, 'approved', 2);
    for (const n of nodes) expect(killRules(await decide(n))).toEqual([]);
  }, 90_000);
});

describe('freeze protection: maxRevocationStaleness', () => {
  it('fails closed on a node cut off from the others, and recovers when they are back', async () => {
    const model = path.join(a.tmp, 'scorer-model');
    await writeFile(model, 'scorer weights');
    const contract = path.join(a.tmp, 'scorer-contract.json');
    await writeFile(contract, JSON.stringify({ maxRevocationStaleness: 30 }));
    await runCliJson([
      'model',
      'register',
      '--name',
      'scorer',
      '--version',
      '1.0.0',
      '--path',
      model,
      '--card',
      CARD,
      '--contract',
      contract,
      '--key',
      key(a, 'alice'),
      '--home',
      a.home,
      '--json',
    ]);
    const stale = async (n: FedNode) =>
      denyRules(
        (await postDecision(n, { model: 'a/scorer@1.0.0', output: { score: 0.1 } })).entry,
        'registry',
      ).includes('revocations.stale');
    await waitFor('a to allow scorer (its kill-switch state confirmed)', async () => !(await stale(a)), 30_000);
    const others = nodes.filter((n) => n !== a);
    for (const n of others) n.daemon.signal('SIGSTOP');
    try {
      await waitFor('a to fail closed for scorer', () => stale(a), 70_000);
      const health = (await (await a.daemon.fetch('/healthz')).json()) as { status: string; code?: string };
      expect(health).toMatchObject({ status: 'degraded', code: 'ERR_REVOCATIONS_STALE' });
      // A low-tier model without such a contract is not affected: loans has no contract.
      expect(killRules(await decide(a))).toEqual([]);
    } finally {
      for (const n of others) n.daemon.signal('SIGCONT');
    }
    await waitFor('a to allow scorer again', async () => !(await stale(a)), 60_000);
    // /healthz judges freshness on its own tick (at most FRESHNESS_CHECK_MS behind the decisions' view).
    await waitFor(
      'a healthy again',
      async () => ((await (await a.daemon.fetch('/healthz')).json()) as { status: string }).status === 'ok',
      30_000,
    );
  }, 200_000);
});
