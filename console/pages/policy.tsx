/**
 * Policy: the global baseline this node enforces (version, digest, rule text), the version every member
 * has applied with its signed receipt (GET /v1/policy/status), pending baseline proposals with the
 * command that signs one, the local overlay, and the history with the difference between two versions
 * (policy-history.tsx). Reloaded on `policy`.
 */
import type { ApiOk, Item } from '../logic/api-types.ts';
import { commands } from '../logic/cli-commands.ts';
import type { PolicyRule } from '../logic/policy-diff.ts';
import { useLoad } from '../ui/live.tsx';
import { Badge, CliCommand, ErrorBox, KeyValues, Loading, Time } from '../ui/parts.tsx';
import { PolicyHistory } from './policy-history.tsx';
import { ReceiptsVerify } from './signatures-panel.tsx';

const TOPICS = ['policy'] as const;

type ApiPolicy = ApiOk<'/v1/policy'>;
type ApiPolicyStatus = ApiOk<'/v1/policy/status'>;

/** GET /v1/policy (the fields this page reads; rules as the diff reads them). */
type PolicyView = Pick<ApiPolicy, 'version' | 'digest' | 'createdAt' | 'expiresAt' | 'expired'> & {
  rules: PolicyRule[];
  local: Pick<ApiPolicy['local'], 'version' | 'updatedAt'> & { rules: PolicyRule[] };
};

/** GET /v1/policy/status (the fields this page reads). */
type PolicyStatus = {
  members: Pick<Item<ApiPolicyStatus['members']>, 'org' | 'self' | 'version' | 'bundleHash' | 'receipt'>[];
  pending: Pick<Item<ApiPolicyStatus['pending']>, 'id' | 'version' | 'signedBy' | 'required' | 'expiresAt'>[];
  forks: Pick<Item<ApiPolicyStatus['forks']>, 'version' | 'digest'>[];
};

export function PolicyPage() {
  const p = useLoad(async (api) => {
    const [view, status] = await Promise.all([
      api.json<PolicyView>('/v1/policy'),
      api.json<PolicyStatus>('/v1/policy/status'),
    ]);
    return { view, status };
  }, TOPICS);
  if (p.error) return <ErrorBox error={p.error} />;
  if (p.data === undefined) return <Loading what="the policy" />;
  const { view, status } = p.data;
  return (
    <>
      <h1>Policy</h1>
      <section aria-labelledby="baseline-h">
        <h2 id="baseline-h">Global baseline</h2>
        <KeyValues
          rows={[
            [
              'version',
              <span key="v" data-testid="baseline-version">
                {view.version === 0 ? 'none yet' : view.version}
              </span>,
            ],
            ['digest', <code key="d">{view.digest ?? '—'}</code>],
            ['created', <Time key="c" value={view.createdAt} />],
            [
              'expires',
              <span key="e">
                <Time value={view.expiresAt} /> {view.expired && <Badge tone="bad">expired</Badge>}
              </span>,
            ],
          ]}
        />
        <Rules rules={view.rules} caption="Rules of the active baseline" />
      </section>
      <section aria-labelledby="members-policy-h">
        <h2 id="members-policy-h">Applied by each member</h2>
        <table>
          <caption class="sr-only">The baseline version each member applied, with its receipt</caption>
          <thead>
            <tr>
              <th scope="col">Org</th>
              <th scope="col">Version</th>
              <th scope="col">Bundle digest</th>
              <th scope="col">Signed receipt</th>
            </tr>
          </thead>
          <tbody>
            {status.members.map((m) => (
              <tr key={m.org} data-org={m.org}>
                <th scope="row">
                  {m.org} {m.self && <Badge tone="info">this node</Badge>}
                </th>
                <td>
                  {m.version} {m.version !== view.version && <Badge tone="warn">differs from this node</Badge>}
                </td>
                <td>
                  <code class="digest">{m.bundleHash ?? '—'}</code>
                </td>
                <td>
                  {m.receipt === null ? (
                    <span class="muted">none</span>
                  ) : (
                    <details>
                      <summary>receipt</summary>
                      <pre class="terms">{JSON.stringify(m.receipt, null, 2)}</pre>
                    </details>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {status.forks.length > 0 && (
          <p class="error" role="alert">
            Fork evidence: {status.forks.map((f) => `version ${f.version} (${f.digest})`).join(', ')}
          </p>
        )}
        <ReceiptsVerify />
      </section>
      <section aria-labelledby="pending-policy-h">
        <h2 id="pending-policy-h">Pending proposals</h2>
        {status.pending.length === 0 && <p class="muted">None.</p>}
        {status.pending.map((x) => (
          <div key={x.id} class="card">
            <p>
              Version {x.version}: {x.signedBy.length} of {x.required} signatures, expires <Time value={x.expiresAt} />
            </p>
            <CliCommand label="Co-sign it (an admin of a member)" command={commands.policySign(x.id)} />
          </div>
        ))}
      </section>
      <section aria-labelledby="local-h">
        <h2 id="local-h">Local overlay</h2>
        <p>
          Version {view.local.version}, updated <Time value={view.local.updatedAt} />
        </p>
        <Rules rules={view.local.rules} caption="Rules of this node's local overlay" />
      </section>
      {view.version > 0 && <PolicyHistory key={view.version} head={view.version} />}
    </>
  );
}

export function Rules(props: { rules: readonly PolicyRule[]; caption: string }) {
  if (props.rules.length === 0) return <p class="muted">No rules.</p>;
  return (
    <table>
      <caption class="sr-only">{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">Rule</th>
          <th scope="col">Hook</th>
          <th scope="col">Effect</th>
          <th scope="col">Expression</th>
          <th scope="col">Message</th>
        </tr>
      </thead>
      <tbody>
        {props.rules.map((r) => (
          <tr key={r.id}>
            <th scope="row">
              <code>{r.id}</code>
            </th>
            <td>{r.hook}</td>
            <td>{r.effect}</td>
            <td>
              <code class="expr">{r.expression}</code>
            </td>
            <td>{r.message ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
