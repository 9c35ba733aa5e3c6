// Numbers, times and durations as the console shows them. Times are shown
// in the browser's time zone; the API's are UTC (RFC 3339).

export function ms(rfc3339: string | null | undefined): number {
  return rfc3339 ? Date.parse(rfc3339) : NaN;
}

// The API writes non-finite numbers as the strings "NaN", "Infinity", "-Infinity".
export function num(v: number | string | null | undefined): number {
  if (typeof v === 'number') return v;
  if (v === null || v === undefined) return NaN;
  return Number(v);
}

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

export function formatTime(rfc3339: string | null | undefined): string {
  const t = ms(rfc3339);
  return Number.isFinite(t) ? dateTime.format(t) : '—';
}

export function formatClock(rfc3339: string): string {
  const t = ms(rfc3339);
  return Number.isFinite(t) ? timeOnly.format(t) : '—';
}

// 75 s → "1 min 15 s"; 3 h 5 min → "3 h 5 min".
export function formatDuration(millis: number): string {
  if (!Number.isFinite(millis) || millis < 0) return '—';
  const s = Math.round(millis / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const hours = Math.floor(m / 60);
  if (hours < 48) return m % 60 ? `${hours} h ${m % 60} min` : `${hours} h`;
  const d = Math.floor(hours / 24);
  return hours % 24 ? `${d} d ${hours % 24} h` : `${d} d`;
}

export function formatNumber(v: number | string | null | undefined, unit = ''): string {
  const n = num(v);
  if (!Number.isFinite(n)) return typeof v === 'string' ? v : '—';
  const abs = Math.abs(n);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  const text = n.toLocaleString(undefined, { maximumFractionDigits: digits });
  if (!unit || unit === '1') return text;
  if (unit === '%') return `${text} %`;
  return `${text} ${unit}`;
}

export function formatPercent(ratio: number): string {
  if (!Number.isFinite(ratio)) return '—';
  return `${(ratio * 100).toLocaleString(undefined, { maximumFractionDigits: ratio < 0.01 ? 2 : 1 })} %`;
}

// A log body is any JSON value: strings as they are, the rest as JSON.
export function bodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body === null || body === undefined) return '';
  try {
    return JSON.stringify(body);
  } catch {
    return String(body);
  }
}

// The window of the last `range` ("1h", "24h", "7d"; "" = no bound) before now, as `from`.
export function rangeFrom(range: string, now = Date.now()): string {
  const m = /^(\d+)([hd])$/.exec(range);
  if (!m) return '';
  const hours = Number(m[1]) * (m[2] === 'd' ? 24 : 1);
  return new Date(now - hours * 3600_000).toISOString();
}

export function timeZoneLabel(): string {
  const offset = -new Date().getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '−';
  const h = Math.floor(Math.abs(offset) / 60);
  const m = Math.abs(offset) % 60;
  return `UTC${sign}${h}${m ? `:${String(m).padStart(2, '0')}` : ''}`;
}
