// The service map: every service and dependency with its calls over the
// topology's window, coloured by health (ongoing anomalies first, then the
// error ratio), and the same as a table.
import { api, type TopologyNode } from '../api';
import { h, link, replace } from '../dom';
import { formatNumber, formatPercent, formatTime } from '../format';
import { graphLegend, healthOf, serviceGraph, type NodeState } from '../graph';
import type { PageContext } from '../main';
import { section } from './common';

// The p90 self time of the node's slowest entry operation: where a service
// itself spends time (downstream time is its dependencies').
function selfP90(node: TopologyNode): number {
  const entry = node.operations.filter((o) => o.span_kind === 'SERVER' || o.span_kind === 'CONSUMER');
  return Math.max(0, ...entry.map((o) => o.self_ms.p90));
}

export async function renderServices(ctx: PageContext): Promise<void> {
  const [topo, ongoing, services] = await Promise.all([
    api.topology({}),
    api.anomalies({ status: 'ongoing', limit: 1000 }),
    api.services(),
  ]);
  if (!ctx.current()) return;
  const anomaliesBy = new Map<string, number>();
  for (const a of ongoing) {
    anomaliesBy.set(a.series.service, (anomaliesBy.get(a.series.service) ?? 0) + 1);
    const peer = a.series.attributes?.peer;
    if (peer) anomaliesBy.set(peer, (anomaliesBy.get(peer) ?? 0) + 1);
  }
  const states = new Map<string, NodeState>();
  for (const n of topo.nodes) states.set(n.name, anomaliesBy.has(n.name) ? 'anomalous' : healthOf(n, topo.edges));
  const versions = new Map(services.map((s) => [s.name, [...new Set(s.resources.map((r) =>
    r.attributes['service.version']).filter((v) => v !== undefined).map(String))]]));
  const lastSeen = new Map(services.map((s) => [s.name, s.last_seen]));

  // Services that sent telemetry but made no call in the window still get a row.
  const inGraph = new Set(topo.nodes.map((n) => n.name));
  const quiet: TopologyNode[] = services.filter((s) => !inGraph.has(s.name)).map((s) =>
    ({ name: s.name, kind: 'service', traced: false, requests: 0, errors: 0, operations: [] }));
  for (const n of quiet) states.set(n.name, anomaliesBy.has(n.name) ? 'anomalous' : 'idle');
  const rows = [...topo.nodes, ...quiet]
    .sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'service' ? -1 : 1))
    .map((n) => {
      const state = states.get(n.name) ?? 'ok';
      const ongoingCount = anomaliesBy.get(n.name) ?? 0;
      return h('tr', { attrs: { 'data-service': n.name } },
        h('td', null, h('span', { class: `swatch node-${state}` }), ' ', n.name),
        h('td', null, n.kind),
        h('td', { class: 'num' }, n.traced ? formatNumber(n.requests) : '—'),
        h('td', { class: 'num' }, n.traced && n.requests ? formatPercent(n.errors / n.requests) : '—'),
        h('td', { class: 'num' }, n.traced ? formatNumber(selfP90(n), 'ms') : '—'),
        h('td', null, ongoingCount ? link([''], { service: n.name, status: 'ONGOING' }, `${ongoingCount} ongoing`) : '—'),
        h('td', null, (versions.get(n.name) ?? []).join(', ') || '—'),
        h('td', { class: 'nowrap' }, formatTime(lastSeen.get(n.name))));
    });

  replace(
    ctx.root,
    h('h1', null, 'Services'),
    h('p', { class: 'lead muted' }, `Calls between services and their dependencies from ${formatTime(topo.from)} to ` +
      `${formatTime(topo.to)} (telemetry time). A service with an ongoing anomaly is marked anomalous; the others are ` +
      'coloured by their share of errors.'),
    section('Service map',
      h('div', { class: 'graph-wrap' },
        serviceGraph({ nodes: topo.nodes, edges: topo.edges, states, ariaLabel: 'Service map' }),
        graphLegend(['anomalous', 'error', 'warn', 'ok', 'idle']))),
    section('All services',
      rows.length
        ? h('table', { class: 'list services-table' },
            h('thead', null, h('tr', null, ['Name', 'Kind', 'Requests', 'Errors', 'p90 self time',
              'Anomalies', 'Versions', 'Last seen'].map((t) => h('th', { attrs: { scope: 'col' } }, t)))),
            h('tbody', null, rows))
        : h('p', { class: 'empty' }, 'No traced calls in this window yet.')),
  );
}
