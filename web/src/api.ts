// augur's REST API (docs/api.md) as the console uses it, with the bearer
// token: kept in sessionStorage (gone when the tab closes), asked for when
// the API answers 401.

export interface SeriesKey {
  metric: string;
  service: string;
  operation: string;
  attributes: Record<string, string>;
}

export interface AnomalyValues {
  before: number | string;
  observed: number | string;
  expected_low: number | string;
  expected_high: number | string;
}

export interface Anomaly {
  id: string;
  series: SeriesKey;
  kind: string;
  direction: string;
  quantity: string;
  unit: string;
  detector: string;
  status: string;
  onset_time: string;
  detected_time: string;
  end_time: string | null;
  updated_time: string;
  values: AnomalyValues;
  score: number | string;
  forecast?: { limit: number | string; predicted_time: string };
  explanation: string;
  role?: string;
  role_reason?: string;
}

export interface ConfigChange {
  key: string;
  old?: string;
  new?: string;
}

export interface ChangeEvent {
  id: string;
  type: string;
  service: string;
  time: string;
  version?: string;
  previous_version?: string;
  source?: string;
  sources?: string[];
  description?: string;
  changes?: ConfigChange[];
}

export interface RootCause {
  service: string;
  operation: string;
  dependency: string;
  kind: string;
  confidence: number;
  evidence: string[];
}

export interface Recommendation {
  name: string;
  description: string;
  reason: string;
  related_events?: string[];
  related_anomalies?: string[];
}

export interface LogSnippet {
  time: string;
  service: string;
  severity: string;
  body: unknown;
  trace_id?: string;
  template_id?: string;
  reason?: string;
}

export interface InsightSummary {
  id: string;
  name: string;
  type: string;
  severity: string;
  status: string;
  start_time: string;
  end_time: string | null;
  detected_time: string;
  updated_time: string;
  revision: number;
  root_cause: RootCause | null;
  summary: string;
  recommendations: Recommendation[];
  feedback: string | null;
  anomaly_count?: number;
  causal_anomaly_count?: number;
  related_event_ids?: string[];
}

export interface Insight extends InsightSummary {
  anomalies: Anomaly[];
  related_events: ChangeEvent[];
  log_snippets: LogSnippet[];
}

export interface Latency {
  p50: number;
  p90: number;
  p99: number;
  mean: number;
}

export interface TopologyNode {
  name: string;
  kind: string;
  traced: boolean;
  requests: number;
  errors: number;
  operations: {
    name: string;
    span_kind: string;
    count: number;
    errors: number;
    error_origins: number;
    self_ms: Latency;
    downstream_ms: Latency;
  }[];
}

export interface TopologyEdge {
  from: string;
  to: string;
  to_kind: string;
  operation: string;
  calls: number;
  errors: number;
  latency_ms: Latency;
  total: { calls: number; errors: number; latency_ms: Latency };
}

export interface Topology {
  from: string;
  to: string;
  watermark: string;
  resolution_s: number;
  nodes: TopologyNode[];
  edges: TopologyEdge[];
}

export interface Service {
  name: string;
  first_seen: string;
  last_seen: string;
  resources: { attributes: Record<string, unknown>; first_seen: string; last_seen: string }[];
}

export interface SeriesPoint {
  time: string;
  count: number;
  errors: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

export interface Series {
  step_s: number;
  points: SeriesPoint[];
  truncated: boolean;
  complete_to: string;
  spans_read: number;
}

export interface MetricPoint {
  service: string;
  name: string;
  unit: string;
  type: string;
  time: string;
  attributes: Record<string, unknown>;
  value?: number | string;
  histogram?: { count: number; sum: number };
  summary?: { count: number; sum: number; quantiles: { quantile: number; value: number }[] };
}

export const FEEDBACK_VALUES = ['USEFUL', 'NOT_USEFUL', 'TOO_SENSITIVE', 'INCORRECT'] as const;
export type FeedbackValue = (typeof FEEDBACK_VALUES)[number];

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const TOKEN_KEY = 'augur.token';

export function storedToken(): string {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

export function storeToken(token: string): void {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage unavailable (privacy mode): the token lives until the next 401
  }
}

// Asks the user for a token; resolves with it, or rejects when they cancel.
// Set by the page (main.ts) so the client stays free of UI.
let tokenPrompt: (reason: string) => Promise<string> = () => Promise.reject(new ApiError(401, 'unauthorized'));

export function setTokenPrompt(prompt: (reason: string) => Promise<string>): void {
  tokenPrompt = prompt;
}

// One prompt at a time: parallel requests that all got 401 wait for it.
let pendingPrompt: Promise<string> | null = null;

function askForToken(reason: string): Promise<string> {
  if (!pendingPrompt) {
    pendingPrompt = tokenPrompt(reason).finally(() => {
      pendingPrompt = null;
    });
  }
  return pendingPrompt;
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = storedToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
    });
    if (res.status === 401 && attempt < 5) {
      const reason = token ? 'The token was not accepted.' : 'This augur requires a bearer token.';
      const fresh = await askForToken(reason);
      storeToken(fresh);
      continue;
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const message =
        json && typeof json === 'object' && 'error' in json ? String((json as { error: unknown }).error) : text;
      throw new ApiError(res.status, `${method} ${path}: ${res.status} ${message}`);
    }
    return json as T;
  }
}

function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

const enc = encodeURIComponent;

// How GET /api/v1/insights orders its list: `newest` start first (the
// default), or `attention`, the order to look at them (src/insight/priority.h).
export type InsightOrder = 'newest' | 'attention';

export const api = {
  insights: (p: {
    status?: string;
    service?: string;
    from?: string;
    to?: string;
    limit?: number;
    order?: InsightOrder;
  }) =>
    request<{ insights: InsightSummary[] }>('GET', `/api/v1/insights${query(p)}`).then((r) => r.insights),
  insight: (id: string) => request<Insight>('GET', `/api/v1/insights/${enc(id)}`),
  putFeedback: (id: string, feedback: FeedbackValue) =>
    request<Insight>('PUT', `/api/v1/insights/${enc(id)}/feedback`, { feedback }),
  anomalies: (p: { status?: string; service?: string; from?: string; to?: string; limit?: number }) =>
    request<{ anomalies: Anomaly[] }>('GET', `/api/v1/anomalies${query(p)}`).then((r) => r.anomalies),
  events: (p: { service?: string; from?: string; to?: string; limit?: number }) =>
    request<{ events: ChangeEvent[] }>('GET', `/api/v1/events${query(p)}`).then((r) => r.events),
  topology: (p: { from?: string; to?: string }) => request<Topology>('GET', `/api/v1/topology${query(p)}`),
  services: () => request<{ services: Service[] }>('GET', '/api/v1/services').then((r) => r.services),
  series: (p: {
    service: string;
    operation?: string;
    kind?: string;
    peer?: string;
    version?: string;
    metric?: string;
    from: string;
    to: string;
    step?: string;
  }) => request<Series>('GET', `/api/v1/series${query(p)}`),
  metrics: (p: { name: string; service?: string; from?: string; to?: string; limit?: number }) =>
    request<{ name: string; points: MetricPoint[] }>('GET', `/api/v1/metrics${query(p)}`).then((r) => r.points),
};
