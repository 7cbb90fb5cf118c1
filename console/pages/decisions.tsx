/**
 * Decisions: search this node's decisions (model, verdict, deny rule, time range; GET /v1/decisions,
 * newest first, paged by `next`), each with its findings (the deny rules that fired) and a verify action
 * (verify-panel.tsx). New decisions (live topic `decision`) reload the first page — unless older pages
 * were loaded with "More": then the list stays as it is (a reload would overlap them, or leave a gap)
 * and a notice offers the newest.
 */
import { useContext, useEffect, useState } from 'preact/hooks';
import type { ApiOk, Item as ItemOf } from '../logic/api-types.ts';
import { type DecisionForm, decisionQuery, EMPTY_FORM } from '../logic/decision-query.ts';
import { LiveContext, useApi, useLoad } from '../ui/live.tsx';
import { Badge, ErrorBox, Loading, Time } from '../ui/parts.tsx';
import { VerifyPanel } from './verify-panel.tsx';

const PAGE = 50;
const TOPICS = ['decision'] as const;
const NO_TOPICS = [] as const;

type ApiDecisions = ApiOk<'/v1/decisions'>;

/** A decision in GET /v1/decisions (the fields this page reads). */
type Item = Pick<ItemOf<ApiDecisions['items']>, 'index' | 'decisionId' | 'model' | 'time' | 'verdict' | 'flags'>;

type Page = Pick<ApiDecisions, 'next'> & { items: Item[] };

export function DecisionsPage() {
  const api = useApi();
  const [form, setForm] = useState<DecisionForm>(EMPTY_FORM);
  const [query, setQuery] = useState<DecisionForm>(EMPTY_FORM);
  const [more, setMore] = useState<Page[]>([]);
  const [verify, setVerify] = useState<number | undefined>();
  const paging = more.length > 0;
  const [newer, setNewer] = useState(false);
  const live = useContext(LiveContext);
  const first = useLoad(
    (a) => a.json<Page>(`/v1/decisions${decisionQuery(query, PAGE)}`),
    paging ? NO_TOPICS : TOPICS,
    [query],
  );
  useEffect(
    () =>
      live.subscribe((topic) => {
        if (paging && topic === 'decision') setNewer(true);
      }),
    [live, paging],
  );
  const showNewest = () => {
    setMore([]);
    setNewer(false);
    first.reload();
  };
  const field = (name: keyof DecisionForm) => ({
    id: `f-${name}`,
    name,
    value: form[name],
    onInput: (e: Event) => setForm({ ...form, [name]: (e.target as HTMLInputElement).value }),
  });
  const search = (e: Event) => {
    e.preventDefault();
    setMore([]);
    setNewer(false);
    setQuery(form);
  };
  const pages = first.data ? [first.data, ...more] : [];
  const next = pages.at(-1)?.next;
  const loadMore = async () => {
    if (next !== undefined)
      setMore([...more, await api.json<Page>(`/v1/decisions${decisionQuery(query, PAGE, next)}`)]);
  };
  const items = pages.flatMap((p) => p.items);
  return (
    <>
      <h1>Decisions</h1>
      <form class="search" onSubmit={search} aria-label="Search decisions">
        <div>
          <label for="f-model">Model</label>
          <input {...field('model')} placeholder="any" />
        </div>
        <div>
          <label for="f-verdict">Verdict</label>
          <select {...field('verdict')}>
            <option value="">any</option>
            <option value="allowed">allowed</option>
            <option value="denied">denied</option>
          </select>
        </div>
        <div>
          <label for="f-flag">Deny rule</label>
          <input {...field('flag')} placeholder="any" />
        </div>
        <div>
          <label for="f-since">From (local time)</label>
          <input type="datetime-local" {...field('since')} />
        </div>
        <div>
          <label for="f-until">Until (local time)</label>
          <input type="datetime-local" {...field('until')} />
        </div>
        <button type="submit">Search</button>
      </form>
      {first.error && <ErrorBox error={first.error} />}
      {first.data === undefined && !first.error && <Loading what="decisions" />}
      {first.data && items.length === 0 && <p class="muted">No decision matches.</p>}
      {newer && (
        <p role="status">
          New decisions were recorded since this list was loaded.{' '}
          <button type="button" class="small" onClick={showNewest}>
            Show the newest
          </button>
        </p>
      )}
      {items.length > 0 && (
        <table>
          <caption class="sr-only">Decisions, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Entry</th>
              <th scope="col">Time</th>
              <th scope="col">Model</th>
              <th scope="col">Decision id</th>
              <th scope="col">Verdict</th>
              <th scope="col">Findings</th>
              <th scope="col">Proof</th>
            </tr>
          </thead>
          <tbody>
            {items.map((d) => (
              <tr key={d.index} data-index={d.index}>
                <th scope="row">{d.index}</th>
                <td>
                  <Time value={d.time} />
                </td>
                <td>{d.model}</td>
                <td>
                  <code>{d.decisionId}</code>
                </td>
                <td>
                  {d.verdict === 'denied' ? (
                    <Badge tone="bad">denied</Badge>
                  ) : d.verdict === 'allowed' ? (
                    <Badge tone="ok">allowed</Badge>
                  ) : (
                    <span class="muted">no policy</span>
                  )}
                </td>
                <td>{d.flags.join(', ') || <span class="muted">none</span>}</td>
                <td>
                  <button type="button" class="small" onClick={() => setVerify(d.index)}>
                    Verify <span class="sr-only">entry {d.index}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next !== undefined && (
        <button type="button" class="secondary" onClick={loadMore}>
          More
        </button>
      )}
      {verify !== undefined && <VerifyPanel key={verify} index={verify} onClose={() => setVerify(undefined)} />}
    </>
  );
}
