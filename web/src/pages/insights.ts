// Insights list: severity, status, title, start, duration, root cause, with
// filters (status, severity, service, time range) and the order (newest
// first, or the API's order of attention) kept in the URL.
import { api, type InsightSummary, type RootCause } from '../api';
import { h, link, replace } from '../dom';
import { formatDuration, formatTime, ms, rangeFrom } from '../format';
import type { PageContext } from '../main';
import { severityBadge, statusBadge } from './common';

const RANGES: [string, string][] = [
  ['', 'All time'],
  ['1h', 'Last hour'],
  ['6h', 'Last 6 hours'],
  ['24h', 'Last 24 hours'],
  ['7d', 'Last 7 days'],
  ['30d', 'Last 30 days'],
];

// The list's orders: '' is the API's default (newest start first), so the
// URL carries `order` only when it differs; `attention` is the order to look
// at them, src/insight/priority.h in one line.
const ORDERS: [string, string][] = [
  ['', 'Newest first'],
  ['attention', 'Attend first'],
];
const ATTENTION_HINT = 'Attend first: the strongest anomaly first, then severity and reach.';

function select(name: string, label: string, value: string, options: [string, string][], onChange: (v: string) => void,
  hint?: string) {
  const el = h(
    'select',
    { attrs: { name, 'aria-label': label }, on: { change: () => onChange(el.value) } },
    options.map(([v, text]) => h('option', { attrs: { value: v, selected: v === value } }, text)),
  );
  return h('label', { class: 'filter', title: hint }, h('span', null, label), el);
}

export function rootCauseText(rc: RootCause | null): string {
  if (!rc || !rc.service) return '—';
  const where = [rc.service, rc.operation, rc.dependency ? `→ ${rc.dependency}` : ''].filter(Boolean).join(' · ');
  return rc.kind ? `${where} (${rc.kind})` : where;
}

// When an insight ended; while it is ongoing, now (the wall clock, capped
// at 6 h after its start so a stale one does not stretch every chart).
export function insightEnd(i: InsightSummary): number {
  if (i.end_time) return ms(i.end_time);
  const start = ms(i.start_time);
  return Math.max(ms(i.updated_time), Math.min(Date.now(), start + 6 * 3600_000));
}

export function insightDuration(i: InsightSummary): string {
  if (i.end_time) return formatDuration(ms(i.end_time) - ms(i.start_time));
  return `ongoing, ${formatDuration(Date.now() - ms(i.start_time))} so far`;
}

export async function renderInsights(ctx: PageContext): Promise<void> {
  const q = ctx.query;
  const status = q.get('status') ?? '';
  const severity = q.get('severity') ?? '';
  const service = q.get('service') ?? '';
  const range = q.get('range') ?? '';
  // An unknown order in a hand-edited URL falls back to the default rather
  // than to the API's 400.
  const order = q.get('order') === 'attention' ? 'attention' : '';
  const filters = { status, severity, service, range, order };
  const set = (k: keyof typeof filters) => (v: string) => ctx.setQuery({ ...filters, [k]: v });

  const [insights, services] = await Promise.all([
    api.insights({ status, service, from: rangeFrom(range), limit: 500, order: order || undefined }),
    api.services().catch(() => []),
  ]);
  if (!ctx.current()) return;
  const shown = insights.filter((i) => !severity || i.severity === severity);

  const serviceNames = [...new Set([...services.map((s) => s.name), ...(service ? [service] : [])])].sort();
  const bar = h(
    'form',
    { class: 'filters', attrs: { role: 'search' }, on: { submit: (e) => e.preventDefault() } },
    select('status', 'Status', status, [['', 'Any'], ['ONGOING', 'Ongoing'], ['CLOSED', 'Closed']], set('status')),
    select('severity', 'Severity', severity, [['', 'Any'], ['HIGH', 'High'], ['MEDIUM', 'Medium'], ['LOW', 'Low']],
      set('severity')),
    select('service', 'Service', service, [['', 'All services'], ...serviceNames.map((n): [string, string] => [n, n])],
      set('service')),
    select('range', 'Time range', range, RANGES, set('range')),
    select('order', 'Order', order, ORDERS, set('order'), ATTENTION_HINT),
  );

  const rows = shown.map((i) =>
    h(
      'tr',
      { attrs: { 'data-insight': i.id } },
      h('td', null, severityBadge(i.severity)),
      h('td', null, statusBadge(i.status)),
      h('td', { class: 'title-cell' }, link(['insights', i.id], {}, i.name || i.id),
        i.type === 'PROACTIVE' ? h('span', { class: 'tag' }, 'proactive') : null),
      h('td', { class: 'nowrap' }, formatTime(i.start_time)),
      h('td', { class: 'nowrap' }, insightDuration(i)),
      h('td', null, rootCauseText(i.root_cause)),
    ),
  );

  replace(
    ctx.root,
    h('h1', null, 'Insights'),
    h('p', { class: 'lead muted' }, 'Incidents augur explained: anomalies that belong together, their most probable cause ' +
      'and the changes that preceded them. ',
      h('span', { class: 'order-hint' }, order ? ATTENTION_HINT : 'Newest first.')),
    bar,
    shown.length
      ? h(
          'table',
          { class: 'list insights-table' },
          h('thead', null, h('tr', null, ['Severity', 'Status', 'Insight', 'Start', 'Duration', 'Root cause'].map((t) =>
            h('th', { attrs: { scope: 'col' } }, t)))),
          h('tbody', null, rows),
        )
      : h('p', { class: 'empty' }, insights.length ? 'No insight matches these filters.' :
          'No insights yet. augur opens one when anomalies it finds belong to one incident.'),
    insights.length >= 500 ? h('p', { class: 'muted' }, 'Showing the newest 500; narrow the time range to see older ones.') : null,
  );
}
