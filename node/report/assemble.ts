/**
 * The last step of a report (gather.ts): the proven records become the report — logs and checkpoints by
 * org, evidence in a fixed order (ids e1…), the rosters of the people who signed — and each record is
 * opened with protocol/report's own step 6 (open.ts), exactly as a verifier will; one that does not open
 * (a window whose contract could not be proven, say) leaves as a gap. Then the summary and the controls
 * (protocol/report summary.ts, controls.ts). Pure but for the rosters it reads.
 */
import type { Ed25519Verify } from '../../protocol/crypto/ed25519.ts';
import type { Envelope } from '../../protocol/dsse/index.ts';
import { fromBase64 } from '../../protocol/encoding/bytes.ts';
import type { CharterChain } from '../../protocol/federation/index.ts';
import { killRuleOf } from '../../protocol/registry/revocation-status.ts';
import { controlsOf } from '../../protocol/report/controls.ts';
import type { EvidenceKind } from '../../protocol/report/evidence.ts';
import { EVIDENCE_KINDS } from '../../protocol/report/evidence.ts';
import { evidenceContext, openEvidence } from '../../protocol/report/open.ts';
import { REPORT_FORMAT, type Report, type ReportEvidence, type ReportLog } from '../../protocol/report/report.ts';
import { type OpenedEvidence, summarize } from '../../protocol/report/summary.ts';
import type { CrossOrgBundle } from '../../protocol/witness/bundle.ts';
import { errorText } from '../chain/index.ts';
import type { FederationContext } from '../federation/module.ts';

/** A record proven in its maker's witnessed log (gather.ts). */
export interface Proven {
  kind: EvidenceKind;
  org: string;
  record: Envelope;
  bundle: CrossOrgBundle;
}

export interface AssembleInput {
  rosters: { envelope(org: string): Envelope | undefined };
  subject: { org: string; name: string; version?: string };
  ctx: Pick<FederationContext, 'peerId'>;
  chain: CharterChain;
  versions: Report['versions'];
  proven: Proven[];
  gaps: Report['gaps'];
  at: string;
  verify: Ed25519Verify | undefined;
}

/** The report from the proven items: logs, evidence (ids in a fixed order), summary and controls. */
export function assemble(input: AssembleInput): Report {
  const { rosters, subject, ctx, chain, versions, proven, gaps, at, verify } = input;
  const order = (p: Proven) => EVIDENCE_KINDS.indexOf(p.kind);
  proven.sort(
    (a, b) => order(a) - order(b) || (a.org < b.org ? -1 : a.org > b.org ? 1 : 0) || a.bundle.index - b.bundle.index,
  );
  // Items that do not open (a window whose contract could not be proven, say) leave the report as gaps;
  // the ids are given again to what is left, so a few passes at most.
  let kept = proven;
  for (;;) {
    const evidence = evidenceOf(kept);
    const draft: Report = {
      format: REPORT_FORMAT,
      subject: { ...subject },
      generated: { org: chain.current.members.find((m) => m.peerId === ctx.peerId)?.org ?? '', peerId: ctx.peerId, at },
      federation: { id: chain.federationId, charters: chain.versions().map((v) => v.envelope) },
      versions,
      logs: logsOf(kept),
      rosters: rostersOf(rosters, kept),
      evidence,
      summary: { versions: [], total: { decisions: 0, denied: 0, flags: {}, deny: {} }, deployedIn: [] },
      controls: [],
      gaps,
    };
    const opts = verify === undefined ? {} : { verify };
    const ectx = evidenceContext(draft, chain, opts);
    const opened: OpenedEvidence[] = [];
    const failed = new Set<number>();
    evidence.forEach((e, i) => {
      try {
        opened.push(openEvidence(e, fromBase64(e.entry), ectx, opts));
      } catch (err) {
        failed.add(i);
        gaps.push({ org: e.org, reason: `${e.kind} left out: ${errorText(err)}`.slice(0, 1024) });
      }
    });
    if (failed.size > 0) {
      kept = kept.filter((_, i) => !failed.has(i));
      continue;
    }
    gaps.sort((a, b) => (a.org < b.org ? -1 : a.org > b.org ? 1 : a.reason < b.reason ? -1 : 1));
    draft.summary = summarize(versions, opened, killRuleOf(chain.current), at);
    draft.controls = controlsOf(draft.summary);
    return draft;
  }
}

function logsOf(proven: readonly Proven[]): ReportLog[] {
  const logs = new Map<string, ReportLog>();
  for (const p of proven) {
    const b = p.bundle;
    let log = logs.get(p.org);
    if (log === undefined) {
      log = { org: p.org, origin: b.origin, logKey: b.logKey, checkpoints: [] };
      logs.set(p.org, log);
    }
    if (!log.checkpoints.some((c) => c.treeSize === b.treeSize)) {
      log.checkpoints.push({ treeSize: b.treeSize, note: b.checkpoint, witnessKeys: b.witnessKeys });
    }
  }
  for (const l of logs.values()) l.checkpoints.sort((a, b) => a.treeSize - b.treeSize);
  return [...logs.values()].sort((a, b) => (a.org < b.org ? -1 : 1));
}

const PERSON_SIGNED: readonly EvidenceKind[] = ['registration', 'approval', 'contract', 'revocation'];

/** The roster of every org whose people signed a kept record (for each kind, the maker is the signer's org). */
function rostersOf(rosters: AssembleInput['rosters'], kept: readonly Proven[]): Envelope[] {
  const orgs = [...new Set(kept.filter((p) => PERSON_SIGNED.includes(p.kind)).map((p) => p.org))].sort();
  return orgs.map((org) => rosters.envelope(org)).filter((e): e is Envelope => e !== undefined);
}

function evidenceOf(proven: readonly Proven[]): ReportEvidence[] {
  return proven.map((p, i) => ({
    id: `e${i + 1}`,
    kind: p.kind,
    org: p.org,
    index: p.bundle.index,
    treeSize: p.bundle.treeSize,
    entry: p.bundle.entry,
    inclusion: p.bundle.inclusion,
    record: p.record,
  }));
}
