/**
 * A model version's monitoring (the "Monitoring" section of its details): one chart per monitor of its
 * contract — each org that measured it a line, the warn and critical levels, the breaching windows
 * marked — over every window the node holds (GET …/monitoring/windows), with the same numbers as a
 * table for screen readers and keyboards. Reloaded when a window, a breach or a registry record arrives
 * (live topics `monitoring`, `model`).
 */

import type { ModelSummary } from '../logic/models-view.ts';
import { type Chart, chartsOf, describeChart, formatValue, loadWindows } from '../logic/monitoring-view.ts';
import { UPlotChart } from '../ui/chart.tsx';
import { useLoad } from '../ui/live.tsx';
import { Badge, ErrorBox, Loading, Time } from '../ui/parts.tsx';

const TOPICS = ['monitoring', 'model'] as const;

export function MonitoringSection(props: { model: ModelSummary }) {
  const m = props.model;
  const key = `${m.org}/${m.name}@${m.version}`;
  const loaded = useLoad(
    async (api) => {
      const { windows, complete } = await loadWindows(api, m);
      return { charts: chartsOf(windows), complete };
    },
    TOPICS,
    [key],
  );
  if (loaded.error) return <ErrorBox error={loaded.error} />;
  if (loaded.data === undefined) return <Loading what="the monitoring windows" />;
  const { charts, complete } = loaded.data;
  if (charts.length === 0) {
    return (
      <p class="muted">No monitoring window yet: its contract has no monitors, or no window of decisions has closed.</p>
    );
  }
  return (
    <>
      <p class="muted">
        Every window this node holds (its own and every member's, the newest 16 of each org and monitor), by the time
        each closed. Dashed lines: <span class="level-critical">critical</span> (the contract's threshold) and, where
        the metric has one, <span class="level-warn">warn</span>; a red ring marks a window that breached.
        {!complete && ' Only the first pages are shown.'}
      </p>
      <div class="charts">
        {charts.map((c, i) => (
          <MonitorChart key={c.id} chart={c} n={i} />
        ))}
      </div>
    </>
  );
}

function MonitorChart(props: { chart: Chart; n: number }) {
  const c = props.chart;
  const id = `chart-${props.n}`;
  const side = c.direction === 'above' ? '>' : '<';
  return (
    <figure class="chart" data-chart={c.id} aria-labelledby={`${id}-t`} aria-describedby={`${id}-d`}>
      <figcaption id={`${id}-t`}>
        <strong>{c.title}</strong> <span class="muted">({c.metric})</span>{' '}
        {c.breaches > 0 ? (
          <Badge tone="bad">
            {c.breaches} breach{c.breaches === 1 ? '' : 'es'}
          </Badge>
        ) : (
          <Badge tone="ok">no breach</Badge>
        )}{' '}
        <span class="muted">
          critical {side} {c.critical}
          {c.warn !== undefined && `, warn ${side} ${c.warn}`}
          {c.onBreach && ` · on breach: ${c.onBreach}`}
        </span>
      </figcaption>
      <p id={`${id}-d`} class="sr-only">
        {describeChart(c)}
      </p>
      <UPlotChart chart={c} />
      <ul class="legend" aria-label={`Orgs in ${c.title}`}>
        {c.series.map((s, i) => (
          <li key={s.org}>
            <span class={`swatch swatch-${i % 8}`} aria-hidden="true" /> {s.org}
          </li>
        ))}
      </ul>
      <details>
        <summary>Data table of {c.title}</summary>
        <table class="compact">
          <caption class="sr-only">Windows of {c.title}</caption>
          <thead>
            <tr>
              <th scope="col">Org</th>
              <th scope="col">Window</th>
              <th scope="col">From</th>
              <th scope="col">To</th>
              <th scope="col">Decisions</th>
              <th scope="col">Value</th>
              <th scope="col">Breach</th>
            </tr>
          </thead>
          <tbody>
            {c.series.flatMap((s) =>
              s.points.map((p) => (
                <tr key={`${s.org}-${p.seq}`} data-org={s.org} data-seq={p.seq} data-value={String(p.value)}>
                  <th scope="row">{s.org}</th>
                  <td>#{p.seq}</td>
                  <td>
                    <Time value={p.from} />
                  </td>
                  <td>
                    <Time value={p.to} />
                  </td>
                  <td>{p.decisions}</td>
                  <td>{formatValue(p.value)}</td>
                  <td>{p.breach ? <Badge tone="bad">breach</Badge> : 'no'}</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
