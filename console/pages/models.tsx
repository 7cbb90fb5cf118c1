/**
 * Models: the registry — name, version, digest, risk tier and score with the rules that fired,
 * approvals, contract, deployments by org, and the state (suspended and revoked first). A version's
 * details (who approved, with role and org; the contract's conditions; kill-switch records) open below
 * it, with the exact commands for what needs a person's key. Reloaded on `model` and `policy`.
 */
import { useState } from 'preact/hooks';
import { commands } from '../logic/cli-commands.ts';
import {
  type Deployment,
  deploymentsByModel,
  type ModelDetail,
  type ModelSummary,
  modelKey,
  modelState,
} from '../logic/models-view.ts';
import { useLoad } from '../ui/live.tsx';
import { Badge, CliCommand, ErrorBox, KeyValues, Loading, Time } from '../ui/parts.tsx';

const TOPICS = ['model', 'policy'] as const;

export function ModelsPage() {
  const list = useLoad(async (api) => {
    const [m, d] = await Promise.all([
      api.json<{ models: ModelSummary[] }>('/v1/models'),
      api.json<{ deployments: Deployment[] }>('/v1/deployments'),
    ]);
    return { models: m.models, runs: deploymentsByModel(d.deployments) };
  }, TOPICS);
  const [open, setOpen] = useState<string | undefined>();
  if (list.error) return <ErrorBox error={list.error} />;
  if (list.data === undefined) return <Loading what="the registry" />;
  const { models, runs } = list.data;
  return (
    <>
      <h1>Models</h1>
      {models.length === 0 && <p class="muted">No model is registered.</p>}
      {models.length > 0 && (
        <table>
          <caption class="sr-only">Registered model versions</caption>
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">State</th>
              <th scope="col">Risk</th>
              <th scope="col">Approvals</th>
              <th scope="col">Contract</th>
              <th scope="col">Deployed on</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {models.map((m) => {
              const k = modelKey(m);
              const st = modelState(m);
              return (
                <tr key={k} data-model={k}>
                  <th scope="row">
                    {k}
                    <br />
                    <code class="digest" title={m.digest}>
                      {m.digest.slice(0, 19)}…
                    </code>
                  </th>
                  <td>
                    <Badge tone={st.tone}>{st.label}</Badge>
                    {m.kill.state !== 'active' && m.kill.reason && <div class="muted">{m.kill.reason}</div>}
                  </td>
                  <td>
                    {m.risk.tier} ({m.risk.score})
                    <div class="muted">{m.risk.hits.map((h) => `${h.rule} +${h.points}`).join(', ')}</div>
                  </td>
                  <td>
                    {m.approvals.counted} counted of {m.approvals.votes}; orgs {m.approvals.orgs.have}/
                    {m.approvals.orgs.need}
                    {m.approvals.missingRoles.length > 0 && (
                      <div class="muted">missing: {m.approvals.missingRoles.join(', ')}</div>
                    )}
                  </td>
                  <td>{m.contract ? `v${m.contract.version}` : <span class="muted">none</span>}</td>
                  <td>{(runs.get(k) ?? []).join(', ') || <span class="muted">nowhere</span>}</td>
                  <td>
                    <button
                      type="button"
                      class="small"
                      aria-expanded={open === k}
                      onClick={() => setOpen(open === k ? undefined : k)}
                    >
                      {open === k ? 'Hide' : 'Show'} <span class="sr-only">details of {k}</span>
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {open !== undefined && models.some((m) => modelKey(m) === open) && (
        <ModelDetails model={models.find((m) => modelKey(m) === open) as ModelSummary} />
      )}
    </>
  );
}

function ModelDetails(props: { model: ModelSummary }) {
  const m = props.model;
  const path = `/v1/models/${encodeURIComponent(m.name)}/${encodeURIComponent(m.version)}?org=${encodeURIComponent(m.org)}`;
  const d = useLoad((api) => api.json<ModelDetail>(path), TOPICS, [path]);
  const k = modelKey(m);
  return (
    <section class="card" aria-labelledby="detail-h">
      <h2 id="detail-h">{k}</h2>
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
          <h3>Approvals</h3>
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
          <h3>Contract</h3>
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
          <h3>Kill switch</h3>
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
      <h3>Actions (signed with your own key, on your machine)</h3>
      <CliCommand label="Approve" command={commands.approve(m)} />
      <CliCommand label="Reject" command={commands.reject(m)} />
      {m.kill.state === 'active' ? (
        <CliCommand label="Suspend" command={commands.suspend(m)} />
      ) : (
        <CliCommand label="Reinstate" command={commands.reinstate(m)} />
      )}
      <CliCommand label="Vote to revoke" command={commands.revoke(m)} />
    </section>
  );
}
