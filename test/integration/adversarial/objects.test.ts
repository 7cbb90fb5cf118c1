/**
 * Forged, under-signed and replayed signed objects, from a compromised member. Three real daemons
 * (a, b, c, d; thresholds admission 2, charter 2, policy 2; one global policy bundle applied), then c's
 * and d's daemons stop and hostile clients play c and d with their real peer keys, connected to a and b
 * over libp2p.
 *
 * For every attack, on each honest node (a and b): the refusal is typed (GET /v1/federation `rejected`,
 * or the policy service's), nothing is stored (charters, proposals, policy version, log size unchanged),
 * and for what is invalid (not merely stale) c's gossipsub score on that node drops below 0.
 * Replays of valid objects are idempotent: dropped as duplicates or stale (ignore — no penalty, since
 * honest nodes re-send too) or, for checkpoints and cosignatures, re-checked and stored nowhere.
 * The equivocation a member really commits is caught (here: c reporting its own, from the alert's
 * side; test/integration/witness.test.ts: shown to two halves of the federation).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../protocol/crypto/ed25519.ts';
import type { Envelope } from '../../../protocol/dsse/index.ts';
import { toBase64 } from '../../../protocol/encoding/bytes.ts';
import { addMembers, type Charter } from '../../../protocol/federation/charter.ts';
import { envelopeBody } from '../../../protocol/federation/gossip.ts';
import { charterOf, signCharter } from '../../../protocol/federation/proposal.ts';
import { encodeSyncMessage } from '../../../protocol/federation/sync.ts';
import { SYNC_PROTOCOL } from '../../../protocol/federation/topics.ts';
import { parseSignerKey, signCheckpoint } from '../../../protocol/note/index.ts';
import { baselineDigest, decodeBaselineEnvelope, type PolicyBaseline } from '../../../protocol/policy/baseline.ts';
import { addBundleSignature, signBaseline } from '../../../protocol/policy/signing.ts';
import {
  decodePolicySyncMessage,
  encodePolicySyncMessage,
  POLICY_SYNC_PROTOCOL,
} from '../../../protocol/policy/sync.ts';
import { signAlert } from '../../../protocol/witness/evidence.ts';
import { adminPost, type FedNode, fedStatus, startFedNode, waitFor } from '../../helpers/federation.ts';
import { HostileClient, peerKeyOfHome } from '../../helpers/hostile.ts';
import { api, checkpointOf, flipSig, refusals, snapshot, splitNote } from './objects-helpers.ts';
import { chartersOf, connectHostile, federateWith, scoreOn, tearDown } from './setup.ts';

const RULE = {
  id: 'no-biometric-in-eu',
  hook: 'decision',
  effect: 'deny',
  expression: "'biometric' in decision.dataClasses && decision.jurisdiction == 'EU'",
  message: 'biometric data may not be processed in the EU',
};
const KINDS = ['charter', 'proposal', 'policy', 'policy-receipt', 'checkpoint', 'alert'];

let a: FedNode;
let b: FedNode;
let c: FedNode;
let federationId = '';
/** c's and d's keys are compromised: h plays c, hd plays d (two attackers, so that neither is graylisted
 * by gossipsub — score below −300, all its RPCs dropped unread — before the suite ends). */
let h: HostileClient;
let hd: HostileClient;
let d: FedNode;
let honest: FedNode[] = [];
/** a's checkpoint as c cosigned it (before c's daemon stopped). */
let cosignedByC = '';

/**
 * Runs `attack` and checks, on every honest node: a refusal with one of `codes` was counted, nothing
 * was stored, and (when `penalised`) c's score there went below 0.
 */
async function expectRefused(
  codes: readonly string[],
  attack: () => Promise<unknown>,
  penalised = true,
  attacker: FedNode = c,
) {
  const before = await Promise.all(honest.map(refusals));
  const stored = await Promise.all(honest.map(snapshot));
  await attack();
  for (const [i, n] of honest.entries()) {
    await waitFor(
      `${n.org} to refuse with ${codes.join(' | ')}`,
      async () => {
        const now = await refusals(n);
        return codes.some((code) => (now[code] ?? 0) > (before[i]?.[code] ?? 0));
      },
      10_000,
    );
  }
  for (const [i, n] of honest.entries()) expect(await snapshot(n), `${n.org} stored nothing`).toEqual(stored[i]);
  if (penalised) {
    for (const n of honest) {
      await waitFor(
        `${attacker.org}'s score on ${n.org} to drop`,
        async () => ((await scoreOn(n, attacker.init.peerId)) ?? 0) < 0,
        5000,
      );
    }
  }
}

const gossipVersion = async () => (await fedStatus(a)).charterVersion as number;

beforeAll(async () => {
  a = await startFedNode('a', 'DE');
  b = await startFedNode('b', 'FR');
  c = await startFedNode('c', 'US');
  d = await startFedNode('d', 'JP');
  federationId = await federateWith([a, b, c, d], { admission: 2, charter: 2, policy: 2 });
  const proposed = (await adminPost(a, '/v1/policy/proposals', { rules: [RULE] })) as {
    id?: string;
    proposal?: { id: string };
  };
  const id = (proposed.id ?? proposed.proposal?.id) as string;
  await waitFor('b to hold the policy proposal', async () =>
    (await api<{ pending: { id: string }[] }>(b, '/v1/policy/status')).pending.some((p) => p.id === id),
  );
  await adminPost(b, `/v1/policy/proposals/${encodeURIComponent(id)}/signatures`, {});
  for (const n of [a, b, c, d]) {
    await waitFor(
      `${n.org} to apply policy 1`,
      async () => (await api<{ version: number }>(n, '/v1/policy')).version === 1,
    );
  }
  // c's checkpoint gets cosigned by a and b, a's by c: objects to replay later.
  cosignedByC = await waitFor("c's cosignature on a's checkpoint", async () => {
    const note = await (await a.daemon.fetch('/v1/log/checkpoint', { token: a.adminToken })).text();
    return note.includes('govfed/c/') && note.includes('govfed/d/') ? note : undefined;
  });
  await Promise.all([c.daemon.stop(), d.daemon.stop()]);
  honest = [a, b];
  h = await HostileClient.start({ federationId, peerKey: await peerKeyOfHome(c.home) });
  hd = await HostileClient.start({ federationId, peerKey: await peerKeyOfHome(d.home) });
  for (const x of [h, hd]) await connectHostile(x, honest, KINDS);
  // let identify and the address book settle before snapshots
  await new Promise((r) => setTimeout(r, 1000));
}, 150_000);

afterAll(() => tearDown([a, b, c, d], [h, hd]));

const current = async (): Promise<{ env: Envelope; charter: Charter; all: Envelope[] }> => {
  const all = await chartersOf(h, a.init.peerId);
  const env = all[all.length - 1] as Envelope;
  return { env, charter: charterOf(env), all };
};

async function policyChain(): Promise<Envelope[]> {
  const r = decodePolicySyncMessage(
    await h.request(a.init.peerId, POLICY_SYNC_PROTOCOL, encodePolicySyncMessage({ type: 'get-policies', from: 1 })),
  );
  if (r.type !== 'policies') throw new Error(r.type);
  return r.envelopes;
}

/** Version 2 after the applied version 1 (no rules), signed by c alone: one signature of the two needed. */
async function nextSignedByC(): Promise<Envelope> {
  const [v1] = await policyChain();
  const { bundle } = decodeBaselineEnvelope(v1);
  const next: PolicyBaseline = {
    ...bundle,
    version: 2,
    previous: baselineDigest(bundle),
    createdAt: new Date().toISOString(),
    rules: [],
  };
  return signBaseline(next, h.seed);
}

describe('policy bundles below the policy threshold', () => {
  describe('when c pushes a bundle signed by c alone as an applied version, by sync', () => {
    it('is refused with ERR_POLICY_THRESHOLD by every honest node, and nothing is applied', async () => {
      const env = await nextSignedByC();
      const push = encodePolicySyncMessage({ type: 'policies', envelopes: [env] });
      await expectRefused(
        ['policy:ERR_POLICY_THRESHOLD'],
        async () => {
          for (const n of honest) await h.request(n.init.peerId, POLICY_SYNC_PROTOCOL, push);
        },
        false,
      );
    }, 30_000);
  });

  describe('when c gossips that bundle with a forged second signature (keyid of a)', () => {
    it('is rejected (ERR_BAD_SIGNATURE) everywhere, nothing is stored, and c is penalised', async () => {
      const env = await nextSignedByC();
      // a signature by some other key, relabelled as a's: well-formed, does not verify
      const fake = addBundleSignature(env, generateKeyPair().seed);
      const forged: Envelope = {
        ...fake,
        signatures: fake.signatures.map((s, i) =>
          i === fake.signatures.length - 1 ? { ...s, keyid: a.init.peerId } : s,
        ),
      };
      const version = await gossipVersion();
      await expectRefused(['ERR_BAD_SIGNATURE', 'ERR_UNKNOWN_SIGNER'], () =>
        h.gossip('policy', envelopeBody(forged), { charterVersion: version }),
      );
    }, 30_000);
  });
});

describe('a charter change admitting a peer under an admission threshold of 2', () => {
  describe('when c signs it alone and gossips it as a charter, then pushes it by sync', () => {
    it('is refused everywhere, the charter does not move, and c is penalised', async () => {
      const { charter } = await current();
      const outsider = await HostileClient.start({ federationId });
      await outsider.stop();
      const next = addMembers(
        charter,
        [{ org: 'mallory', peerId: outsider.peerId, jurisdiction: 'XX' }],
        new Date().toISOString(),
      );
      const env = signCharter(next, h.seed);
      const codes = ['ERR_THRESHOLD_NOT_MET', 'ERR_MISSING_MEMBER_SIGNATURE'];
      await expectRefused(codes, () => h.gossip('charter', envelopeBody(env), { charterVersion: charter.version }));
      await expectRefused(
        codes,
        async () => {
          for (const n of honest) {
            await h
              .request(n.init.peerId, SYNC_PROTOCOL, encodeSyncMessage({ type: 'charters', envelopes: [env] }))
              .catch(() => {});
          }
        },
        false,
      );
      for (const n of honest) expect((await fedStatus(n)).charterVersion).toBe(charter.version);
    }, 30_000);
  });
});

describe('witness cosignatures and equivocation', () => {
  describe("when d gossips a's checkpoint with a well-formed cosignature line by d whose signature is wrong", () => {
    it('is refused everywhere and d is penalised', async () => {
      const { text, sigs } = splitNote(cosignedByC);
      const dLine = sigs.find((l) => l.includes('govfed/d/')) as string;
      expect(dLine).toBeDefined();
      const forged = `${text}\n${sigs.filter((l) => !l.includes('/witness ')).join('\n')}\n${flipSig(dLine)}\n`;
      const version = await gossipVersion();
      await expectRefused(
        ['ERR_UNKNOWN_WITNESS', 'ERR_BAD_SIGNATURE'],
        () => hd.gossip('checkpoint', { note: forged }, { charterVersion: version }),
        true,
        d,
      );
    }, 30_000);
  });

  // Before d's second forged checkpoint: gossipsub squares a sender's invalid messages per topic, so two on
  // the checkpoint topic weigh 4 and a third message from d could be dropped unread (graylisted).
  describe('when d signs "evidence" that a equivocated, pairing its real checkpoint with a forged one', () => {
    it('is refused and a stays honest everywhere', async () => {
      const real = await checkpointOf(a);
      const { text, sigs } = splitNote(real);
      const lines = text.split('\n');
      const logOnly = `${text}\n${sigs.filter((l) => !l.includes('/witness ')).join('\n')}\n`;
      lines[2] = toBase64(new Uint8Array(32).fill(9));
      const fake = `${lines.join('\n')}\n${sigs.filter((l) => !l.includes('/witness ')).join('\n')}\n`;
      const origin = lines[0] as string;
      const alert = signAlert({ type: 'govfed.equivocation/v1', origin, a: logOnly, b: fake, proof: [] }, hd.seed);
      const version = await gossipVersion();
      await expectRefused(
        ['ERR_BAD_SIGNATURE', 'ERR_NO_VERIFIED_SIGNATURE', 'ERR_NOT_EQUIVOCATION', 'ERR_MALFORMED_EVIDENCE'],
        () => hd.gossip('alert', envelopeBody(alert), { charterVersion: version }),
        true,
        d,
      );
      for (const n of honest)
        expect((await fedStatus(n)).members.find((m) => m.org === 'a')?.misbehaving).not.toBe(true);
    }, 30_000);
  });

  describe("when d tries to get honest a flagged: a's checkpoint with another root under a's signature", () => {
    it('is refused (the signature does not verify) and a stays honest everywhere', async () => {
      const { text, sigs } = splitNote(await checkpointOf(a));
      const lines = text.split('\n');
      lines[2] = toBase64(new Uint8Array(32).fill(7));
      const tampered = `${lines.join('\n')}\n${sigs.filter((l) => !l.includes('/witness ')).join('\n')}\n`;
      const version = await gossipVersion();
      await expectRefused(
        ['ERR_NO_VERIFIED_SIGNATURE', 'ERR_BAD_SIGNATURE'],
        () => hd.gossip('checkpoint', { note: tampered }, { charterVersion: version }),
        true,
        d,
      );
      for (const n of honest)
        expect((await fedStatus(n)).members.find((m) => m.org === 'a')?.misbehaving).not.toBe(true);
    }, 30_000);
  });
});

describe('replays of signed objects', () => {
  describe('when c re-sends, in fresh gossip messages, objects that were valid once', () => {
    it('drops charters, proposals, policy bundles and receipts as duplicate or stale, storing nothing', async () => {
      const { all, charter } = await current();
      const [bundle] = await policyChain();
      const receipts = decodePolicySyncMessage(
        await h.request(a.init.peerId, POLICY_SYNC_PROTOCOL, encodePolicySyncMessage({ type: 'get-receipts' })),
      );
      if (receipts.type !== 'receipts') throw new Error(receipts.type);
      const stored = await Promise.all(honest.map(snapshot));
      const before = await Promise.all(honest.map(refusals));
      const v = charter.version;
      await h.gossip('charter', envelopeBody(all[1] as Envelope), { charterVersion: v });
      await h.gossip('charter', envelopeBody(all[all.length - 1] as Envelope), { charterVersion: v });
      await h.gossip('proposal', envelopeBody(all[all.length - 1] as Envelope), { charterVersion: v });
      await h.gossip('policy', envelopeBody(bundle as Envelope), { charterVersion: v });
      for (const r of receipts.envelopes) await h.gossip('policy-receipt', envelopeBody(r), { charterVersion: v });
      // the same over sync
      for (const n of honest) {
        await h.request(n.init.peerId, SYNC_PROTOCOL, encodeSyncMessage({ type: 'charters', envelopes: all }));
        await h.request(
          n.init.peerId,
          POLICY_SYNC_PROTOCOL,
          encodePolicySyncMessage({ type: 'policies', envelopes: [bundle as Envelope] }),
        );
      }
      for (const [i, n] of honest.entries()) {
        await waitFor(
          `${n.org} to drop the replayed proposal as stale`,
          async () => ((await refusals(n)).ERR_CHARTER_STALE ?? 0) > (before[i]?.ERR_CHARTER_STALE ?? 0),
          10_000,
        );
      }
      await new Promise((r) => setTimeout(r, 1000));
      for (const [i, n] of honest.entries()) expect(await snapshot(n), `${n.org} stored nothing`).toEqual(stored[i]);
      expect(receipts.envelopes.length).toBeGreaterThan(0);
    }, 30_000);

    it('re-checks checkpoints and cosignatures and stores nothing new', async () => {
      const { text, sigs } = splitNote(cosignedByC);
      const cLine = sigs.find((l) => l.includes('govfed/c/')) as string;
      const logLine = sigs.filter((l) => !l.includes('/witness '));
      const stored = await Promise.all(honest.map(snapshot));
      const v = await gossipVersion();
      await h.gossip('checkpoint', { note: `${text}\n${logLine.join('\n')}\n` }, { charterVersion: v });
      await h.gossip('checkpoint', { note: `${text}\n${[...logLine, cLine].join('\n')}\n` }, { charterVersion: v });
      await new Promise((r) => setTimeout(r, 1500));
      for (const [i, n] of honest.entries()) expect(await snapshot(n), `${n.org} stored nothing`).toEqual(stored[i]);
      for (const n of honest)
        expect((await fedStatus(n)).members.find((m) => m.org === 'a')?.misbehaving).not.toBe(true);
    }, 30_000);
  });
});

describe('equivocation alerts', () => {
  describe('when c equivocates with its own log key and reports it, then replays the alert', () => {
    it('is caught once (c misbehaving, one audit entry each) and the replay stores nothing', async () => {
      const logSigner = parseSignerKey((await readFile(path.join(c.home, 'keys', 'log.key'), 'utf8')).trim());
      const cp = (fill: number) =>
        signCheckpoint(
          { origin: c.init.origin, size: 1000, rootHash: new Uint8Array(32).fill(fill), extensions: [] },
          logSigner,
        );
      const alert = signAlert(
        { type: 'govfed.equivocation/v1', origin: c.init.origin, a: cp(1), b: cp(2), proof: [] },
        h.seed,
      );
      const v = await gossipVersion();
      const sizes = await Promise.all(honest.map(async (n) => (await snapshot(n)).logSize));
      await h.gossip('alert', envelopeBody(alert), { charterVersion: v });
      for (const n of honest) {
        await waitFor(`${n.org} to mark c misbehaving`, async () => {
          const s = await fedStatus(n);
          return s.members.find((m) => m.org === 'c')?.misbehaving === true;
        });
      }
      for (const [i, n] of honest.entries()) {
        await waitFor(`${n.org} to log one witness.equivocation entry`, async () => {
          return (await snapshot(n)).logSize === (sizes[i] as number) + 1;
        });
      }
      const after = await Promise.all(honest.map(snapshot));
      // the same evidence again, in a fresh message and re-signed: known, nothing stored
      await h.gossip(
        'alert',
        envelopeBody(
          signAlert({ type: 'govfed.equivocation/v1', origin: c.init.origin, a: cp(1), b: cp(2), proof: [] }, h.seed),
        ),
        { charterVersion: v },
      );
      await h.gossip('alert', envelopeBody(alert), { charterVersion: v });
      await new Promise((r) => setTimeout(r, 1500));
      for (const [i, n] of honest.entries()) expect(await snapshot(n)).toEqual(after[i]);
    }, 30_000);
  });
});
