// The service graph as SVG: callers on the left, what they call to the
// right (layers by longest call path), edges labelled with calls, p90
// latency and errors, nodes coloured by health. Built with DOM calls only.
import type { TopologyEdge, TopologyNode } from './api';
import { h, s } from './dom';
import { formatNumber, formatPercent } from './format';

export type NodeState = 'causal' | 'anomalous' | 'error' | 'warn' | 'ok' | 'idle';

export interface GraphInput {
  nodes: TopologyNode[];
  edges: TopologyEdge[];
  // The state of a node by name; absent: derived from its error ratio.
  states?: Map<string, NodeState>;
  ariaLabel: string;
}

const NODE_W = 180;
const NODE_H = 54;
const COL_GAP = 170;
const ROW_GAP = 30;
const PAD = 16;

interface PairEdge {
  from: string;
  to: string;
  calls: number;
  errors: number;
  p90: number;
  operations: string[];
}

function errorRatio(requests: number, errors: number): number {
  return requests > 0 ? errors / requests : 0;
}

// A node's health from its error ratio: its own requests, or for a
// dependency that sends no spans (a database), the calls made to it.
export function healthOf(node: TopologyNode, edges: TopologyEdge[] = []): NodeState {
  let { requests, errors } = node;
  if (!node.traced) {
    for (const e of edges) {
      if (e.to !== node.name) continue;
      requests += e.calls;
      errors += e.errors;
    }
  }
  if (requests === 0) return 'idle';
  const r = errorRatio(requests, errors);
  if (r >= 0.05) return 'error';
  if (r >= 0.01) return 'warn';
  return 'ok';
}

// Edges merged per (from, to): the graph shows who calls whom; the
// operations are in the edge's tooltip.
function pairEdges(edges: TopologyEdge[]): PairEdge[] {
  const byPair = new Map<string, PairEdge>();
  for (const e of edges) {
    const key = `${e.from}\u0000${e.to}`;
    const p = byPair.get(key) ?? { from: e.from, to: e.to, calls: 0, errors: 0, p90: 0, operations: [] };
    p.calls += e.calls;
    p.errors += e.errors;
    p.p90 = Math.max(p.p90, e.latency_ms?.p90 ?? 0);
    if (e.operation && !p.operations.includes(e.operation)) p.operations.push(e.operation);
    byPair.set(key, p);
  }
  return [...byPair.values()];
}

// Layer of each node: 0 for nodes nobody calls, else 1 + the deepest caller
// (cycles are cut where they close).
function layers(names: string[], edges: PairEdge[]): Map<string, number> {
  const callers = new Map<string, string[]>();
  for (const e of edges) {
    if (e.from === e.to) continue;
    callers.set(e.to, [...(callers.get(e.to) ?? []), e.from]);
  }
  const layer = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (n: string): number => {
    const known = layer.get(n);
    if (known !== undefined) return known;
    if (visiting.has(n)) return 0;
    visiting.add(n);
    let d = 0;
    for (const c of callers.get(n) ?? []) d = Math.max(d, depth(c) + 1);
    visiting.delete(n);
    layer.set(n, d);
    return d;
  };
  for (const n of names) depth(n);
  return layer;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function serviceGraph(input: GraphInput): SVGSVGElement | HTMLElement {
  const { nodes } = input;
  if (nodes.length === 0) return h('p', { class: 'empty' }, 'No calls between services in this window.');
  const edges = pairEdges(input.edges);
  const names = nodes.map((n) => n.name);
  const layer = layers(names, edges);
  const columns: string[][] = [];
  for (const n of [...names].sort()) {
    const l = layer.get(n) ?? 0;
    (columns[l] ??= []).push(n);
  }
  const pos = new Map<string, { x: number; y: number }>();
  const rows = Math.max(...columns.map((c) => c?.length ?? 0));
  const height = PAD * 2 + rows * NODE_H + (rows - 1) * ROW_GAP;
  columns.forEach((col, ci) => {
    const colHeight = col.length * NODE_H + (col.length - 1) * ROW_GAP;
    const top = (height - colHeight) / 2;
    col.forEach((n, ri) => pos.set(n, { x: PAD + ci * (NODE_W + COL_GAP), y: top + ri * (NODE_H + ROW_GAP) }));
  });
  const width = PAD * 2 + columns.length * NODE_W + (columns.length - 1) * COL_GAP;

  const svg = s('svg', {
    class: 'service-graph',
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: 'img',
    'aria-label': input.ariaLabel,
  });
  svg.appendChild(
    s('defs', {}, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7,
      orient: 'auto-start-reverse' }, s('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow-head' }))),
  );

  const outgoing = new Map<string, number>();
  const incoming = new Map<string, number>();
  for (const e of edges) {
    outgoing.set(e.from, (outgoing.get(e.from) ?? 0) + 1);
    incoming.set(e.to, (incoming.get(e.to) ?? 0) + 1);
  }
  for (const e of edges) {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    if (!a || !b) continue;
    const x1 = a.x + NODE_W;
    const y1 = a.y + NODE_H / 2;
    const x2 = b.x;
    const y2 = b.y + NODE_H / 2;
    const back = x2 <= x1;
    const c1 = { x: x1 + COL_GAP / 2, y: y1 };
    const c2 = { x: x2 - COL_GAP / 2, y: y2 };
    const d = back
      ? `M ${a.x + NODE_W / 2} ${a.y + NODE_H} C ${a.x + NODE_W / 2} ${a.y + NODE_H + 60}, ${b.x + NODE_W / 2} ${b.y + NODE_H + 60}, ${b.x + NODE_W / 2} ${b.y + NODE_H}`
      : `M ${x1} ${y1} C ${c1.x} ${c1.y}, ${c2.x} ${c2.y}, ${x2} ${y2}`;
    // The label sits on the curve away from where edges bunch: nearer the
    // callee when its caller fans out, nearer the caller when several
    // callers converge on the callee.
    const t = (incoming.get(e.to) ?? 0) > (outgoing.get(e.from) ?? 0) ? 0.3 : 0.62;
    const bez = (p0: number, p1: number, p2: number, p3: number) =>
      (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t ** 2 * p2 + t ** 3 * p3;
    const lx = bez(x1, c1.x, c2.x, x2);
    const ly = bez(y1, c1.y, c2.y, y2);
    const ratio = errorRatio(e.calls, e.errors);
    const cls = ratio >= 0.05 ? 'edge edge-error' : ratio >= 0.01 ? 'edge edge-warn' : 'edge';
    const label = `${formatNumber(e.calls)} calls` + (e.errors ? ` · ${formatPercent(ratio)} err` : '');
    const latency = `p90 ${formatNumber(e.p90, 'ms')}`;
    const g = s('g', { class: cls, 'data-from': e.from, 'data-to': e.to },
      s('title', {}, `${e.from} → ${e.to}\n${e.operations.join('\n')}\n${label} · ${latency}`),
      s('path', { d, 'marker-end': 'url(#arrow)' }),
      back ? null : s('text', { x: lx, y: ly - 19, 'text-anchor': 'middle', class: 'edge-label' },
        s('tspan', { x: lx, dy: 0 }, label), s('tspan', { x: lx, dy: 13 }, latency)),
    );
    svg.appendChild(g);
  }

  for (const n of nodes) {
    const p = pos.get(n.name);
    if (!p) continue;
    const state = input.states?.get(n.name) ?? healthOf(n, input.edges);
    const sub = n.traced
      ? `${formatNumber(n.requests)} req` + (n.errors ? ` · ${formatPercent(errorRatio(n.requests, n.errors))} err` : '')
      : `${n.kind} · not traced`;
    svg.appendChild(
      s('g', { class: `node node-${state} kind-${n.kind}`, 'data-node': n.name, transform: `translate(${p.x} ${p.y})` },
        s('title', {}, `${n.name} (${n.kind})\n${n.requests} requests, ${n.errors} errors`),
        s('rect', { width: NODE_W, height: NODE_H, rx: n.kind === 'service' ? 8 : 24 }),
        s('text', { x: NODE_W / 2, y: 22, 'text-anchor': 'middle', class: 'node-name' }, truncate(n.name, 24)),
        s('text', { x: NODE_W / 2, y: 41, 'text-anchor': 'middle', class: 'node-sub' }, sub),
      ),
    );
  }
  return svg;
}

export function graphLegend(states: NodeState[]): HTMLElement {
  const text: Record<NodeState, string> = {
    causal: 'root cause',
    anomalous: 'anomalous',
    error: '≥ 5 % errors',
    warn: '≥ 1 % errors',
    ok: 'healthy',
    idle: 'no calls',
  };
  return h('ul', { class: 'legend' }, states.map((st) => h('li', null, h('span', { class: `swatch node-${st}` }), text[st])));
}
