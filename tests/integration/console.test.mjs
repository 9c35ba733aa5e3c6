// The web console, end to end: a real augur (with a bearer token) serving
// the built console at /, fed a generated incident (a deployment that adds
// latency to the writer, replayed with historical timestamps), driven by a
// headless Chromium through playwright-core. The test lists the insight,
// orders the list "Attend first" and back to newest first, opens it,
// checks the summary, the timeline chart with its deployment marker,
// feedback, the service map and the events, checks that markup in
// names, events and log lines renders as text, and saves a screenshot of
// each page.
//
// Needs Debian's `chromium` (skipped with the reason when it is missing;
// CHROMIUM_PATH overrides /usr/bin/chromium) and the console built into
// augur's default web directory (cmake builds it with npm; AUGUR_WEB_DIR
// overrides). Screenshots go to AUGUR_ARTIFACTS_DIR or
// tests/integration/artifacts/console-<time>/ (ignored by git); the path is
// printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { AUGUR_BIN, REPO_ROOT, startAugur, waitFor } from './lib/augur.js';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const TOKEN = 'console-test-token';
// Markup that runs script if anything renders data as HTML.
const XSS = '<img src=x onerror="window.__augurXss=1">';
const SCENARIO = {
  name: 'article',
  baseline: process.env.CONSOLE_BASELINE || '40m',
  fault: process.env.CONSOLE_FAULT || '15m',
};
const INSIGHT_TIMEOUT_MS = 90_000;

const artifactsDir = process.env.AUGUR_ARTIFACTS_DIR ||
  path.join(REPO_ROOT, 'tests', 'integration', 'artifacts', `console-${new Date().toISOString().replace(/[:.]/g, '-')}`);

// Feeds augur an incident: today `augur replay` (scenario generator →
// OTLP/HTTP with historical timestamps, deployments posted as events). A
// test that needs another feed swaps this function.
async function feedIncident(augur) {
  const argv = ['replay', '--scenario', SCENARIO.name, '--baseline', SCENARIO.baseline, '--fault', SCENARIO.fault,
    '--post-events', '--otlp-http-url', augur.otlpHttpUrl, '--api-url', augur.apiUrl, '--auth-token', TOKEN];
  const started = Date.now();
  const proc = spawn(AUGUR_BIN, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => { out = (out + d).slice(-20_000); });
  proc.stderr.on('data', (d) => { out = (out + d).slice(-20_000); });
  const timer = setTimeout(() => proc.kill('SIGKILL'), 300_000);
  const code = await new Promise((resolve) => proc.on('close', resolve));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`augur ${argv.join(' ')} exited with ${code}:\n${out}`);
  return { seconds: (Date.now() - started) / 1000, output: out.trim() };
}

// Spans of a service whose name is markup, and a change event full of it:
// untrusted text the console must show as text.
async function feedMarkup(augur) {
  const now = BigInt(Date.now()) * 1_000_000n;
  const hex = (n, width) => n.toString(16).padStart(width, '0');
  const spans = Array.from({ length: 20 }, (_, i) => ({
    traceId: hex(0xabc000 + i, 32),
    spanId: hex(0xdef000 + i, 16),
    name: `GET /${XSS}`,
    kind: 2,
    startTimeUnixNano: String(now - BigInt(60 - i) * 1_000_000_000n),
    endTimeUnixNano: String(now - BigInt(60 - i) * 1_000_000_000n + 5_000_000n),
    attributes: [{ key: 'note', value: { stringValue: XSS } }],
  }));
  const body = {
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: XSS } }] },
      scopeSpans: [{ scope: { name: 'console-test' }, spans }],
    }],
  };
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };
  const r = await fetch(`${augur.otlpHttpUrl}/v1/traces`, { method: 'POST', headers, body: JSON.stringify(body) });
  assert.equal(r.status, 200, await r.text());
  const e = await fetch(`${augur.apiUrl}/api/v1/events`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ type: 'CONFIG_CHANGE', service: XSS, description: XSS,
      changes: [{ key: XSS, old: XSS, new: XSS }] }),
  });
  assert.equal(e.status, 201, await e.text());
}

// One raw request line: no client normalizes the "..".
function rawGet(port, target) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    });
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (d) => { data += d; });
    socket.on('end', () => resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(data)?.[1]), text: data }));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error('timeout')));
  });
}

test('web console', { timeout: 600_000 }, async (t) => {
  if (!fs.existsSync(CHROMIUM)) {
    t.skip(`no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
    return;
  }
  const { chromium } = await import('playwright-core');
  const args = ['--auth-token', TOKEN];
  if (process.env.AUGUR_WEB_DIR) args.push('--web-dir', process.env.AUGUR_WEB_DIR);
  const augur = await startAugur({ args });
  t.after(() => augur.stop());
  const api = (p) => augur.apiJson(p, { token: TOKEN });

  await t.test('augur serves the console at /, safely', async () => {
    const index = await fetch(`${augur.apiUrl}/`);
    assert.equal(index.status, 200, `GET / answered ${index.status}: is the console built? ` +
      `(cmake builds it into <build>/web with npm; see README.md) ${augur.describeOutput()}`);
    assert.match(index.headers.get('content-type'), /^text\/html/);
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    assert.match(index.headers.get('content-security-policy'), /script-src 'self'/);
    const html = await index.text();
    const script = /<script[^>]+src="([^"]+)"/.exec(html)?.[1];
    assert.ok(script, html);
    const asset = await fetch(`${augur.apiUrl}${script}`);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('content-type'), /^text\/javascript/);
    assert.match(asset.headers.get('cache-control'), /immutable/);
    const deep = await fetch(`${augur.apiUrl}/insights/in-0000000000000000`);
    assert.equal(deep.status, 200);
    assert.equal(await deep.text(), html);
    assert.equal((await fetch(`${augur.apiUrl}/api/v1/nothing`)).status, 404);
    assert.equal((await fetch(`${augur.apiUrl}/api/v1/insights`)).status, 401);  // the API still wants its token
    for (const target of ['/../../../../etc/passwd', '/assets/../../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd']) {
      const r = await rawGet(augur.ports.api, target);
      assert.equal(r.status, 404, `${target}: ${r.text.slice(0, 300)}`);
      assert.doesNotMatch(r.text, /root:/);
    }
  });

  const feed = await feedIncident(augur);
  t.diagnostic(`replayed ${SCENARIO.name} (baseline ${SCENARIO.baseline}, fault ${SCENARIO.fault}) in ` +
    `${feed.seconds.toFixed(1)} s: ${feed.output.split('\n').pop()}`);
  await feedMarkup(augur);

  // The analysis runs behind ingest: wait for the insight, and fail, not
  // pass, when there is none (say what augur did find instead).
  let insight;
  try {
    insight = await waitFor(async () => {
      const { insights } = await api('/api/v1/insights');
      return insights.find((i) => i.root_cause?.service === 'writer' || (i.related_event_ids ?? []).length > 0);
    }, { timeoutMs: INSIGHT_TIMEOUT_MS, intervalMs: 1000, what: 'an insight about the writer' });
  } catch (err) {
    const { anomalies } = await api('/api/v1/anomalies?limit=20');
    const { insights } = await api('/api/v1/insights');
    assert.fail(`augur opened no insight about the writer's latency after replaying ${SCENARIO.name}: ` +
      `the console test needs one (is the analysis being tuned?).\n${err.message}\n` +
      `insights: ${JSON.stringify(insights).slice(0, 2000)}\nanomalies: ${anomalies.map((a) => a.explanation).join('\n')}`);
  }
  const full = await api(`/api/v1/insights/${insight.id}`);
  const deployment = full.related_events.find((e) => e.type === 'DEPLOYMENT' && e.service === 'writer');
  t.diagnostic(`insight ${insight.id}: ${insight.name}; related events: ${full.related_events.map((e) => e.id).join(', ')}`);

  fs.mkdirSync(artifactsDir, { recursive: true });
  t.diagnostic(`screenshots in ${artifactsDir}`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Chromium's sandbox cannot start as root (CI containers).
    args: ['--disable-dev-shm-usage', ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
  });
  t.after(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    // The browser logs the API's 401 before the token prompt: expected.
    if (msg.type() === 'error' && !/status of 401/.test(msg.text())) problems.push(`console error: ${msg.text()}`);
  });
  const shot = async (name) => {
    const file = path.join(artifactsDir, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    return file;
  };
  const chartsDrawn = () => page.waitForFunction(() => !document.querySelector('.chart-host .loading'), null,
    { timeout: 20_000 });
  const noXss = async () => {
    assert.equal(await page.evaluate(() => window.__augurXss), undefined, 'markup from data ran as HTML');
    assert.equal(await page.locator('img[src="x"]').count(), 0, 'markup from data became an <img>');
  };

  await t.test('the insights list asks for the token, then lists the insight', async () => {
    await page.goto(`${augur.apiUrl}/`);
    const dialog = page.locator('dialog.token-dialog');
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    await shot('0-token-prompt');
    await dialog.locator('input[name="token"]').fill(TOKEN);
    await dialog.getByRole('button', { name: 'Use token' }).click();
    const row = page.locator(`tr[data-insight="${insight.id}"]`);
    await row.waitFor({ timeout: 15_000 });
    const text = await row.innerText();
    assert.match(text, new RegExp(insight.severity, 'i'));
    assert.match(text, /ongoing|closed/i);
    assert.ok(text.includes(insight.name), `${text} lacks ${insight.name}`);
    assert.match(text, /writer/);
    await shot('1-insights');
    // The status filter goes to the API and into the URL.
    await page.selectOption('select[name="status"]', insight.status);
    await page.waitForURL(/status=/);
    await row.waitFor({ timeout: 15_000 });
  });

  await t.test('"Attend first" asks the API for order=attention and keeps its order', async () => {
    // The list's requests, and the attention answer widened by two made-up
    // insights placed against the newest-first order (one run has too few
    // insights to tell the orders apart), so the rows must follow the answer.
    const requests = [];
    let answered = [];
    const isList = (url) => url.pathname === '/api/v1/insights';
    await page.route(isList, async (route) => {
      const url = new URL(route.request().url());
      requests.push(url.searchParams);
      if (url.searchParams.get('order') !== 'attention') return route.continue();
      const res = await route.fetch();
      const body = await res.json();
      const made = (id, name, shiftMs) => ({ ...insight, id, name,
        start_time: new Date(Date.parse(insight.start_time) + shiftMs).toISOString() });
      body.insights = [made('in-00000000000000a1', 'Attend-first check: older', -3600_000), ...body.insights,
        made('in-00000000000000a2', 'Attend-first check: newer', 300_000)];
      answered = body.insights.map((i) => i.id);
      await route.fulfill({ response: res, json: body });
    });
    assert.equal(await page.locator('.order-hint').innerText(), 'Newest first.');
    const orderFilter = page.locator('label.filter', { has: page.locator('select[name="order"]') });
    assert.match(await orderFilter.getAttribute('title'), /strongest anomaly first, then severity and reach/);
    await page.selectOption('select[name="order"]', { label: 'Attend first' });
    await page.waitForURL(/order=attention/);
    assert.match(page.url(), /status=/, 'choosing the order dropped the status filter');
    await page.locator('tr[data-insight="in-00000000000000a2"]').waitFor({ timeout: 15_000 });
    const last = requests.at(-1);
    assert.equal(last.get('order'), 'attention');
    assert.equal(last.get('status'), insight.status, 'the status filter did not go with the order');
    const rows = () => page.locator('tr[data-insight]').evaluateAll((trs) => trs.map((tr) => tr.dataset.insight));
    assert.deepEqual(await rows(), answered);
    assert.match(await page.locator('.order-hint').innerText(), /^Attend first: the strongest anomaly first/);
    await shot('1b-insights-attention');
    // The order is kept in the URL: a reload shows the same list.
    await page.reload();
    await page.locator('tr[data-insight="in-00000000000000a2"]').waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('select[name="order"]').inputValue(), 'attention');
    assert.deepEqual(await rows(), answered);
    // Back to newest first: no order in the URL nor in the request.
    await page.selectOption('select[name="order"]', { label: 'Newest first' });
    await page.waitForURL((url) => !url.searchParams.has('order'));
    await page.locator(`tr[data-insight="${insight.id}"]`).waitFor({ timeout: 15_000 });
    assert.equal(requests.at(-1).get('order'), null);
    assert.equal(await page.locator('tr[data-insight="in-00000000000000a2"]').count(), 0);
    await page.unroute(isList);
  });

  await t.test('the insight page: summary, timeline with the deployment marker, root cause, graph', async () => {
    await page.locator(`tr[data-insight="${insight.id}"] a`).click();
    await page.waitForURL(new RegExp(`/insights/${insight.id}$`));
    await page.locator('.insight-title').waitFor();
    assert.equal(await page.locator('.insight-title').innerText(), insight.name);
    assert.equal(await page.locator('.summary').innerText(), full.summary);
    const chart = page.locator('.anomaly .chart canvas').first();
    await chart.waitFor({ timeout: 20_000 });
    assert.ok((await chart.boundingBox()).width > 300);
    if (deployment) {
      const marker = page.locator('.anomaly').first().locator('.marker-event .marker-label');
      await marker.first().waitFor();
      const labels = await marker.allInnerTexts();
      assert.ok(labels.some((l) => /deployment/i.test(l) && l.includes(deployment.version)),
        `no marker for deployment ${deployment.version} of writer: ${JSON.stringify(labels)}`);
      assert.ok(await page.locator('.anomaly').first().locator('.marker-event:not([hidden])').count() > 0,
        'the deployment marker is outside the chart');
    } else {
      assert.fail(`the insight relates no deployment of writer: ${JSON.stringify(full.related_events)}`);
    }
    await page.locator('.marker-onset').first().waitFor({ state: 'attached' });
    const rc = await page.locator('.root-cause').innerText();
    assert.match(rc, new RegExp(full.root_cause.service));
    for (const e of full.root_cause.evidence.slice(0, 2)) assert.ok(rc.includes(e), `evidence missing: ${e}`);
    await page.locator('svg.service-graph g[data-node="writer"]').waitFor({ timeout: 15_000 });
    await page.locator('.event[data-event]').first().waitFor();
    await chartsDrawn();
    assert.equal(await page.locator('.anomaly .chart').count(), Math.min(full.anomalies.length, 8));
    await noXss();
    await shot('2-insight');
  });

  await t.test('feedback is saved through the API and shown', async () => {
    await page.locator('button[data-feedback="USEFUL"]').click();
    await page.locator('.feedback-status', { hasText: 'Useful (saved)' }).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('button[data-feedback="USEFUL"]').getAttribute('aria-pressed'), 'true');
    const stored = await api(`/api/v1/insights/${insight.id}`);
    assert.equal(stored.feedback, 'USEFUL');
    await page.reload();
    await page.locator('button[data-feedback="USEFUL"][aria-pressed="true"]').waitFor();
  });

  await t.test('log lines and names with markup render as text', async () => {
    // The API's answer, with a log line and a service name of markup.
    await page.route(`**/api/v1/insights/${insight.id}`, async (route) => {
      const res = await route.fetch();
      const body = await res.json();
      body.log_snippets = [...(body.log_snippets ?? []),
        { time: body.start_time, service: XSS, severity: 'ERROR', body: `failed: ${XSS}`, reason: XSS }];
      body.root_cause = { ...body.root_cause, evidence: [XSS, ...body.root_cause.evidence] };
      await route.fulfill({ response: res, json: body });
    });
    await page.reload();
    const line = page.locator('.log-line', { hasText: 'failed: <img' });
    await line.waitFor({ timeout: 10_000 });
    assert.equal(await line.locator('.log-body').innerText(), `failed: ${XSS}`);
    assert.equal(await line.locator('.log-service').innerText(), XSS);
    assert.ok((await page.locator('.evidence').innerText()).includes(XSS));
    await noXss();
    await page.unroute(`**/api/v1/insights/${insight.id}`);
  });

  await t.test('the services page draws the service map coloured by health', async () => {
    await page.getByRole('link', { name: 'Services' }).click();
    await page.waitForURL(/\/services$/);
    await page.locator('svg.service-graph').waitFor({ timeout: 15_000 });
    for (const name of ['writer', 'reader']) {
      assert.equal(await page.locator(`svg.service-graph g[data-node="${name}"]`).count(), 1, `no node ${name}`);
    }
    const states = await page.locator('svg.service-graph g.node').evaluateAll((gs) =>
      gs.map((g) => g.getAttribute('class')));
    assert.ok(states.every((c) => /node-(anomalous|error|warn|ok|idle)/.test(c)), JSON.stringify(states));
    assert.ok(await page.locator('svg.service-graph g.edge').count() > 0, 'no edges');
    // The service named with markup, in the table and (when in the window) the map.
    await page.locator('tr[data-service]', { hasText: '<img' }).first().waitFor({ timeout: 10_000 });
    await noXss();
    await shot('3-services');
  });

  await t.test('the events page lists the deployment and the markup event as text', async () => {
    await page.getByRole('link', { name: 'Events' }).click();
    await page.waitForURL(/\/events/);
    await page.locator(`.event[data-event="${deployment.id}"]`).waitFor({ timeout: 10_000 });
    const text = await page.locator(`.event[data-event="${deployment.id}"]`).innerText();
    assert.match(text, /deployment/i);
    assert.ok(text.includes(deployment.version));
    for (const c of deployment.changes ?? []) assert.ok(text.includes(c.key), `change ${c.key} missing`);
    const markup = page.locator('.event', { hasText: 'config change' }).filter({ hasText: '<img' });
    await markup.first().waitFor();
    await noXss();
    await shot('4-events');
  });

  await t.test('dark mode', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${augur.apiUrl}/insights/${insight.id}`);
    await page.locator('.anomaly .chart canvas').first().waitFor({ timeout: 20_000 });
    await page.locator('svg.service-graph').waitFor({ timeout: 15_000 });
    await chartsDrawn();
    const background = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    assert.notEqual(background, 'rgb(247, 248, 250)', 'the page stayed light');
    await shot('5-insight-dark');
  });

  await t.test('the console loads nothing from outside and logs no errors', () => {
    assert.deepEqual(problems, []);
  });
});
