// Change events (deployments, configuration changes …), posted by deploy
// tools or inferred by augur from service.version, newest first.
import { api } from '../api';
import { h, replace } from '../dom';
import { rangeFrom } from '../format';
import type { PageContext } from '../main';
import { eventDetails } from './common';

const LIMIT = 1000;

export async function renderEvents(ctx: PageContext): Promise<void> {
  const service = ctx.query.get('service') ?? '';
  const range = ctx.query.get('range') ?? '30d';
  const type = ctx.query.get('type') ?? '';
  const [events, services] = await Promise.all([
    api.events({ service, from: rangeFrom(range), limit: LIMIT }),
    api.services().catch(() => []),
  ]);
  if (!ctx.current()) return;
  const shown = events.filter((e) => !type || e.type === type).reverse();
  const filters = { service, range, type };
  const choose = (name: keyof typeof filters, label: string, options: [string, string][]) => {
    const el = h('select', { attrs: { name, 'aria-label': label },
      on: { change: () => ctx.setQuery({ ...filters, [name]: el.value }) } },
      options.map(([v, t]) => h('option', { attrs: { value: v, selected: v === filters[name] } }, t)));
    return h('label', { class: 'filter' }, h('span', null, label), el);
  };
  const names = [...new Set([...services.map((s) => s.name), ...(service ? [service] : [])])].sort();
  replace(
    ctx.root,
    h('h1', null, 'Events'),
    h('p', { class: 'lead muted' }, 'Changes augur relates anomalies to: posted by deploy tools (POST /api/v1/events, ' +
      'augur event deploy) or inferred from a new service.version in telemetry.'),
    h('form', { class: 'filters', on: { submit: (e) => e.preventDefault() } },
      choose('service', 'Service', [['', 'All services'], ...names.map((n): [string, string] => [n, n])]),
      choose('type', 'Type', [['', 'Any'], ...['DEPLOYMENT', 'CONFIG_CHANGE', 'INFRASTRUCTURE', 'SECURITY_CHANGE',
        'SCHEMA_CHANGE'].map((t): [string, string] => [t, t.toLowerCase().replace(/_/g, ' ')])]),
      choose('range', 'Time range', [['24h', 'Last 24 hours'], ['7d', 'Last 7 days'], ['30d', 'Last 30 days'],
        ['', 'All time']])),
    shown.length
      ? h('div', { class: 'events card' }, shown.map(eventDetails))
      : h('p', { class: 'empty' }, 'No change events in this window.'),
    events.length >= LIMIT ? h('p', { class: 'muted' }, `Showing the first ${LIMIT} events of the window; narrow it to see later ones.`) : null,
  );
}
