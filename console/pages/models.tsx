/**
 * Models: the registry — name, version, digest, risk tier and score with the rules that fired,
 * approvals, contract, deployments by org, and the state (suspended and revoked first). A version's
 * details open below it (model-details.tsx: registry facts, monitoring charts, the commands for what
 * needs a person's key). Reloaded on `model` and `policy`.
 */
import { useState } from 'preact/hooks';
import { type Deployment, deploymentsByModel, type ModelSummary, modelKey, modelState } from '../logic/models-view.ts';
import { useLoad } from '../ui/live.tsx';
import { Badge, ErrorBox, Loading } from '../ui/parts.tsx';
import { ModelDetails } from './model-details.tsx';

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
