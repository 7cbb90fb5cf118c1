/**
 * The compliance report as one self-contained HTML page for people (`govfed report model --html FILE`;
 * docs/reports.md "The HTML page"): the model's status across orgs at a glance, every org's decision
 * counts, charts of each monitor's values over time, the controls and the evidence list. Readable without
 * govfed: no script at all, no external fetch (a Content-Security-Policy of `default-src 'none'` with
 * inline styles only says so to the browser), charts drawn as inline SVG here, at build time — no
 * charting library to inline or trust. Every text from the report (attacker-controlled: org names,
 * reasons) is escaped. The page shows; `govfed verify report.json` proves.
 */
import type { Report } from '../protocol/report/report.ts';
import { statusAcrossOrgs } from '../protocol/report/status.ts';
import type { MonitorSeries, VersionSummary } from '../protocol/report/summary.ts';

const esc = (v: unknown) =>
  String(v).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

const STATE_COLOUR: Record<string, string> = {
  live: '#1a7f37',
  shadow: '#9a6700',
  undeployed: '#57606a',
  refused: '#cf222e',
  active: '#1a7f37',
  suspended: '#cf222e',
  revoked: '#cf222e',
  supported: '#1a7f37',
  partial: '#9a6700',
  missing: '#cf222e',
};

const badge = (s: string) => `<span class="badge" style="background:${STATE_COLOUR[s] ?? '#57606a'}">${esc(s)}</span>`;

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '<p class="none">none</p>';
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** One monitor's values over time, its threshold dashed, breaches in red (inline SVG, 480×160). */
export function seriesChart(s: MonitorSeries): string {
  const W = 480;
  const H = 160;
  const P = 28;
  const values = s.points.map((p) => p.value).filter((v): v is number => v !== null);
  const lo = Math.min(0, s.threshold, ...values);
  const hi = Math.max(s.threshold, ...values, lo + 1e-9);
  const x = (i: number) => P + (s.points.length <= 1 ? (W - 2 * P) / 2 : (i * (W - 2 * P)) / (s.points.length - 1));
  const y = (v: number) => H - P - ((v - lo) / (hi - lo)) * (H - 2 * P);
  const path = s.points
    .map((p, i) => (p.value === null ? '' : `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`))
    .filter((c) => c !== '')
    .join(' ')
    .replace(/^L/, 'M');
  const dots = s.points
    .map((p, i) =>
      p.value === null
        ? ''
        : `<circle cx="${x(i).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="3.5" fill="${p.breach ? '#cf222e' : '#0969da'}"><title>${esc(
            `${p.to}: ${p.value} (${p.decisions} decisions${p.breach ? ', BREACH' : ''}) ${p.evidence}`,
          )}</title></circle>`,
    )
    .join('');
  const label = `${s.org} · monitor ${s.monitor} · ${s.metric}${s.shadow ? ' (shadow)' : ''}`;
  return `<figure><svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(label)}">
<rect x="0" y="0" width="${W}" height="${H}" fill="#fff" stroke="#d0d7de"/>
<line x1="${P}" x2="${W - P}" y1="${y(s.threshold).toFixed(1)}" y2="${y(s.threshold).toFixed(1)}" stroke="#cf222e" stroke-dasharray="4 3"/>
<text x="${W - P}" y="${(y(s.threshold) - 4).toFixed(1)}" font-size="10" text-anchor="end" fill="#cf222e">threshold ${esc(s.threshold)}</text>
<text x="4" y="${P - 8}" font-size="10" fill="#57606a">${esc(hi.toPrecision(3))}</text>
<text x="4" y="${H - P + 12}" font-size="10" fill="#57606a">${esc(lo.toPrecision(3))}</text>
<path d="${path}" fill="none" stroke="#0969da" stroke-width="1.5"/>${dots}
</svg><figcaption>${esc(label)}: ${s.points.length} window(s), ${s.points.filter((p) => p.breach).length} breach(es)</figcaption></figure>`;
}

function versionSection(v: VersionSummary): string {
  const key = `${v.model.org}/${v.model.name}@${v.model.version}`;
  const status = statusAcrossOrgs(v).map((o) => [
    esc(o.org),
    badge(o.deployment),
    esc(o.since ?? '—'),
    String(o.decisions),
    String(o.denied),
    Object.entries(o.flags)
      .map(([k, n]) => `${esc(k)} ${n}`)
      .join(', ') || '—',
    String(o.breaches),
  ]);
  const deny = Object.entries(v.counts.total.deny).map(([r, n]) => [esc(r), String(n)]);
  const approvals = v.approvals.map((a) => [
    esc(`${a.org}/${a.name}`),
    esc(a.role),
    badge(a.decision === 'approve' ? 'supported' : 'missing').replace(/>[a-z]+</, `>${esc(a.decision)}<`),
    esc(a.issuedAt),
    esc(a.evidence),
  ]);
  const kills = v.killSwitch.records.map((r) => [
    esc(r.action),
    esc(r.by),
    esc(r.issuedAt),
    esc(r.reason),
    esc(r.evidence),
  ]);
  return `<section><h2>${esc(key)} ${badge(v.killSwitch.state)}</h2>
<p>digest <code>${esc(v.digest)}</code>; risk ${v.risk === null ? '—' : `score ${esc(v.risk.score)}, tier <b>${esc(v.risk.tier)}</b>`}; registered ${esc(v.registered?.at ?? '—')} by ${esc(v.registered?.by ?? '—')}; contract version ${esc(v.contracts.at(-1)?.version ?? '—')}</p>
<h3>Status across orgs</h3>${table(['org', 'deployment', 'since', 'decisions', 'denied', 'flags', 'breaches'], status)}
<p class="total">All orgs: <b>${v.counts.total.decisions}</b> decisions, <b>${v.counts.total.denied}</b> denied.</p>
<h3>Denials by rule</h3>${table(['rule', 'decisions denied'], deny)}
<h3>Approvals</h3>${table(['person', 'role', 'decision', 'issued', 'evidence'], approvals)}
<h3>Kill switch</h3>${table(['action', 'by', 'issued', 'reason', 'evidence'], kills)}
<h3>Monitoring</h3>${v.monitoring.series.length === 0 ? '<p class="none">no monitoring window</p>' : `<div class="charts">${v.monitoring.series.map(seriesChart).join('')}</div>`}
</section>`;
}

/** The page (see the top). */
export function reportHtml(r: Report): string {
  const subject = `${r.subject.org}/${r.subject.name}${r.subject.version === undefined ? '' : `@${r.subject.version}`}`;
  const controls = r.controls.map((c) => [
    esc(c.framework),
    esc(c.title),
    badge(c.status),
    esc(c.evidence.join(' ')),
    esc(c.missing.join('; ') || '—'),
  ]);
  const evidence = r.evidence.map((e) => [esc(e.id), esc(e.kind), esc(e.org), esc(`${e.index} of ${e.treeSize}`)]);
  const gaps = r.gaps.map((g) => [esc(g.org), esc(g.reason)]);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Compliance report: ${esc(subject)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1f2328}
h1{font-size:1.5rem}h2{border-bottom:1px solid #d0d7de;padding-bottom:.3rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}.badge{color:#fff;border-radius:1em;padding:.05rem .55rem;font-size:.85em}
.charts{display:flex;flex-wrap:wrap;gap:1rem}figure{margin:0}figcaption{font-size:.85em;color:#57606a}
.none{color:#57606a}code{font-size:.9em}.note{background:#f6f8fa;border:1px solid #d0d7de;padding:.6rem;border-radius:6px}
</style></head><body>
<h1>Compliance report: ${esc(subject)}</h1>
<p class="note">Signed by <b>${esc(r.generated.org)}</b>'s node at ${esc(r.generated.at)} for federation <code>${esc(r.federation.id)}</code>.
${r.evidence.length} signed records from ${r.logs.length} orgs, each with an inclusion proof against a witnessed checkpoint of the log of the org that made it.
This page shows the report; to check it, run <code>govfed verify ${esc(`${r.subject.name}-report.json`)} --federation ${esc(r.federation.id)}</code> on the JSON file.</p>
<p>Deployed in: <b>${esc(r.summary.deployedIn.join(', ') || 'no org')}</b>. All versions: <b>${r.summary.total.decisions}</b> decisions, <b>${r.summary.total.denied}</b> denied${
    Object.keys(r.summary.total.flags).length === 0
      ? ''
      : `, flags ${esc(
          Object.entries(r.summary.total.flags)
            .map(([k, n]) => `${k} ${n}`)
            .join(', '),
        )}`
  }.</p>
${r.summary.versions.map(versionSection).join('\n')}
<section><h2>Controls</h2><p>What the federation's records show for each obligation, and what is missing (not a legal opinion).</p>
${table(['framework', 'control', 'status', 'evidence', 'missing'], controls)}</section>
<section><h2>Gaps</h2>${table(['org', 'what could not be gathered'], gaps)}</section>
<section><h2>Evidence</h2>${table(['id', 'kind', 'org (whose log proves it)', 'entry'], evidence)}</section>
</body></html>
`;
}
