// A timeline chart (uPlot): lines over time, the band augur expected a
// series to stay in, and vertical markers for change events and the
// anomaly's onset. Markers are DOM elements laid over the canvas (labels
// as text nodes), so they are readable, selectable and testable.
import uPlot from 'uplot';
import { h } from './dom';
import { formatNumber } from './format';

export interface Marker {
  time: number; // Unix seconds
  label: string;
  kind: 'event' | 'onset' | 'end';
  title?: string;
}

export interface Line {
  label: string;
  values: (number | null)[];
  colorVar: string; // a CSS custom property: --series-1 …
  width?: number;
  dash?: number[];
}

export interface Band {
  low: number;
  high: number;
  from: number; // Unix seconds
  to: number;
  label: string;
}

export interface ChartSpec {
  xs: number[]; // Unix seconds, ascending
  lines: Line[];
  band?: Band;
  markers: Marker[];
  unit: string;
  height?: number;
  ariaLabel: string;
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

// Renders into `host` (which must be in the document, for its width).
export function timeline(host: HTMLElement, spec: ChartSpec): uPlot {
  const axis = cssVar('--chart-axis', '#888');
  const grid = cssVar('--chart-grid', 'rgba(128,128,128,0.2)');
  const data: uPlot.AlignedData = [spec.xs, ...spec.lines.map((l) => l.values)];
  const series: uPlot.Series[] = [
    {},
    ...spec.lines.map((l) => ({
      label: l.label,
      stroke: cssVar(l.colorVar, '#36c'),
      width: l.width ?? 1.5,
      dash: l.dash,
      spanGaps: false,
      points: { show: false },
      value: (_u: uPlot, v: number | null) => (v === null ? '—' : formatNumber(v, spec.unit)),
    })),
  ];
  const bands: uPlot.Band[] = [];
  if (spec.band && Number.isFinite(spec.band.low) && Number.isFinite(spec.band.high)) {
    const b = spec.band;
    const inBand = (x: number) => x >= b.from && x <= b.to;
    const bandStroke = cssVar('--band-stroke', 'rgba(60,160,90,0.6)');
    data.push(spec.xs.map((x) => (inBand(x) ? b.high : null)));
    data.push(spec.xs.map((x) => (inBand(x) ? b.low : null)));
    const hi = data.length - 2;
    const lo = data.length - 1;
    for (const label of [`${b.label} (high)`, `${b.label} (low)`]) {
      series.push({
        label,
        stroke: bandStroke,
        width: 1,
        dash: [4, 4],
        points: { show: false },
        value: (_u: uPlot, v: number | null) => (v === null ? '—' : formatNumber(v, spec.unit)),
      });
    }
    bands.push({ series: [hi, lo], fill: cssVar('--band-fill', 'rgba(60,160,90,0.15)') });
  }

  const markerLayer = h('div', { class: 'markers' });
  // Labels go on one of four rows in turn, so markers close in time do not
  // hide each other's labels.
  const markerEls = spec.markers.map((m, i) =>
    h(
      'div',
      { class: `marker marker-${m.kind} row-${i % 4}`, title: m.title ?? m.label, attrs: { 'data-time': m.time } },
      h('span', { class: 'marker-label' }, m.label),
    ),
  );
  markerLayer.append(...markerEls);

  const placeMarkers = (u: uPlot) => {
    spec.markers.forEach((m, i) => {
      const el = markerEls[i];
      const x = u.valToPos(m.time, 'x');
      const visible = Number.isFinite(x) && x >= 0 && x <= u.over.clientWidth;
      el.hidden = !visible;
      el.style.left = `${x}px`;
      // Labels of markers in the right part of the chart go to their left.
      el.classList.toggle('label-left', x > u.over.clientWidth * 0.6);
    });
  };

  const width = Math.max(320, host.clientWidth || 800);
  const opts: uPlot.Options = {
    width,
    height: spec.height ?? 240,
    series,
    bands,
    cursor: { drag: { x: true, y: false } },
    scales: { x: { time: true } },
    axes: [
      { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } },
      {
        stroke: axis,
        grid: { stroke: grid, width: 1 },
        ticks: { stroke: grid },
        size: 70,
        values: (_u, splits) => splits.map((v) => formatNumber(v, spec.unit)),
      },
    ],
    hooks: {
      ready: [
        (u) => {
          u.over.appendChild(markerLayer);
          placeMarkers(u);
        },
      ],
      setScale: [(u) => placeMarkers(u)],
      setSize: [(u) => placeMarkers(u)],
    },
  };
  const wrap = h('div', { class: 'chart', attrs: { role: 'img', 'aria-label': spec.ariaLabel } });
  host.appendChild(wrap);
  const plot = new uPlot(opts, data, wrap);
  const observer = new ResizeObserver(() => {
    const w = Math.max(320, host.clientWidth);
    if (Math.abs(w - plot.width) > 2) plot.setSize({ width: w, height: plot.height });
  });
  observer.observe(host);
  return plot;
}
