// One insight: summary, feedback, root cause and evidence, a timeline of
// each anomalous series with its expected band and the related change
// events, the piece of the service graph involved, the changes themselves,
// log lines from around the onset and recommendations.
import {
  api,
  FEEDBACK_VALUES,
  type Anomaly,
  type FeedbackValue,
  type Insight,
  type MetricPoint,
  type Topology,
} from '../api';
import { timeline, type Line, type Marker } from '../chart';
import { h, replace } from '../dom';
import { bodyText, formatNumber, formatPercent, formatTime, ms, num } from '../format';
import { graphLegend, serviceGraph, type NodeState } from '../graph';
import type { PageContext } from '../main';
import { eventDetails, eventTitle, section, severityBadge, statusBadge } from './common';
import { insightDuration, insightEnd, rootCauseText } from './insights';

// augur's analysis buckets (analysis/analyzer.h): what an anomaly's
// `count` values are per. The charts' steps are multiples of it.
const ANALYSIS_BUCKET_S = 5;
const MAX_POINTS = 600;
const MAX_CHARTS = 8;

const FEEDBACK_TEXT: Record<FeedbackValue, [string, string]> = {
  USEFUL: ['Useful', 'Right and helpful'],
  NOT_USEFUL: ['Not useful', 'Right, but not worth raising'],
  TOO_SENSITIVE: ['Too sensitive', 'Raised for something normal'],
  INCORRECT: ['Incorrect', 'Wrong root cause or wrongly grouped'],
};

interface Window {
  from: number; // ms
  to: number;
  step: number; // s
}

// The charts' common window: some time before the insight started (to show
// normal), through its end (or its latest update while ongoing) and a bit after.
function chartWindow(insight: Insight): Window {
  const start = ms(insight.start_time);
  const end = insightEnd(insight);
  const span = Math.max(0, end - start);
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
  const from = start - clamp(2 * span, 15 * 60_000, 2 * 3600_000);
  // An ongoing insight's chart ends now: there is no telemetry after it.
  const tail = clamp(span / 4, 5 * 60_000, 30 * 60_000);
  const to = insight.end_time ? end + tail : Math.max(end, Math.min(end + tail, Date.now()));
  const step = ANALYSIS_BUCKET_S * Math.max(1, Math.ceil((to - from) / 1000 / ANALYSIS_BUCKET_S / MAX_POINTS));
  return { from, to, step };
}

function iso(msTime: number): string {
  return new Date(msTime).toISOString();
}

function eventMarkers(insight: Insight): Marker[] {
  return insight.related_events.map((e) => ({
    time: ms(e.time) / 1000,
    label: eventTitle(e),
    kind: 'event' as const,
    title: `${eventTitle(e)} at ${formatTime(e.time)}${e.description ? `: ${e.description}` : ''}`,
  }));
}

function isSpanMetric(metric: string): boolean {
  return metric === 'span.duration' || metric === 'span.requests' || metric === 'span.errors';
}

interface ChartData {
  xs: number[];
  lines: Line[];
  unit: string;
  // Multiplies the anomaly's values into the chart's unit; null: no band
  // (the chart does not plot the quantity the anomaly is about).
  bandScale: number | null;
  note?: string;
}

async function spanChartData(a: Anomaly, w: Window): Promise<ChartData> {
  const attrs = a.series.attributes ?? {};
  const series = await api.series({
    service: a.series.service,
    operation: a.series.operation,
    kind: attrs['span.kind'] ?? '',
    peer: attrs['peer'] ?? '',
    version: attrs['service.version'] ?? '',
    metric: a.series.metric,
    from: iso(w.from),
    to: iso(w.to),
    step: `${w.step}s`,
  });
  const xs = series.points.map((p) => ms(p.time) / 1000);
  const note = series.truncated
    ? `Only spans up to ${formatTime(series.complete_to)} were read (${series.spans_read} spans: the bound of /api/v1/series).`
    : undefined;
  if (a.series.metric === 'span.duration') {
    const q = a.quantity;
    const line = (k: 'p50' | 'p90' | 'p99', colorVar: string, dash?: number[]): Line => ({
      label: `${k} (ms)`,
      values: series.points.map((p) => p[k]),
      colorVar,
      width: q === k ? 2.5 : 1.2,
      dash,
    });
    return {
      xs,
      lines: [line('p50', '--series-3'), line('p90', '--series-1'), line('p99', '--series-2', [6, 3])],
      unit: 'ms',
      bandScale: ['p50', 'p90', 'p99'].includes(q) ? 1 : null,
      note: q === 'slow_share'
        ? 'The anomaly is about the share of requests slower than its reference (see above); the chart shows the ' +
          'latency quantiles.' + (note ? ` ${note}` : '')
        : note,
    };
  }
  if (a.series.metric === 'span.errors' && a.quantity !== 'count') {
    // error_ratio: errors per request, shown in percent.
    const percent = a.unit === '%';
    return {
      xs,
      lines: [{
        label: 'errors (%)',
        values: series.points.map((p) => (p.count > 0 ? (100 * p.errors) / p.count : null)),
        colorVar: '--series-2',
        width: 2.5,
      }],
      unit: '%',
      bandScale: percent ? 1 : 100,
      note,
    };
  }
  const errors = a.series.metric === 'span.errors';
  const perBucket = series.step_s / ANALYSIS_BUCKET_S;
  return {
    xs,
    lines: [{
      label: errors ? `errors per ${series.step_s} s` : `requests per ${series.step_s} s`,
      values: series.points.map((p) => (errors ? p.errors : p.count)),
      colorVar: errors ? '--series-2' : '--series-1',
      width: 2.5,
    }],
    unit: '',
    bandScale: a.quantity === 'count' ? perBucket : null,
    note,
  };
}

// OTLP metric series: `name` as is, or name plus a derived suffix (.rate,
// .p90, …) as analysis/metric_series.h makes them.
async function metricChartData(a: Anomaly, w: Window): Promise<ChartData> {
  const full = a.series.metric;
  const suffix = /\.(rate|p\d+(?:\.\d+)?)$/.exec(full);
  let points = await api.metrics({ name: full, service: a.series.service, from: iso(w.from), to: iso(w.to), limit: 10000 });
  let derived = '';
  if (points.length === 0 && suffix) {
    derived = suffix[1];
    points = await api.metrics({
      name: full.slice(0, -suffix[0].length),
      service: a.series.service,
      from: iso(w.from),
      to: iso(w.to),
      limit: 10000,
    });
  }
  // The stream the anomaly is about: its attributes, where the points have them.
  const want = Object.entries(a.series.attributes ?? {});
  points = points.filter((p) => want.every(([k, v]) => p.attributes?.[k] === undefined || String(p.attributes[k]) === v));
  const valueOf = (p: MetricPoint): number | null => {
    if (p.value !== undefined) return num(p.value);
    if (p.histogram && p.histogram.count > 0) return p.histogram.sum / p.histogram.count;
    if (p.summary && p.summary.count > 0) return p.summary.sum / p.summary.count;
    return null;
  };
  const times = points.map((p) => ms(p.time) / 1000);
  let values = points.map(valueOf);
  let label = 'value';
  let bandScale: number | null = derived === '' ? 1 : null;
  if (derived === 'rate') {
    // A monotonic cumulative sum (or count): per second between points.
    const counts = points.map((p) => (p.value !== undefined ? num(p.value) : (p.histogram?.count ?? p.summary?.count ?? NaN)));
    values = counts.map((c, i) => {
      if (i === 0) return null;
      const dt = times[i] - times[i - 1];
      const dc = c - counts[i - 1];
      return dt > 0 && dc >= 0 ? dc / dt : null;
    });
    label = 'per second';
    bandScale = 1;
  } else if (derived) {
    label = 'mean (the anomaly is about a quantile)';
  }
  return {
    xs: times,
    lines: [{ label, values, colorVar: '--series-1', width: 2.5 }],
    unit: a.unit,
    bandScale,
  };
}

// An anomaly's value in its unit; shares and ratios in percent.
function value(a: Anomaly, v: number | string): string {
  if ((a.quantity === 'slow_share' || a.quantity === 'error_ratio') && !a.unit) return formatPercent(num(v));
  return formatNumber(v, a.unit);
}

function anomalyCard(a: Anomaly, insight: Insight, w: Window): { card: HTMLElement; draw: () => Promise<void> } {
  const host = h('div', { class: 'chart-host' }, h('p', { class: 'muted loading' }, 'Loading the series…'));
  const where = [a.series.service, a.series.operation, a.series.attributes?.peer ? `→ ${a.series.attributes.peer}` : '']
    .filter(Boolean)
    .join(' · ');
  const card = h(
    'article',
    { class: `anomaly anomaly-${a.role ?? 'none'}`, attrs: { 'data-anomaly': a.id } },
    h('header', { class: 'anomaly-head' },
      h('span', { class: `badge role-badge role-${a.role ?? 'none'}` }, a.role ?? 'anomaly'),
      h('strong', null, where),
      h('span', { class: 'muted' }, ` ${a.series.metric} · ${a.quantity} · ${a.kind} ${a.direction} · ${a.detector}` +
        ` · score ${formatNumber(a.score)}`)),
    h('p', { class: 'explanation' }, a.explanation),
    a.role_reason ? h('p', { class: 'muted small' }, a.role_reason) : null,
    h('p', { class: 'values small' },
      `before ${value(a, a.values.before)} · observed ${value(a, a.values.observed)} · ` +
      `expected ${value(a, a.values.expected_low)}–${value(a, a.values.expected_high)} · ` +
      `onset ${formatTime(a.onset_time)}` + (a.end_time ? ` · ended ${formatTime(a.end_time)}` : ' · ongoing')),
    host,
  );
  const draw = async () => {
    const data = isSpanMetric(a.series.metric) ? await spanChartData(a, w) : await metricChartData(a, w);
    replace(host);
    if (data.xs.length === 0) {
      host.appendChild(h('p', { class: 'empty' }, 'No data stored for this series in the window.'));
      return;
    }
    const onset = ms(a.onset_time) / 1000;
    const end = a.end_time ? ms(a.end_time) / 1000 : w.to / 1000;
    const markers: Marker[] = [
      ...eventMarkers(insight),
      { time: onset, label: 'onset', kind: 'onset', title: `onset ${formatTime(a.onset_time)}` },
    ];
    if (a.end_time) markers.push({ time: end, label: 'end', kind: 'end', title: `ended ${formatTime(a.end_time)}` });
    const scale = data.bandScale;
    timeline(host, {
      xs: data.xs,
      lines: data.lines,
      unit: data.unit,
      markers,
      band: scale === null ? undefined : {
        low: num(a.values.expected_low) * scale,
        high: num(a.values.expected_high) * scale,
        from: onset,
        to: end,
        label: 'expected',
      },
      ariaLabel: `${a.series.metric} of ${where} from ${formatTime(iso(w.from))} to ${formatTime(iso(w.to))}`,
    });
    if (data.note) host.appendChild(h('p', { class: 'muted small' }, data.note));
  };
  return { card, draw };
}

function feedbackBar(insight: Insight): HTMLElement {
  const status = h('span', { class: 'feedback-status', attrs: { 'aria-live': 'polite' } });
  const buttons = new Map<FeedbackValue, HTMLButtonElement>();
  const show = (value: string | null, note = '') => {
    for (const [v, b] of buttons) b.setAttribute('aria-pressed', String(v === value));
    status.textContent = value ? `Your feedback: ${FEEDBACK_TEXT[value as FeedbackValue]?.[0] ?? value}${note}` : note;
  };
  for (const v of FEEDBACK_VALUES) {
    const [label, hint] = FEEDBACK_TEXT[v];
    const b = h('button', {
      class: 'feedback-button',
      title: hint,
      attrs: { type: 'button', 'data-feedback': v, 'aria-pressed': 'false' },
      on: {
        click: async () => {
          for (const x of buttons.values()) x.disabled = true;
          try {
            const updated = await api.putFeedback(insight.id, v);
            show(updated.feedback, ' (saved)');
          } catch (err) {
            show(insight.feedback, ` — not saved: ${err instanceof Error ? err.message : String(err)}`);
          } finally {
            for (const x of buttons.values()) x.disabled = false;
          }
        },
      },
    }, label);
    buttons.set(v, b);
  }
  const bar = h('div', { class: 'feedback', attrs: { role: 'group', 'aria-label': 'Feedback' } },
    h('span', { class: 'muted' }, 'Was this insight right?'), [...buttons.values()], status);
  show(insight.feedback);
  return bar;
}

function involvedGraph(insight: Insight, topo: Topology): HTMLElement {
  const involved = new Set<string>();
  const states = new Map<string, NodeState>();
  for (const a of insight.anomalies) {
    involved.add(a.series.service);
    if (a.series.attributes?.peer) involved.add(a.series.attributes.peer);
    if (!states.has(a.series.service)) states.set(a.series.service, 'anomalous');
  }
  const rc = insight.root_cause;
  if (rc?.service) {
    involved.add(rc.service);
    states.set(rc.dependency || rc.service, 'causal');
    if (rc.dependency) involved.add(rc.dependency);
  }
  const edges = topo.edges.filter((e) => involved.has(e.from) || involved.has(e.to));
  const names = new Set<string>([...edges.flatMap((e) => [e.from, e.to])]);
  for (const n of involved) names.add(n);
  const nodes = topo.nodes.filter((n) => names.has(n.name));
  // Involved services the window's graph does not list still get a box.
  for (const n of names) {
    if (!nodes.some((x) => x.name === n)) {
      nodes.push({ name: n, kind: 'service', traced: false, requests: 0, errors: 0, operations: [] });
    }
  }
  return h('div', { class: 'graph-wrap' },
    serviceGraph({ nodes, edges, states, ariaLabel: `Services involved in ${insight.name}` }),
    graphLegend(['causal', 'anomalous', 'error', 'warn', 'ok']),
    h('p', { class: 'muted small' }, `Calls from ${formatTime(topo.from)} to ${formatTime(topo.to)}.`));
}

export async function renderInsight(ctx: PageContext, id: string): Promise<void> {
  const insight = await api.insight(id);
  if (!ctx.current()) return;
  document.title = `${insight.name} · augur`;
  const w = chartWindow(insight);
  const anomalies = [...insight.anomalies].sort((a, b) =>
    (a.role === 'causal' ? 0 : 1) - (b.role === 'causal' ? 0 : 1) || ms(a.onset_time) - ms(b.onset_time));
  const shown = anomalies.slice(0, MAX_CHARTS);
  const cards = shown.map((a) => anomalyCard(a, insight, w));
  const graphHost = h('div', null, h('p', { class: 'muted loading' }, 'Loading the service graph…'));
  const rc = insight.root_cause;

  replace(
    ctx.root,
    h('p', { class: 'crumbs' }, h('a', { attrs: { href: '/', 'data-nav': true } }, '← Insights')),
    h('div', { class: 'insight-head' }, severityBadge(insight.severity), statusBadge(insight.status),
      insight.type === 'PROACTIVE' ? h('span', { class: 'tag' }, 'proactive') : null),
    h('h1', { class: 'insight-title' }, insight.name || insight.id),
    h('p', { class: 'muted meta' },
      `Started ${formatTime(insight.start_time)}` +
      (insight.end_time ? ` · ended ${formatTime(insight.end_time)}` : '') +
      ` · ${insightDuration(insight)} · detected ${formatTime(insight.detected_time)} · revision ${insight.revision}` +
      ` · ${insight.id}`),
    h('p', { class: 'summary' }, insight.summary),
    feedbackBar(insight),
    section('Root cause',
      rc && rc.service
        ? h('div', { class: 'root-cause' },
            h('p', { class: 'rc-where' }, rootCauseText(rc)),
            h('div', { class: 'confidence', title: 'This candidate’s share of the evidence among all candidates' },
              h('span', null, `confidence ${formatPercent(rc.confidence)}`),
              h('meter', { attrs: { min: 0, max: 1, value: rc.confidence } })),
            h('h3', null, 'Evidence'),
            h('ol', { class: 'evidence' }, rc.evidence.map((e) => h('li', null, e))))
        : h('p', { class: 'empty' }, 'augur has not placed a root cause.')),
    section('Timeline',
      h('p', { class: 'muted small' }, 'Each anomalous series around the insight; the shaded band is what augur ' +
        'expected from the onset on; vertical lines mark the related changes.'),
      ...cards.map((c) => c.card),
      anomalies.length > shown.length ? h('p', { class: 'muted' }, `${anomalies.length - shown.length} more anomalies not charted.`) : null),
    section('Services involved', graphHost),
    section('Related changes',
      insight.related_events.length
        ? h('div', { class: 'events' }, insight.related_events.map(eventDetails))
        : h('p', { class: 'empty' }, 'No change event relates to this insight.')),
    section('Log lines',
      insight.log_snippets.length
        ? h('ul', { class: 'logs' }, insight.log_snippets.map((l) =>
            h('li', { class: 'log-line' },
              h('span', { class: 'log-time' }, formatTime(l.time)),
              h('span', { class: `log-sev sev-text-${String(l.severity).toLowerCase()}` }, l.severity),
              h('span', { class: 'log-service' }, l.service),
              h('code', { class: 'log-body' }, bodyText(l.body)),
              l.reason ? h('span', { class: 'log-reason muted small' }, l.reason) : null)))
        : h('p', { class: 'empty' }, 'No log lines were picked for this insight.')),
    section('Recommendations',
      insight.recommendations.length
        ? h('ol', { class: 'recommendations' }, insight.recommendations.map((r) =>
            h('li', null, h('strong', null, r.name), r.description ? h('p', null, r.description) : null,
              r.reason ? h('p', { class: 'muted small' }, `Why: ${r.reason}`) : null)))
        : h('p', { class: 'empty' }, 'No recommendation.')),
  );

  // Charts and the graph load after the page is laid out (they need widths).
  await Promise.all([
    ...cards.map(async (c) => {
      try {
        await c.draw();
      } catch (err) {
        const host = c.card.querySelector('.chart-host');
        if (host) replace(host, h('p', { class: 'error-text' }, `Could not chart this series: ${err instanceof Error ? err.message : String(err)}`));
      }
    }),
    (async () => {
      try {
        let topo = await api.topology({ from: iso(ms(insight.start_time) - 5 * 60_000), to: iso(insightEnd(insight) + 5 * 60_000) });
        if (topo.nodes.length === 0) topo = await api.topology({});
        if (!ctx.current()) return;
        replace(graphHost, involvedGraph(insight, topo));
      } catch (err) {
        replace(graphHost, h('p', { class: 'error-text' }, `Could not load the service graph: ${err instanceof Error ? err.message : String(err)}`));
      }
    })(),
  ]);
}
