// A small client of augur's REST API (docs/api.md) for the demo's scripts.
// Every request is bounded in time; answers are {status, json, text}, and
// a transport error (augur not running) is thrown.
const REQUEST_TIMEOUT_MS = 10_000;

export class AugurApi {
  // url: augur's API, e.g. http://127.0.0.1:8080; token: bearer token or "".
  constructor(url, token = process.env.AUGUR_AUTH_TOKEN || '') {
    this.url = url.replace(/\/+$/, '');
    this.token = token;
  }

  async request(method, path, body) {
    const headers = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.url + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text };
  }

  get(path) {
    return this.request('GET', path);
  }

  post(path, body) {
    return this.request('POST', path, body);
  }
}

// Which augur API a script talks to: a flag, else $AUGUR_API_URL, else the
// one the platform was started with, else augur's default address.
export function augurApiUrl(flag, outputs) {
  return flag || process.env.AUGUR_API_URL || outputs?.augur_api_url || 'http://127.0.0.1:8080';
}
