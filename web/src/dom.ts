// Building the page from data without ever parsing it as HTML.
//
// Everything the console shows (service and operation names, log lines,
// attributes, event descriptions) comes from telemetry or API clients and is
// untrusted. It only ever reaches the page as text nodes or as attribute
// values set through the DOM; no code here or elsewhere in the console uses
// innerHTML, outerHTML, insertAdjacentHTML or document.write.

export type Child = Node | string | number | null | undefined | false | Child[];

export interface Props {
  class?: string;
  title?: string;
  // Attributes set with setAttribute (values are never interpreted as markup;
  // callers build URLs with link() below).
  attrs?: Record<string, string | number | boolean | undefined>;
  on?: { [K in keyof HTMLElementEventMap]?: (ev: HTMLElementEventMap[K]) => void };
}

function append(parent: Node, child: Child): void {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) {
    for (const c of child) append(parent, c);
  } else if (child instanceof Node) {
    parent.appendChild(child);
  } else {
    parent.appendChild(document.createTextNode(String(child)));
  }
}

function setAttrs(el: Element, attrs: Props['attrs']): void {
  if (!attrs) return;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    // Event-handler attributes would run their value as script.
    if (/^on/i.test(k)) throw new Error(`refusing to set attribute ${k}`);
    el.setAttribute(k, v === true ? '' : String(v));
  }
}

// An HTML element: h('td', {class: 'num'}, count).
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) {
    if (props.class) el.className = props.class;
    if (props.title) el.title = props.title;
    setAttrs(el, props.attrs);
    if (props.on) {
      for (const [type, fn] of Object.entries(props.on)) el.addEventListener(type, fn as EventListener);
    }
  }
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

// An SVG element: s('circle', {cx: 3, cy: 4, r: 2}).
export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Props['attrs'] = {},
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

export function replace(el: Element, ...children: Child[]): void {
  clear(el);
  append(el, children);
}

// A link inside the console: the path is built from fixed parts and
// encoded values, so data can never make it a javascript: URL.
export function link(parts: string[], query: Record<string, string> = {}, ...children: Child[]): HTMLAnchorElement {
  const a = h('a', { attrs: { href: consolePath(parts, query), 'data-nav': true } }, ...children);
  return a;
}

export function consolePath(parts: string[], query: Record<string, string> = {}): string {
  const path = '/' + parts.map(encodeURIComponent).join('/');
  const q = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== ''));
  const qs = q.toString();
  return qs ? `${path}?${qs}` : path;
}
