/**
 * Federation: members (jurisdiction, connectivity, last seen, the charter version each states, what each
 * runs), the charter, alerts (staleness, equivocation, members behind or away) and pending charter
 * changes with the command that signs one. GET /v1/federation; reloaded on `federation` and `alert`, and
 * every REFRESH_MS besides: connections come and go and "last seen" ages without any event.
 */
import { useEffect } from 'preact/hooks';
import { commands } from '../logic/cli-commands.ts';
import { type FederationStatus, federationAlerts } from '../logic/federation-view.ts';
import { useLoad } from '../ui/live.tsx';
import { Badge, CliCommand, ErrorBox, KeyValues, Loading, Time } from '../ui/parts.tsx';
import { CharterVerify } from './signatures-panel.tsx';

const TOPICS = ['federation', 'alert'] as const;
/** How often the page asks again without an event (connectivity, last seen). */
const REFRESH_MS = 10_000;

export function FederationPage() {
  const fed = useLoad((api) => api.json<FederationStatus>('/v1/federation'), TOPICS);
  const { reload } = fed;
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  if (fed.error) return <ErrorBox error={fed.error} />;
  const s = fed.data;
  if (s === undefined) return <Loading what="the federation" />;
  if (!s.federated) return <p>This node is in no federation yet.</p>;
  const alerts = federationAlerts(s);
  return (
    <>
      <h1>Federation</h1>
      <KeyValues
        rows={[
          ['name', s.name],
          ['id', <code key="id">{s.id}</code>],
          ['charter version', s.charterVersion],
          ['last sync', <Time key="sync" value={s.lastSync} />],
        ]}
      />
      <section aria-labelledby="alerts-h">
        <h2 id="alerts-h">Alerts</h2>
        {alerts.length === 0 ? (
          <p class="ok-text">No alerts: the charter is fresh and every member is connected and honest.</p>
        ) : (
          <ul class="alerts">
            {alerts.map((a) => (
              <li key={a.text} class={`alert-${a.level}`}>
                <Badge tone={a.level === 'critical' ? 'bad' : 'warn'}>{a.level}</Badge> {a.text}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="members-h">
        <h2 id="members-h">Members</h2>
        <table>
          <caption class="sr-only">Members of the federation</caption>
          <thead>
            <tr>
              <th scope="col">Org</th>
              <th scope="col">Jurisdiction</th>
              <th scope="col">Connectivity</th>
              <th scope="col">Last seen</th>
              <th scope="col">Charter version</th>
              <th scope="col">Runs</th>
            </tr>
          </thead>
          <tbody>
            {s.members.map((m) => (
              <tr key={m.org} data-org={m.org}>
                <th scope="row">
                  {m.org} {m.self && <Badge tone="info">this node</Badge>}{' '}
                  {m.misbehaving && <Badge tone="bad">equivocated</Badge>}
                </th>
                <td>{m.jurisdiction}</td>
                <td>
                  {m.self ? (
                    '—'
                  ) : m.connected ? (
                    <Badge tone="ok">connected</Badge>
                  ) : (
                    <Badge tone="warn">not connected</Badge>
                  )}
                </td>
                <td>{m.self ? '—' : <Time value={m.lastSeen} />}</td>
                <td>{m.statedVersion ?? <span class="muted">unknown</span>}</td>
                <td>{(m.deployed ?? []).join(', ') || <span class="muted">nothing</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="proposals-h">
        <h2 id="proposals-h">Pending charter changes</h2>
        {s.proposals.length === 0 ? (
          <p class="muted">None.</p>
        ) : (
          s.proposals.map((p) => (
            <div key={p.id} class="card">
              <p>
                Version {p.version} ({p.rule}): {p.memberSignatures} of {p.required} signatures
                {p.signedBy.length > 0 && <> — signed by {p.signedBy.join(', ')}</>}
                {p.expiresAt && (
                  <>
                    , expires <Time value={p.expiresAt} />
                  </>
                )}
              </p>
              <CliCommand
                label="Sign it (an admin of a member, with the node's key)"
                command={commands.federationSign(p.id)}
              />
            </div>
          ))
        )}
      </section>
      <CharterVerify />
    </>
  );
}
