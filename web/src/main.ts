// The console's shell: header, routing (History API; augur answers every
// console path with index.html), the bearer-token prompt and page errors.
import './style.css';
import 'uplot/dist/uPlot.min.css';
import { ApiError, setTokenPrompt, storeToken, storedToken } from './api';
import { h, replace } from './dom';
import { timeZoneLabel } from './format';
import { renderEvents } from './pages/events';
import { renderInsight } from './pages/insight';
import { renderInsights } from './pages/insights';
import { renderServices } from './pages/services';

export interface PageContext {
  // The page's own container; a newer navigation replaces it.
  root: HTMLElement;
  query: URLSearchParams;
  // Whether this page is still the one shown (async work checks it).
  current: () => boolean;
  // Changes the query string of this page (filters) and renders again.
  setQuery: (q: Record<string, string>) => void;
}

interface Route {
  pattern: RegExp;
  nav: string;
  render: (ctx: PageContext, ...params: string[]) => Promise<void>;
}

const routes: Route[] = [
  { pattern: /^\/(?:insights\/?)?$/, nav: 'insights', render: renderInsights },
  { pattern: /^\/insights\/([^/]+)\/?$/, nav: 'insights', render: renderInsight },
  { pattern: /^\/services\/?$/, nav: 'services', render: renderServices },
  { pattern: /^\/events\/?$/, nav: 'events', render: renderEvents },
];

const navItems: [string, string, string][] = [
  ['insights', '/', 'Insights'],
  ['services', '/services', 'Services'],
  ['events', '/events', 'Events'],
];

let generation = 0;
const main = h('main', { attrs: { id: 'main' } });
const nav = h('nav', { class: 'nav', attrs: { 'aria-label': 'Sections' } });
const tokenArea = h('div', { class: 'token-area' });

function renderTokenArea(): void {
  if (!storedToken()) {
    replace(tokenArea);
    return;
  }
  replace(
    tokenArea,
    h('span', { class: 'muted' }, 'token set'),
    h(
      'button',
      {
        class: 'link-button',
        attrs: { type: 'button' },
        on: {
          click: () => {
            storeToken('');
            renderTokenArea();
          },
        },
      },
      'forget',
    ),
  );
}

export function navigate(path: string, replaceState = false): void {
  if (replaceState) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  void render();
}

async function render(): Promise<void> {
  const mine = ++generation;
  const path = location.pathname;
  const query = new URLSearchParams(location.search);
  const route = routes.find((r) => r.pattern.test(path));
  for (const a of nav.querySelectorAll('a')) {
    a.classList.toggle('active', a.dataset.section === route?.nav);
  }
  const root = h('div', { class: 'page' });
  replace(main, root);
  window.scrollTo(0, 0);
  if (!route) {
    replace(root, h('h1', null, 'Not found'), h('p', null, 'No console page at ', h('code', null, path), '.'));
    return;
  }
  const params = (route.pattern.exec(path) ?? []).slice(1).map((p) => decodeURIComponent(p));
  const ctx: PageContext = {
    root,
    query,
    current: () => mine === generation,
    setQuery: (q) => {
      const next = new URLSearchParams(Object.entries(q).filter(([, v]) => v !== ''));
      const qs = next.toString();
      navigate(qs ? `${path}?${qs}` : path, true);
    },
  };
  replace(root, h('p', { class: 'muted loading' }, 'Loading…'));
  try {
    await route.render(ctx, ...params);
  } catch (err) {
    if (!ctx.current()) return;
    showError(root, err);
  }
  renderTokenArea();
}

export function showError(root: HTMLElement, err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  const hint =
    err instanceof ApiError && err.status === 401
      ? 'A bearer token is needed to read this augur.'
      : err instanceof TypeError
        ? 'augur did not answer; is it running?'
        : '';
  replace(
    root,
    h('div', { class: 'error-box', attrs: { role: 'alert' } }, h('strong', null, 'Could not load this page. '), message,
      hint ? h('p', null, hint) : null,
      h('button', { attrs: { type: 'button' }, on: { click: () => void render() } }, 'Retry')),
  );
}

// The token dialog: resolves with what the user typed, rejects on cancel.
function promptForToken(reason: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const input = h('input', {
      attrs: { type: 'password', name: 'token', autocomplete: 'off', required: true, 'aria-label': 'Bearer token' },
    });
    const dialog = h(
      'dialog',
      { class: 'token-dialog' },
      h(
        'form',
        { attrs: { method: 'dialog' } },
        h('h2', null, 'Bearer token'),
        h('p', null, reason, ' It is kept in this tab only (sessionStorage).'),
        input,
        h(
          'div',
          { class: 'dialog-buttons' },
          h('button', { attrs: { type: 'submit', value: 'ok' } }, 'Use token'),
          h('button', { attrs: { type: 'submit', value: 'cancel', formnovalidate: true } }, 'Cancel'),
        ),
      ),
    );
    dialog.addEventListener('close', () => {
      const value = input.value.trim();
      dialog.remove();
      if (dialog.returnValue === 'ok' && value) resolve(value);
      else reject(new ApiError(401, 'a bearer token is required (none given)'));
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    input.focus();
  });
}

function start(): void {
  for (const [section, href, label] of navItems) {
    nav.appendChild(h('a', { attrs: { href, 'data-nav': true, 'data-section': section } }, label));
  }
  const header = h(
    'header',
    { class: 'top' },
    h('a', { class: 'brand', attrs: { href: '/', 'data-nav': true } }, 'augur'),
    nav,
    tokenArea,
  );
  const footer = h('footer', { class: 'muted' }, `Times in your time zone (${timeZoneLabel()}).`);
  document.body.append(header, main, footer);
  setTokenPrompt(promptForToken);

  document.addEventListener('click', (ev) => {
    if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    const a = (ev.target as Element | null)?.closest?.('a[data-nav]');
    if (!(a instanceof HTMLAnchorElement) || a.origin !== location.origin) return;
    ev.preventDefault();
    if (a.pathname + a.search !== location.pathname + location.search) navigate(a.pathname + a.search);
  });
  window.addEventListener('popstate', () => void render());
  void render();
}

start();
