/**
 * Formatting federation answers for people: the status table of `govfed federation status` and the
 * one-line summaries of the other federation commands.
 */
import { formatKeyValues, formatTable } from './output.ts';

type Rec = Record<string, unknown>;

function rec(v: unknown): Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : {};
}

function list(v: unknown): Rec[] {
  return Array.isArray(v) ? v.map(rec) : [];
}

/** The status block: charter facts, members table, pending proposals. */
export function formatFederationStatus(statusValue: unknown): string {
  const s = rec(statusValue);
  if (s.federated !== true) {
    const d = rec(s.departed);
    const rows: [string, unknown][] = [
      ['federation', 'none (govfed federation create, or join with an invite)'],
      ['peer id', s.peerId],
    ];
    if (s.departed !== undefined) {
      const why = d.reason === 'left' ? 'left' : 'removed by the other members';
      rows.push(['last federation', `${d.name} (${d.federationId}): ${why} at charter version ${d.version}, ${d.at}`]);
    }
    return formatKeyValues(rows);
  }
  const t = rec(s.thresholds);
  let out = formatKeyValues([
    ['federation', s.id],
    ['name', s.name],
    ['charter version', s.charterVersion],
    ['charter digest', s.charterDigest],
    ['thresholds', `admission ${t.admission}, policy ${t.policy}, charter ${t.charter}`],
    ['approval rules', approvalRulesLine(rec(s.approvals))],
    ['peer id', s.peerId],
    ['listening', Array.isArray(s.addresses) && s.addresses.length > 0 ? s.addresses.join(' ') : '-'],
    ['last sync', s.lastSync ?? 'never'],
    ...freshnessLine(rec(rec(s.modules).freshness)),
  ]);
  const members = list(s.members);
  out += `\n${formatTable(
    ['ORG', 'JURISDICTION', 'PEER ID', 'CONNECTED', 'LAST SEEN', 'STATES', 'RUNS'],
    members.map((m) => [
      m.self === true ? `${m.org} (this node)` : m.org,
      m.jurisdiction,
      m.peerId,
      m.self === true ? '-' : m.connected === true ? 'yes' : 'no',
      m.lastSeen ?? '-',
      typeof m.statedVersion === 'number' ? `v${m.statedVersion}` : '-',
      Array.isArray(m.deployed) && m.deployed.length > 0 ? m.deployed.join(', ') : '-',
    ]),
  )}`;
  const proposals = list(s.proposals);
  if (proposals.length > 0) out += `\npending proposals:\n${formatProposals(proposals)}`;
  const rejected = Object.entries(rec(s.rejected));
  if (rejected.length > 0) out += `\nrejected: ${rejected.map(([k, n]) => `${k} ${n}`).join(', ')}\n`;
  return out;
}

/** The charter freshness row: fresh / not confirmed yet / STALE, with the judgement's reason. */
function freshnessLine(f: Rec): [string, unknown][] {
  if (typeof f.fresh !== 'boolean') return [];
  const word = f.stale === true ? 'STALE' : f.fresh ? 'fresh' : 'not confirmed yet';
  const since = f.stale === true ? `; last fresh ${f.lastFreshAt ?? 'never'}` : '';
  return [['charter freshness', `${word}: ${f.reason}${since}`]];
}

export function formatProposals(proposals: readonly Rec[]): string {
  return formatTable(
    ['ID', 'VERSION', 'RULE', 'SIGNATURES', 'MISSING NEW MEMBERS'],
    proposals.map((p) => [
      p.id,
      p.version,
      p.rule,
      `${p.memberSignatures}/${p.required}`,
      Array.isArray(p.missingNewMembers) && p.missingNewMembers.length > 0 ? p.missingNewMembers.join(' ') : '-',
    ]),
  );
}

/** One line for an operation's result: the new charter version, or the proposal still pending. */
export function formatOperation(result: unknown): string {
  const r = rec(result);
  const s = rec(r.status);
  if (r.proposal !== undefined) {
    const p = rec(r.proposal);
    return `proposal ${p.id} (charter version ${p.version}) has ${p.memberSignatures} of ${p.required} member signatures; members co-sign with: govfed federation sign ${p.id}\n`;
  }
  if (s.federated !== true) return formatFederationStatus(s);
  return `federation ${s.id} is at charter version ${s.charterVersion} (${list(s.members).length} members)\n${handoffLine(r.handoff)}`;
}

/** A join's hand-off, when no bootstrap member took the admission: say so, and what happens next. */
function handoffLine(handoff: unknown): string {
  if (handoff === undefined) return '';
  const h = rec(handoff);
  if (h.delivered !== 0) return '';
  return `warning: none of the invite's ${h.bootstrap} bootstrap member(s) took the admission (no answer in time: see the federation:bootstrap-failed events); this node offers it again in every sync round — until a member has it, no member knows this node: check 'govfed federation status' on the inviter\n`;
}

/** "high: risk_officer + legal from 2 orgs; medium: risk_officer", or "none". */
function approvalRulesLine(rules: Record<string, unknown>): string {
  const parts = Object.entries(rules).map(([tier, r]) => {
    const rule = rec(r);
    const roles = Array.isArray(rule.roles) ? rule.roles.join(' + ') : '?';
    return `${tier}: ${roles}${typeof rule.orgs === 'number' && rule.orgs > 1 ? ` from ${rule.orgs} orgs` : ''}`;
  });
  return parts.length === 0 ? 'none (no tier needs approval)' : parts.join('; ');
}
