/**
 * A model version's details, below its row on the models page: a card of sections, each a component of
 * its own with its own data —
 *
 *   registry     who approved (name, role, org) and whether each vote counts, the contract's terms, the
 *                kill switch's records (GET /v1/models/{name}/{version})
 *   monitoring   the monitoring charts (model-monitoring.tsx)
 *   report       the compliance report, verified in the browser, with download (model-report.tsx)
 *   actions      the exact commands for what needs a person's key (approve, reject, suspend, revoke)
 *
 * A new view of a version (e.g. its compliance report) is one more entry in SECTIONS.
 */
import type { FunctionComponent } from 'preact';
import { commands } from '../logic/cli-commands.ts';
import { type ModelDetail, type ModelSummary, modelKey } from '../logic/models-view.ts';
import { useLoad } from '../ui/live.tsx';
import { Badge, CliCommand, ErrorBox, KeyValues, Time } from '../ui/parts.tsx';
import { MonitoringSection } from './model-monitoring.tsx';
import { ReportSection } from './model-report.tsx';

const TOPICS = ['model', 'policy'] as const;

interface SectionProps {
  model: ModelSummary;
}

/** The sections of a version's card, in order: `id` names its heading (`<id>-h`). */
export const SECTIONS: readonly { id: string; title: string; Section: FunctionComponent<SectionProps> }[] = [
  { id: 'registry', title: 'Registry', Section: RegistrySection },
  { id: 'monitoring', title: 'Monitoring', Section: MonitoringSection },
  { id: 'report', title: 'Compliance report', Section: ReportSection },
  { id: 'actions', title: 'Actions (signed with your own key, on your machine)', Section: ActionsSection },
];

export function ModelDetails(props: { model: ModelSummary }) {
  const k = modelKey(props.model);
  return (
    <section class="card" aria-labelledby="detail-h" data-details={k}>
      <h2 id="detail-h">{k}</h2>
      {SECTIONS.map(({ id, title, Section }) => (
        <section key={id} class="detail-section" aria-labelledby={`${id}-h`} data-section={id}>
          <h3 id={`${id}-h`} class="section-title">
            {title}
          </h3>
          <Section model={props.model} />
        </section>
      ))}
    </section>
  );
}

function RegistrySection(props: SectionProps) {
  const m = props.model;
  const path = `/v1/models/${encodeURIComponent(m.name)}/${encodeURIComponent(m.version)}?org=${encodeURIComponent(m.org)}`;
  const d = useLoad((api) => api.json<ModelDetail>(path), TOPICS, [path]);
  return (
    <>
      {d.error && <ErrorBox error={d.error} />}
      {d.data && (
        <>
          <KeyValues
            rows={[
              ['digest', <code key="d">{d.data.digest}</code>],
              ['registered', <Time key="t" value={d.data.registeredAt} />],
              [
                'submitter',
                `${d.data.submitter.name} (${d.data.submitter.role}${d.data.submitter.org ? `, ${d.data.submitter.org}` : ''})`,
              ],
              ['EU AI Act category', d.data.euAiActCategory ?? 'no card'],
              [
                'approval rule',
                d.data.rule ? `${(d.data.rule.roles ?? []).join(' + ')} from ${d.data.rule.orgs} org(s)` : 'none',
              ],
            ]}
          />
          <h4>Approvals</h4>
          {d.data.votes.length === 0 ? (
            <p class="muted">No approval yet.</p>
          ) : (
            <ul>
              {d.data.votes.map((v) => (
                <li key={v.id}>
                  {v.decision} by {v.approver.name} ({v.approver.role}
                  {v.approver.org ? `, ${v.approver.org}` : ''}) <Time value={v.issuedAt} />{' '}
                  {v.counts ? <Badge tone="ok">counts</Badge> : <Badge tone="warn">does not count: {v.why}</Badge>}
                </li>
              ))}
            </ul>
          )}
          <h4>Contract</h4>
          {d.data.contract ? (
            <>
              <p>
                Version {d.data.contract.version}, signed by {d.data.contract.signer.name} (
                {d.data.contract.signer.role})
              </p>
              <pre class="terms">{JSON.stringify(d.data.contract.terms, null, 2)}</pre>
            </>
          ) : (
            <p class="muted">No contract.</p>
          )}
          <h4>Kill switch</h4>
          <p>
            State: <strong>{d.data.kill.state}</strong>
            {d.data.kill.until && (
              <>
                {' '}
                until <Time value={d.data.kill.until} />
              </>
            )}
            {d.data.kill.by.length > 0 && <> — by {d.data.kill.by.join(', ')}</>}
          </p>
          {d.data.revocations.length > 0 && (
            <ul>
              {d.data.revocations.map((r) => (
                <li key={r.id}>
                  {r.action} by {r.signer.name} ({r.signer.role}, {r.signer.org}): “{r.reason}”{' '}
                  <Time value={r.issuedAt} />
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </>
  );
}

function ActionsSection(props: SectionProps) {
  const m = props.model;
  return (
    <>
      <CliCommand label="Approve" command={commands.approve(m)} />
      <CliCommand label="Reject" command={commands.reject(m)} />
      {m.kill.state === 'active' ? (
        <CliCommand label="Suspend" command={commands.suspend(m)} />
      ) : (
        <CliCommand label="Reinstate" command={commands.reinstate(m)} />
      )}
      <CliCommand label="Vote to revoke" command={commands.revoke(m)} />
    </>
  );
}
