/**
 * A small, real compliance report for the protocol/report unit tests: a federation of eu, us and apac
 * (test/protocol/witness/fixtures.ts keys), each running model eu/fraud@1.0.0 (a deployment record
 * signed with its peer key) and stating its decision counts (a model-counts statement); each org's log
 * holds the leaves of its records, and its checkpoint is cosigned by the two other members' witnesses.
 * Byte-stable: fixed seeds, fixed times.
 */
import { encodeLeaf } from '../../../protocol/audit/leaf.ts';
import { keyPairFromSeed } from '../../../protocol/crypto/ed25519.ts';
import { sha256 } from '../../../protocol/crypto/sha256.ts';
import { keyIdOf } from '../../../protocol/dsse/index.ts';
import { toBase64, utf8 } from '../../../protocol/encoding/bytes.ts';
import { CharterChain } from '../../../protocol/federation/chain.ts';
import { signAsPeer } from '../../../protocol/federation/envelope.ts';
import { proveInclusion } from '../../../protocol/log/index.ts';
import { MemoryTree } from '../../../protocol/log/memory.ts';
import { appendSignatures, type NoteSignature, signCheckpoint } from '../../../protocol/note/index.ts';
import { claimedContract, signContract } from '../../../protocol/registry/contract.ts';
import { signDeployment } from '../../../protocol/registry/deployment.ts';
import { killRuleOf } from '../../../protocol/registry/revocation-status.ts';
import { signRoster } from '../../../protocol/registry/roster.ts';
import { controlsOf } from '../../../protocol/report/controls.ts';
import {
  COUNTS_PAYLOAD_TYPE,
  COUNTS_TYPE,
  countsPayload,
  type ModelCounts,
  type Tally,
} from '../../../protocol/report/counts.ts';
import { contractLeaf, countsLeaf, deploymentLeaf, type EvidenceKind } from '../../../protocol/report/evidence.ts';
import { evidenceContext, openEvidence } from '../../../protocol/report/open.ts';
import {
  REPORT_FORMAT,
  REPORT_PAYLOAD_TYPE,
  type Report,
  type ReportEvidence,
  reportFileBytes,
  reportSignaturePayload,
  type SignedReport,
} from '../../../protocol/report/report.ts';
import { summarize } from '../../../protocol/report/summary.ts';
import { peer, seed } from '../federation/fixtures.ts';
import { federation, logKey, logName, logSigner, NOW_S, ORGS, witness, witnessKey } from '../witness/fixtures.ts';

export const FED = federation([0, 1, 2]);
export const MODEL = { org: 'eu', name: 'fraud', version: '1.0.0' };
export const DIGEST = `sha256:${'ab'.repeat(32)}`;
export const AT = '2025-06-15T12:00:00Z';
export const NOW_MS = NOW_S * 1000;

/** What each org counted (eu, us, apac). */
export const TALLIES: Tally[] = [
  { decisions: 12, denied: 2, flags: {}, deny: { 'contract.purpose': 2 } },
  { decisions: 7, denied: 0, flags: { shadow_ai: 3 }, deny: {} },
  { decisions: 30, denied: 5, flags: {}, deny: { 'local:night': 1, 'contract.purpose': 4 } },
];

interface Made {
  kind: EvidenceKind;
  org: number;
  record: ReturnType<typeof signAsPeer>;
  leaf: Uint8Array;
}

/** alice, eu's model owner: her key signs eu's contract for the model. */
export const ALICE = keyPairFromSeed(sha256(utf8('govfed test person alice')));
export const MALLORY = keyPairFromSeed(sha256(utf8('govfed test person mallory')));

export function euRoster(): ReturnType<typeof signRoster> {
  return signRoster(
    {
      federation: FED.id,
      org: 'eu',
      version: 1,
      previous: null,
      people: [
        { name: 'alice', role: 'model_owner', publicKey: toBase64(ALICE.publicKey), addedAt: '2025-05-01T00:00:00Z' },
      ],
      revoked: [],
      issuedAt: '2025-05-01T00:00:00Z',
    },
    seed(0),
  );
}

/** eu's contract (version 1) for the model, signed by `by` (alice unless said otherwise). */
export function contract(by = ALICE): ReturnType<typeof signContract> {
  return signContract(
    DIGEST,
    {
      federation: FED.id,
      model: MODEL,
      version: 1,
      terms: { allowedPurposes: ['fraud'] },
      signer: { name: 'alice', role: 'model_owner' },
      issuedAt: '2025-05-02T00:00:00Z',
    },
    { keyid: keyIdOf(by.publicKey), seed: by.seed },
  );
}

function recordsOf(i: number): Made[] {
  const org = ORGS[i] as string;
  const d = signDeployment(
    {
      federation: FED.id,
      org,
      seq: 1,
      previous: null,
      model: MODEL,
      digest: DIGEST,
      action: 'deploy',
      shadow: false,
      time: '2025-06-01T00:00:00Z',
    },
    seed(i),
  );
  const c: Omit<ModelCounts, 'type'> = {
    federation: FED.id,
    org,
    model: MODEL,
    digest: DIGEST,
    through: 100 + i,
    ...(TALLIES[i] as Tally),
    time: '2025-06-15T11:00:00Z',
  };
  const ce = signAsPeer(COUNTS_PAYLOAD_TYPE, countsPayload(c), seed(i));
  const deployment = JSON.parse(new TextDecoder().decode(Buffer.from(d.payload, 'base64')));
  const own: Made[] = [];
  if (i === 0) {
    const k = contract();
    own.push({ kind: 'contract', org: 0, record: k, leaf: encodeLeaf(contractLeaf(k, claimedContract(k))) });
  }
  return [
    ...own,
    { kind: 'deployment', org: i, record: d, leaf: encodeLeaf(deploymentLeaf(deployment)) },
    { kind: 'counts', org: i, record: ce, leaf: encodeLeaf(countsLeaf(ce, { type: COUNTS_TYPE, ...c })) },
  ];
}

function cosign(note: string, witnesses: readonly number[]): string {
  const text = note.slice(0, note.indexOf('\n\n') + 1);
  const sigs: NoteSignature[] = witnesses.map((w) => {
    const s = witness(w);
    return { name: s.name, keyHash: s.keyHash, signature: s.sign(utf8(text)) };
  });
  return appendSignatures(note, sigs);
}

/** The unsigned report and the peer seed of its signer (eu). */
export async function makeReport(): Promise<Report> {
  const logs: Report['logs'] = [];
  const evidence: ReportEvidence[] = [];
  for (const i of [0, 1, 2]) {
    const made = recordsOf(i);
    const tree = new MemoryTree();
    tree.append(utf8('{"unrelated":"entry"}')); // another entry first: indexes are not 0
    for (const m of made) tree.append(m.leaf);
    const size = made.length + 1;
    const others = [0, 1, 2].filter((x) => x !== i);
    const note = cosign(
      signCheckpoint({ origin: logName(i), size, rootHash: tree.root(), extensions: [] }, logSigner(i)),
      others,
    );
    logs.push({
      org: ORGS[i] as string,
      origin: logName(i),
      logKey: logKey(i),
      checkpoints: [{ treeSize: size, note, witnessKeys: others.map(witnessKey) }],
    });
    for (const [j, m] of made.entries()) {
      evidence.push({
        id: '',
        kind: m.kind,
        org: ORGS[i] as string,
        index: j + 1,
        treeSize: size,
        entry: toBase64(m.leaf),
        inclusion: (await proveInclusion(j + 1, size, tree)).map(toBase64),
        record: m.record,
      });
    }
  }
  evidence.forEach((e, n) => {
    e.id = `e${n + 1}`;
  });
  const report: Report = {
    format: REPORT_FORMAT,
    subject: { org: 'eu', name: 'fraud' },
    generated: { org: 'eu', peerId: peer(0), at: AT },
    federation: { id: FED.id, charters: FED.envelopes },
    versions: [{ model: MODEL, digest: DIGEST }],
    logs,
    rosters: [euRoster()],
    evidence,
    summary: { versions: [], total: { decisions: 0, denied: 0, flags: {}, deny: {} }, deployedIn: [] },
    controls: [],
    gaps: [],
  };
  const chain = CharterChain.fromEnvelopes(FED.id, FED.envelopes);
  const ctx = evidenceContext(report, chain);
  const opened = evidence.map((e) => openEvidence(e, Buffer.from(e.entry, 'base64'), ctx));
  report.summary = summarize(report.versions, opened, killRuleOf(chain.current), AT);
  report.controls = controlsOf(report.summary);
  return report;
}

/** Signs `report` as member `by` (default eu, its generator) and returns the file's bytes. */
export function signedFile(report: Report, by = 0): Uint8Array {
  const signed: SignedReport = {
    report,
    signature: signAsPeer(REPORT_PAYLOAD_TYPE, reportSignaturePayload(report), seed(by)),
  };
  return reportFileBytes(signed);
}
