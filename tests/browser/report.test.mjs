// Browser test of the monthly review (`GET /reports/YYYY-MM`, issue 14): Debian's headless
// Chromium driven by playwright-core renders the page of a `churnwatch demo` this script starts
// (free port, API token), in zh-CN and en, with an account whose name and owner carry markup.
// The page's numbers are checked against the API: the at-risk rows are the accounts with firing
// alerts, the portfolio count the accounts' total, the alert counts the JSON form's; nothing
// runs, no dialog opens and nothing is requested but the page itself.
//
//   CHURNWATCH_BIN   the binary (set by ctest)
//   ARTIFACTS_DIR    where screenshots go (ctest: <build>/test-artifacts/browser)
//   CHROMIUM         the browser (default /usr/bin/chromium)
//
// Run: ctest -R browser_report  (or: cd tests/browser && CHURNWATCH_BIN=... node report.test.mjs)
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {createInterface} from 'node:readline';
import {after, before, test} from 'node:test';
import {chromium} from 'playwright-core';

const BIN = process.env.CHURNWATCH_BIN;
const ARTIFACTS = process.env.ARTIFACTS_DIR || join(process.cwd(), 'artifacts');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TOKEN = 'report-browser-token-' + process.pid;
const XSS = {
  id: 'ACC-XSS-R',
  name: '<script>window.__xss = "name"</script>"><img src=x onerror="window.__xss=\'img\'">',
  owner: '"><svg onload=window.__xss="owner">',
};

const tmp = mkdtempSync(join(tmpdir(), 'churnwatch-report-browser-'));
let demo, base, bootstrap, context, page, month;
const dialogs = [];
const pageErrors = [];
const requests = [];

async function waitFor(what, fn, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what} (last: ${last})`);
}

async function api(path) {
  const res = await fetch(base + path, {headers: {Authorization: 'Bearer ' + TOKEN}});
  return {status: res.status, body: await res.json().catch(() => null)};
}

function run(args) {
  return new Promise((resolve, reject) => {
    const p = spawn(BIN, args, {stdio: ['ignore', 'pipe', 'pipe']});
    let out = '';
    p.stdout.on('data', (d) => out += d);
    p.stderr.on('data', (d) => out += d);
    p.on('exit', (code) => code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${out}`)));
  });
}

async function produce(topic, events) {
  const file = join(tmp, `${topic}-${Date.now()}.ndjson`);
  writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  await run(['produce', '--bootstrap', bootstrap, '--topic', topic, file]);
}

// The local month (Asia/Shanghai, UTC+8 all year) of an RFC 3339 instant.
function localMonth(rfc3339) {
  return new Date(Date.parse(rfc3339) + 8 * 3600 * 1000).toISOString().slice(0, 7);
}

before(async () => {
  assert.ok(BIN, 'CHURNWATCH_BIN is not set');
  mkdirSync(ARTIFACTS, {recursive: true});
  const log = openSync(join(ARTIFACTS, 'report-demo.log'), 'w');
  demo = spawn(BIN, ['demo', '--http', '127.0.0.1:0', '--accounts', '40', '--seed', '3'], {
    stdio: ['ignore', 'pipe', log],
    env: {...process.env, CHURNWATCH_HTTP_TOKEN: TOKEN},
  });
  const lines = createInterface({input: demo.stdout});
  await waitFor('demo to print its URLs', () => new Promise((resolve) => {
                  lines.on('line', (line) => {
                    let m;
                    if ((m = /^http=(.*)$/.exec(line))) base = 'http://' + m[1];
                    if ((m = /Kafka bootstrap\s+(\S+)/.exec(line))) bootstrap = m[1];
                    if (base && bootstrap) resolve(true);
                  });
                }), 120000);
  // A hostile account that fires (a withdrawn reference), so the review lists it.
  const now = new Date().toISOString();
  await produce('accounts', [{
                  event_id: 'report-xss-a1',
                  account_id: XSS.id,
                  occurred_at: now,
                  name: XSS.name,
                  tier: 'STRATEGIC',
                  owner: {id: 'owner-xss', name: XSS.owner, email: 'x@example.com'},
                }]);
  await produce('contacts', [
    {event_id: 'report-xss-c1', account_id: XSS.id, occurred_at: now, kind: 'REFERENCE_WITHDRAWN'},
  ]);
  await waitFor('the hostile account to fire', async () => {
    const r = await api('/api/v1/alerts?state=firing&account_id=' + XSS.id);
    return r.status === 200 && r.body.alerts.length > 0;
  }, 120000);
  await waitFor('the demo to apply its history', async () => {
    const text = await (await fetch(base + '/metrics')).text();
    const lags = text.split('\n').filter((l) => l.startsWith('churnwatch_consumer_lag{'));
    return lags.length > 0 && lags.every((l) => Number(l.split(' ').pop()) === 0);
  }, 120000);
  month = localMonth((await api('/api/v1/accounts?limit=1')).body.as_of);

  context = await chromium.launchPersistentContext(join(tmp, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: {width: 1280, height: 800},
    extraHTTPHeaders: {Authorization: 'Bearer ' + TOKEN},
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'
    ],
  });
  page = context.pages()[0] || await context.newPage();
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    d.dismiss().catch(() => {});
  });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('request', (r) => requests.push(r.url()));
});

after(async () => {
  if (context) await context.close();
  if (demo && demo.exitCode === null) {
    demo.kill('SIGTERM');
    await new Promise((r) => {
      demo.on('exit', r);
      setTimeout(r, 15000);
    });
  }
  rmSync(tmp, {recursive: true, force: true});
});

for (const lang of ['zh-CN', 'en']) {
  test(`the ${lang} review renders with the API's numbers and hostile names as text`, async () => {
    const url = `${base}/reports/${month}?lang=${lang}`;
    requests.length = 0;
    const res = await page.goto(url);
    assert.equal(res.status(), 200);
    assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
    const title = await page.title();
    assert.ok(title.includes(month), title);
    assert.ok(
        title.includes(lang === 'en' ? 'Monthly key-account review' : '重点客户月度经营回顾'), title);

    // At risk: exactly the API's accounts with firing alerts (the review's month is running).
    const firing = await api('/api/v1/accounts?firing=true&limit=500');
    const expected = new Set(firing.body.accounts.map((a) => a.account_id));
    const shown = new Set(await page.locator('table.at-risk tbody tr')
                              .evaluateAll((rows) => rows.map((r) => r.dataset.account)));
    assert.deepEqual(shown, expected);
    assert.ok(shown.has(XSS.id));
    const all = await api('/api/v1/accounts?limit=1');
    assert.equal(await page.locator('b.accounts').textContent(), String(all.body.total));
    const json = await api(`/reports/${month}?format=json`);
    for (const k of ['raised', 'resolved', 'acknowledged', 'escalated']) {
      assert.equal(
          await page.locator(`td[data-count=${k}]`).textContent(), String(json.body.alerts[k]), k);
    }
    // One bar per tier present, drawn as SVG.
    const tiers = Object.keys(json.body.portfolio.by_tier).length;
    assert.equal(await page.locator('svg.bars').first().locator('rect').count(), tiers);

    // The hostile texts are text: shown verbatim, nothing ran or opened or loaded.
    const row = page.locator(`table.at-risk tr[data-account="${XSS.id}"]`);
    const cells = await row.locator('td').allTextContents();
    assert.ok(cells[0].includes(XSS.name), cells[0]);
    assert.ok(cells[1].includes(XSS.owner), cells[1]);
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    assert.equal(await page.locator('script, img, iframe, link, [onerror], [onload]').count(), 0);
    assert.deepEqual(dialogs, []);
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(requests, [url], 'nothing but the page itself is requested');
    await page.screenshot({path: join(ARTIFACTS, `report-${lang}.png`), fullPage: false});
  });
}

test('the dashboard links to this month\'s review in its language', async () => {
  await page.goto(base + '/#/');
  await page.waitForSelector('main[aria-busy=false]');
  await page.evaluate(() => localStorage.setItem('churnwatch.lang', 'en'));
  await page.reload();  // the language is read at load
  await page.waitForSelector('main[aria-busy=false]');
  const link = page.locator('nav a', {hasText: 'Monthly review'});
  assert.equal(await link.count(), 1);
  await Promise.all([page.waitForURL(/\/reports\/\d{4}-\d{2}\?lang=en$/), link.click()]);
  assert.ok(page.url().endsWith(`/reports/${month}?lang=en`), page.url());
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.equal(await page.locator('table.at-risk tbody tr').count() > 0, true);
});
