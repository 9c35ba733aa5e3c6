// Small pieces shared by the pages.
import type { ChangeEvent } from '../api';
import { h } from '../dom';
import { formatTime } from '../format';

export function severityBadge(severity: string): HTMLElement {
  const known = ['HIGH', 'MEDIUM', 'LOW'].includes(severity) ? severity.toLowerCase() : 'unknown';
  return h('span', { class: `badge sev-${known}` }, severity || '?');
}

export function statusBadge(status: string): HTMLElement {
  const s = status.toUpperCase();
  return h('span', { class: `badge status-${s === 'ONGOING' ? 'ongoing' : 'closed'}` }, s.toLowerCase() || '?');
}

export function section(title: string, ...children: (Node | string | null)[]): HTMLElement {
  return h('section', { class: 'card' }, h('h2', null, title), ...children);
}

// "deployment v2 of writer (was v1)".
export function eventTitle(e: ChangeEvent): string {
  const type = e.type.toLowerCase().replace(/_/g, ' ');
  const version = e.version ? ` ${e.version}` : '';
  const previous = e.previous_version ? ` (was ${e.previous_version})` : '';
  return `${type}${version} of ${e.service}${previous}`;
}

// One change event: what changed, when, from where, with its config diff.
export function eventDetails(e: ChangeEvent): HTMLElement {
  const changes = e.changes ?? [];
  return h(
    'div',
    { class: 'event', attrs: { 'data-event': e.id } },
    h('div', { class: 'event-head' }, h('span', { class: 'badge event-type' }, e.type), ' ',
      h('strong', null, eventTitle(e)), h('span', { class: 'muted' }, ` · ${formatTime(e.time)}`)),
    e.description ? h('p', null, e.description) : null,
    changes.length
      ? h(
          'table',
          { class: 'diff' },
          h('thead', null, h('tr', null, h('th', null, 'Setting'), h('th', null, 'Before'), h('th', null, 'After'))),
          h('tbody', null, changes.map((c) =>
            h('tr', null, h('td', null, h('code', null, c.key)), h('td', { class: 'old' }, c.old ?? '—'),
              h('td', { class: 'new' }, c.new ?? '—')))),
        )
      : null,
    h('p', { class: 'muted small' }, `id ${e.id} · source ${[e.source, ...(e.sources ?? [])].filter((v, i, a) =>
      v && a.indexOf(v) === i).join(', ')}`),
  );
}
