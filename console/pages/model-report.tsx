/**
 * A version's compliance report (a section of its card, model-details.tsx; docs/reports.md): a button
 * asks the node for the report (logic/report.ts — the bearer token in the header, never in a URL) and
 * verifies it in this browser with protocol/report's own verifier, pinned to the federation id the person
 * pastes or else the node's own (and says which), showing each step of the checklist. Only a report that
 * verifies is shown — status across orgs, counts, approvals, the kill switch, monitoring breaches, the
 * controls and the gaps — and offered for download as the very file the CLI writes (canonical JSON and a
 * newline; Blob + object URL, no script, nothing the CSP forbids), and as OSCAL.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Report } from '../../protocol/report/report.ts';
import { statusAcrossOrgs } from '../../protocol/report/status.ts';
import type { VersionSummary } from '../../protocol/report/summary.ts';
import { commands } from '../logic/cli-commands.ts';
import type { ModelSummary } from '../logic/models-view.ts';
import {
  downloadNames,
  fetchReport,
  oscalText,
  REPORT_WAIT_MS,
  type ReportOutcome,
  type ReportPhase,
} from '../logic/report.ts';
import { useApi } from '../ui/live.tsx';
import { Badge, CliCommand, KeyValues, Time } from '../ui/parts.tsx';
import { MARK, PinAndRun, useRun } from './signatures-panel.tsx';

const TONE = {
  live: 'ok',
  shadow: 'warn',
  undeployed: 'info',
  refused: 'bad',
  active: 'ok',
  suspended: 'bad',
  revoked: 'bad',
  supported: 'ok',
  partial: 'warn',
  missing: 'bad',
} as const;

const tone = (s: string) => TONE[s as keyof typeof TONE] ?? 'info';
const kinds = (o: Record<string, number>) =>
  Object.entries(o)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || '—';

export function ReportSection(props: { model: ModelSummary }) {
  const api = useApi();
  const m = props.model;
  const [phase, setPhase] = useState<ReportPhase>('asking');
  const r = useRun<ReportOutcome>((pin) => fetchReport(api, m, pin, setPhase));
  return (
    <div class="report" data-report={r.outcome ? (r.outcome.ok ? 'verified' : 'failed') : r.busy ? 'busy' : 'none'}>
      <p class="muted">
        The node gathers every org's signed records on this version, each with an inclusion proof against a witnessed
        checkpoint of its maker's log, and signs the report; this browser then checks all of it with the project's own
        verifier.
      </p>
      <PinAndRun id="report" label="Build the report and verify it in this browser" {...r} />
      {r.busy && (
        <p class="muted" role="status" aria-live="polite" data-phase={phase}>
          {phase === 'asking'
            ? `Asking the node for the report (it waits up to ${REPORT_WAIT_MS / 1000} s for fresh records to be witnessed)…`
            : 'Verifying the report in this browser: every signature, proof and number…'}
        </p>
      )}
      {r.outcome && <ReportOutcomeView outcome={r.outcome} model={m} />}
      <CliCommand label="Or with the CLI" command={commands.report(m)} />
    </div>
  );
}

function ReportOutcomeView(props: { outcome: ReportOutcome; model: ModelSummary }) {
  const o = props.outcome;
  return (
    <div class="outcome" data-report-verified={o.ok ? 'yes' : 'no'} role="status">
      <p class={o.ok ? 'verdict ok-text' : 'verdict bad-text'}>
        {o.ok
          ? `Report verified: ${o.evidence} signed records from ${o.orgs?.join(', ')}, signed by ${o.signedBy}'s node; every number recomputed.`
          : `Report does NOT verify: ${o.error?.code} — ${o.error?.message}`}
      </p>
      <KeyValues
        rows={[
          ['federation id', <code key="f">{o.federationId ?? '—'}</code>],
          [
            'id pinned to',
            o.pinnedBy === 'you' ? 'the id you pasted' : "this node's own federation id (GET /v1/federation)",
          ],
        ]}
      />
      <ol class="steps">
        {o.steps.map((s) => (
          <li key={s.id} class={`step-${s.state.replace(' ', '-')}`} data-step={s.id} data-state={s.state}>
            <span aria-hidden="true">{MARK[s.state]}</span> {s.label} <span class="sr-only">({s.state})</span>
          </li>
        ))}
      </ol>
      {o.ok && o.report && o.file ? (
        <>
          <Downloads report={o.report} file={o.file} model={props.model} />
          <ReportBody report={o.report} />
        </>
      ) : (
        <p class="muted">What the node sent is not shown and not offered for download: it does not verify.</p>
      )}
    </div>
  );
}

/** An object URL for `parts` while the component is shown (revoked after). */
function useObjectUrl(parts: () => BlobPart, deps: unknown[]): string {
  const url = useMemo(() => URL.createObjectURL(new Blob([parts()], { type: 'application/json' })), deps);
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  return url;
}

function Downloads(props: { report: Report; file: Uint8Array; model: ModelSummary }) {
  const names = downloadNames(props.model);
  const json = useObjectUrl(() => props.file as Uint8Array<ArrayBuffer>, [props.file]);
  const oscal = useObjectUrl(() => oscalText(props.report, props.file), [props.file]);
  return (
    <p class="row downloads">
      <a class="button" href={json} download={names.json} data-download="json">
        Download the report ({names.json})
      </a>
      <a class="button secondary" href={oscal} download={names.oscal} data-download="oscal">
        Download as OSCAL ({names.oscal})
      </a>
      <span class="muted">
        The file is exactly what <code>govfed report model</code> writes: check it anywhere with{' '}
        <code>govfed verify {names.json}</code>.
      </span>
    </p>
  );
}

function ReportBody(props: { report: Report }) {
  const r = props.report;
  return (
    <div class="report-body">
      <KeyValues
        rows={[
          ['generated', <Time key="t" value={r.generated.at} />],
          ['signed by', `${r.generated.org}'s node`],
          ['deployed in', r.summary.deployedIn.join(', ') || 'no org'],
          [
            'all versions',
            <span key="c" data-total>
              {r.summary.total.decisions} decisions, {r.summary.total.denied} denied, flags{' '}
              {kinds(r.summary.total.flags)}
            </span>,
          ],
        ]}
      />
      {r.summary.versions.map((v) => (
        <VersionView key={`${v.model.org}/${v.model.name}@${v.model.version}`} v={v} />
      ))}
      <h4>Controls</h4>
      <p class="muted">What the federation's records show for each obligation (not a legal opinion).</p>
      <table class="compact" data-controls>
        <caption class="sr-only">Controls</caption>
        <thead>
          <tr>
            <th scope="col">framework</th>
            <th scope="col">control</th>
            <th scope="col">status</th>
            <th scope="col">evidence</th>
            <th scope="col">missing</th>
          </tr>
        </thead>
        <tbody>
          {r.controls.map((c) => (
            <tr key={c.id} data-control={c.id} data-status={c.status}>
              <td>{c.framework}</td>
              <td>{c.title}</td>
              <td>
                <Badge tone={tone(c.status)}>{c.status}</Badge>
              </td>
              <td>{c.evidence.join(' ') || '—'}</td>
              <td>{c.missing.join('; ') || '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h4>Gaps</h4>
      {r.gaps.length === 0 ? (
        <p class="muted" data-gaps="0">
          None: every org answered and every record was witnessed.
        </p>
      ) : (
        <ul data-gaps={r.gaps.length}>
          {r.gaps.map((g) => (
            <li key={`${g.org}:${g.reason}`}>
              <strong>{g.org}</strong>: {g.reason}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function VersionView(props: { v: VersionSummary }) {
  const v = props.v;
  const key = `${v.model.org}/${v.model.name}@${v.model.version}`;
  return (
    <section class="report-version" aria-label={`Report on ${key}`} data-report-version={key}>
      <h4>
        {key} <Badge tone={tone(v.killSwitch.state)}>{v.killSwitch.state}</Badge>
      </h4>
      <p>
        Risk {v.risk === null ? '—' : `score ${v.risk.score}, tier ${v.risk.tier}`}; contract version{' '}
        {v.contracts.at(-1)?.version ?? '—'}; <span data-version-total>{v.counts.total.decisions} decisions</span>,{' '}
        {v.counts.total.denied} denied; {v.monitoring.windows} monitoring windows, {v.monitoring.breaches} breaches.
      </p>
      <table class="compact" data-status-table>
        <caption>Status across orgs</caption>
        <thead>
          <tr>
            <th scope="col">org</th>
            <th scope="col">deployment</th>
            <th scope="col">since</th>
            <th scope="col">decisions</th>
            <th scope="col">denied</th>
            <th scope="col">flags</th>
            <th scope="col">breaches</th>
          </tr>
        </thead>
        <tbody>
          {statusAcrossOrgs(v).map((o) => (
            <tr key={o.org} data-org={o.org}>
              <td>{o.org}</td>
              <td>
                <Badge tone={tone(o.deployment)}>{o.deployment}</Badge>
              </td>
              <td>{o.since === null ? '—' : <Time value={o.since} />}</td>
              <td data-col="decisions">{o.decisions}</td>
              <td data-col="denied">{o.denied}</td>
              <td>{kinds(o.flags)}</td>
              <td data-col="breaches">{o.breaches}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p data-deny>
        Denied by rule: {kinds(v.counts.total.deny)}. Flags by kind: {kinds(v.counts.total.flags)}.
      </p>
      <h5>Approvals</h5>
      {v.approvals.length === 0 ? (
        <p class="muted">None.</p>
      ) : (
        <ul>
          {v.approvals.map((a) => (
            <li key={a.evidence}>
              {a.decision} by {a.org}/{a.name} ({a.role}) <Time value={a.issuedAt} /> <code>{a.evidence}</code>
            </li>
          ))}
        </ul>
      )}
      <h5>Kill switch</h5>
      {v.killSwitch.records.length === 0 ? (
        <p class="muted">No record.</p>
      ) : (
        <ul>
          {v.killSwitch.records.map((k) => (
            <li key={k.evidence}>
              {k.action} by {k.by}: “{k.reason}” <Time value={k.issuedAt} /> <code>{k.evidence}</code>
            </li>
          ))}
        </ul>
      )}
      <h5>Monitoring breaches</h5>
      {v.monitoring.breaches === 0 ? (
        <p class="muted">None in {v.monitoring.windows} windows.</p>
      ) : (
        <ul>
          {v.monitoring.series.flatMap((s) =>
            s.points
              .filter((p) => p.breach)
              .map((p) => (
                <li key={p.evidence}>
                  {s.org}, monitor {s.monitor} ({s.metric}
                  {s.shadow ? ', shadow' : ''}): {p.value ?? '—'} over the threshold {s.threshold}, window to{' '}
                  <Time value={p.to} /> <code>{p.evidence}</code>
                </li>
              )),
          )}
        </ul>
      )}
    </section>
  );
}
