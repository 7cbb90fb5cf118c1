/**
 * The baseline's history (versions 1..head, GET /v1/policy/versions/:version) and the difference between
 * two of them (logic/policy-diff.ts): rules added, removed and changed, with a word diff of each changed
 * field.
 */
import { useState } from 'preact/hooks';
import type { ApiOk } from '../logic/api-types.ts';
import { diffRules, type PolicyRule } from '../logic/policy-diff.ts';
import { useLoad } from '../ui/live.tsx';
import { ErrorBox, Loading, Time } from '../ui/parts.tsx';

/** GET /v1/policy/versions/{version} (the fields this page reads; rules as the diff reads them). */
type Version = Pick<ApiOk<'/v1/policy/versions/{version}'>, 'version' | 'digest' | 'previous' | 'createdAt'> & {
  rules: PolicyRule[];
};

export function PolicyHistory(props: { head: number }) {
  const h = useLoad(
    (api) =>
      Promise.all(Array.from({ length: props.head }, (_, i) => api.json<Version>(`/v1/policy/versions/${i + 1}`))),
    ['policy'],
    [props.head],
  );
  const [from, setFrom] = useState(Math.max(1, props.head - 1));
  const [to, setTo] = useState(props.head);
  if (h.error) return <ErrorBox error={h.error} />;
  if (h.data === undefined) return <Loading what="the history" />;
  const versions = h.data;
  const a = versions.find((v) => v.version === from);
  const b = versions.find((v) => v.version === to);
  const select = (id: string, value: number, set: (n: number) => void) => (
    <select id={id} value={String(value)} onChange={(e) => set(Number((e.target as HTMLSelectElement).value))}>
      {versions.map((v) => (
        <option key={v.version} value={String(v.version)}>
          {v.version}
        </option>
      ))}
    </select>
  );
  return (
    <section aria-labelledby="history-h">
      <h2 id="history-h">History</h2>
      <ol class="history">
        {versions.map((v) => (
          <li key={v.version}>
            Version {v.version}, <Time value={v.createdAt} />: {v.rules.length} rules,{' '}
            <code class="digest">{v.digest}</code>
          </li>
        ))}
      </ol>
      <h3>Difference between two versions</h3>
      <div class="row">
        <label for="diff-from">From</label>
        {select('diff-from', from, setFrom)}
        <label for="diff-to">to</label>
        {select('diff-to', to, setTo)}
      </div>
      {a && b && <Diff before={a.rules} after={b.rules} />}
    </section>
  );
}

function Diff(props: { before: PolicyRule[]; after: PolicyRule[] }) {
  const d = diffRules(props.before, props.after);
  if (d.added.length + d.removed.length + d.changed.length === 0) return <p class="muted">The rules are the same.</p>;
  return (
    <ul class="diff">
      {d.added.map((r) => (
        <li key={`+${r.id}`} class="added">
          added <code>{r.id}</code>: <code class="expr">{r.expression}</code>
        </li>
      ))}
      {d.removed.map((r) => (
        <li key={`-${r.id}`} class="removed">
          removed <code>{r.id}</code>: <code class="expr">{r.expression}</code>
        </li>
      ))}
      {d.changed.map((c) => (
        <li key={`~${c.id}`} class="changed">
          changed <code>{c.id}</code>
          <ul>
            {c.fields.map((f) => (
              <li key={f.field}>
                {f.field}:{' '}
                <code class="expr">
                  {f.parts.map((p, i) =>
                    p.added ? (
                      <ins key={i}>{p.value}</ins>
                    ) : p.removed ? (
                      <del key={i}>{p.value}</del>
                    ) : (
                      <span key={i}>{p.value}</span>
                    ),
                  )}
                </code>
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ul>
  );
}
