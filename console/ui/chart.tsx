/**
 * A monitoring chart drawn by uPlot (a small canvas charting library: docs/toolchain.md) — one line per
 * org, the warn and critical levels as dashed lines, each breaching window ringed in red (the org's colour stays visible inside).
 * The canvas is hidden from screen readers: the figure's description and data table say the same.
 *
 * CSP: uPlot builds its DOM with createElement and sets positions through element.style (CSSOM), which
 * `style-src 'self'` allows; its stylesheet is bundled into app.css (scripts/build-console.ts) — no
 * inline style attribute, no <style> element.
 *
 * For tests and people alike, the figure carries what uPlot holds and drew: `data-plotted` (uPlot's
 * data: times, then each org's values) and `data-breach-markers` (how many breach markers the last
 * draw put on the canvas); and the uPlot instance as the figure's `uplot` property, so the browser test
 * can map the API's values to canvas pixels with uPlot's own scales and read what was drawn there.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { Chart } from '../logic/monitoring-view.ts';

/** Org colours (Okabe–Ito, distinguishable with colour-blindness); .swatch-N in app.css matches. */
export const PALETTE = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#56b4e9', '#e69f00', '#000000', '#666666'];
const CRITICAL = '#b91c1c';
const WARN = '#a16207';

const colourOf = (i: number) => PALETTE[i % PALETTE.length] as string;

function levelLine(u: uPlot, value: number, colour: string): void {
  const y = Math.round(u.valToPos(value, 'y', true));
  const { left, width } = u.bbox;
  const ctx = u.ctx;
  ctx.save();
  ctx.strokeStyle = colour;
  ctx.lineWidth = 2 * devicePixelRatio;
  ctx.setLineDash([8 * devicePixelRatio, 5 * devicePixelRatio]);
  ctx.beginPath();
  ctx.moveTo(left, y);
  ctx.lineTo(left + width, y);
  ctx.stroke();
  ctx.restore();
}

/** Draws the warn and critical levels (under the series: uPlot's drawAxes hook runs before them). */
function drawLevels(u: uPlot, chart: Chart): void {
  if (chart.warn !== undefined) levelLine(u, chart.warn, WARN);
  levelLine(u, chart.critical, CRITICAL);
}

/** Rings each breaching window (over the series); returns how many rings it drew. */
function drawBreaches(u: uPlot, chart: Chart): number {
  const ctx = u.ctx;
  const r = 7 * devicePixelRatio;
  let drawn = 0;
  chart.breachAt.forEach((marks, s) => {
    const ys = chart.aligned[s + 1] as (number | null)[];
    marks.forEach((breach, i) => {
      const v = ys[i];
      if (!breach || v === null || v === undefined) return;
      const x = u.valToPos(chart.aligned[0][i] as number, 'x', true);
      const y = u.valToPos(v, 'y', true);
      ctx.save();
      ctx.strokeStyle = CRITICAL;
      ctx.lineWidth = 2.5 * devicePixelRatio;
      ctx.beginPath();
      ctx.arc(x, y, r, 0, 2 * Math.PI);
      ctx.stroke();
      ctx.restore();
      drawn++;
    });
  });
  return drawn;
}

/** The y range: the data and both levels in view, from 0 for the non-negative metrics. */
function yRange(chart: Chart, min: number | null, max: number | null): uPlot.Range.MinMax {
  const levels = [chart.critical, ...(chart.warn === undefined ? [] : [chart.warn])];
  const lo = Math.min(0, min ?? 0, ...levels);
  const hi = Math.max(max ?? 0, ...levels);
  return [lo, hi === lo ? lo + 1 : hi + (hi - lo) * 0.1];
}

function options(chart: Chart, width: number, figure: HTMLElement): uPlot.Options {
  return {
    width,
    height: 220,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, y: { range: (_u, min, max) => yRange(chart, min, max) } },
    axes: [{ stroke: '#374151' }, { stroke: '#374151', size: 56 }],
    series: [
      {},
      ...chart.series.map((s, i) => ({
        label: s.org,
        stroke: colourOf(i),
        width: 2,
        spanGaps: true,
        points: { show: true, size: 7, fill: colourOf(i) },
      })),
    ],
    hooks: {
      drawAxes: [(u: uPlot) => drawLevels(u, chart)],
      draw: [
        (u: uPlot) => {
          figure.dataset.breachMarkers = String(drawBreaches(u, chart));
        },
      ],
    },
  };
}

export function UPlotChart(props: { chart: Chart }) {
  const box = useRef<HTMLDivElement>(null);
  const { chart } = props;
  const key = JSON.stringify([chart.series.map((s) => s.org), chart.aligned, chart.breachAt, chart.critical]);
  useEffect(() => {
    const el = box.current;
    const figure = el?.closest('figure');
    if (!el || !figure) return;
    const plot = new uPlot(options(chart, Math.max(320, el.clientWidth || 640), figure), chart.aligned, el);
    figure.dataset.plotted = JSON.stringify(plot.data);
    (figure as HTMLElement & { uplot?: uPlot }).uplot = plot; // for the browser test's pixel check
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(320, el.clientWidth), height: 220 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [key]);
  return <div class="chart-canvas" ref={box} aria-hidden="true" />;
}
