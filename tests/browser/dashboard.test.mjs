// Browser tests of the dashboard: Debian's headless Chromium driven by playwright-core, against
// a `churnwatch demo` this script starts (free port, API token) and feeds hostile names into.
//
//   CHURNWATCH_BIN   the binary (set by ctest)
//   ARTIFACTS_DIR    where screenshots go (ctest: <build>/test-artifacts/browser)
//   CHROMIUM         the browser (default /usr/bin/chromium)
//
// Run: ctest -L browser  (or: cd tests/browser && CHURNWATCH_BIN=... node dashboard.test.mjs)
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:http';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {createInterface} from 'node:readline';
import {after, before, test} from 'node:test';
import {chromium} from 'playwright-core';

const BIN = process.env.CHURNWATCH_BIN;
const ARTIFACTS = process.env.ARTIFACTS_DIR || join(process.cwd(), 'artifacts');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TOKEN = 'browser-test-token-' + process.pid;
const XSS = {
  id: 'ACC-XSS-1',
  name: '<script>window.__xss = "name"</script>"><img src=x onerror="window.__xss=\'img\'">',
  owner: '"><img src=x onerror=window.__xss="owner">',
  region: '<svg onload=window.__xss="region">',
  contact: '<img src=x onerror=window.__xss="contact">',
};

const tmp = mkdtempSync(join(tmpdir(), 'churnwatch-browser-'));
let demo, base, bootstrap, context, page;
const planted = new Map();       // signal -> account id, as the demo prints them
const plantedLinks = new Map();  // signal -> the dashboard link the demo prints
const dialogs = [];
const pageErrors = [];
const foreignRequests = [];
// A stand-in Alertmanager (POST /api/v2/alerts): the demo's real notifications land here.
const DASHBOARD_URL = 'http://churnwatch-dashboard.test/ops';
const notifications = [];
let alertmanager;

function waitFor(what, fn, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  return (async () => {
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
  })();
}

async function api(path, init = {}) {
  const res = await fetch(
      base + path, {...init, headers: {Authorization: 'Bearer ' + TOKEN, ...(init.headers || {})}});
  return {status: res.status, body: await res.json().catch(() => null)};
}

function run(args) {
  return new Promise((resolve, reject) => {
    const p = spawn(BIN, args, {stdio: ['ignore', 'pipe', 'pipe']});
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
    });
    p.stderr.on('data', (d) => {
      out += d;
    });
    p.on(
        'exit',
        (code) =>
            (code === 0 ? resolve(out) :
                          reject(new Error(`${args.join(' ')}: exit ${code}: ${out}`))));
  });
}

async function produce(topic, events) {
  const file = join(tmp, `${topic}-${Date.now()}.ndjson`);
  writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  await run(['produce', '--bootstrap', bootstrap, '--topic', topic, file]);
}

async function shot(name, fullPage = true) {
  await page.screenshot({path: join(ARTIFACTS, name + '.png'), fullPage});
}

async function go(hash) {
  await page.goto(base + '/' + hash);
  await page.waitForSelector('main[aria-busy=false]');
}

before(async () => {
  assert.ok(BIN, 'CHURNWATCH_BIN is not set');
  mkdirSync(ARTIFACTS, {recursive: true});
  const log = openSync(join(ARTIFACTS, 'demo.log'), 'w');
  alertmanager = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => body += d);
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/api/v2/alerts') {
        try {
          notifications.push(...JSON.parse(body));
        } catch { /* counted as nothing */
        }
      }
      res.writeHead(200, {'Content-Type': 'application/json'});
      res.end('{}');
    });
  });
  await new Promise((r) => alertmanager.listen(0, '127.0.0.1', r));
  demo = spawn(
      BIN,
      [
        'demo', '--http', '127.0.0.1:0', '--accounts', '80', '--seed', '5', '--alertmanager',
        'http://127.0.0.1:' + alertmanager.address().port, '--dashboard-url', DASHBOARD_URL
      ],
      {
        stdio: ['ignore', 'pipe', log],
        env: {...process.env, CHURNWATCH_HTTP_TOKEN: TOKEN},
      });
  const lines = createInterface({input: demo.stdout});
  await waitFor(
      'demo to print its URLs',
      () => new Promise((resolve) => {
        lines.on('line', (line) => {
          let m;
          if ((m = /^http=(.*)$/.exec(line))) base = 'http://' + m[1];
          if ((m = /Kafka bootstrap\s+(\S+)/.exec(line))) bootstrap = m[1];
          // "  volume_decline   http://H/#/account/ID   http://H/api/v1/accounts/ID"
          if ((m = /^\s+([a-z_]+)\s+(http:\/\/\S+\/#\/account\/\S+)\s+http:\/\/\S+\/api\/v1\/accounts\/(\S+)$/
                       .exec(line))) {
            planted.set(m[1], m[3]);
            plantedLinks.set(m[1], m[2]);
          }
          if (base && bootstrap && planted.size >= 3 && line.trim() === '') resolve(true);
        });
      }),
      120000);
  // A hostile account: markup in every upstream text field, and a withdrawn reference so it
  // fires a critical alert (whose texts carry the name too).
  const now = new Date().toISOString();
  await produce('accounts', [{
                  event_id: 'xss-a1',
                  account_id: XSS.id,
                  occurred_at: now,
                  name: XSS.name,
                  tier: 'KEY',
                  owner: {id: 'owner-xss', name: XSS.owner, email: 'x@example.com'},
                  region: XSS.region,
                  industry: 'test'
                }]);
  await produce('contacts', [
    {
      event_id: 'xss-c1',
      account_id: XSS.id,
      occurred_at: now,
      kind: 'CONTACT_ADDED',
      contact_id: XSS.contact,
      contact_role: 'DECISION_MAKER',
      level: 'EXECUTIVE'
    },
    {event_id: 'xss-c2', account_id: XSS.id, occurred_at: now, kind: 'REFERENCE_WITHDRAWN'},
  ]);
  await waitFor('the hostile account to fire', async () => {
    const r = await api('/api/v1/alerts?state=firing&account_id=' + XSS.id);
    return r.status === 200 && r.body.alerts.length > 0;
  }, 120000);

  const profile = join(tmp, 'chromium-profile');
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: {width: 1280, height: 800},
    locale: 'zh-CN',
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
  page.on('request', (r) => {
    if (!r.url().startsWith(base) && !r.url().startsWith('data:')) foreignRequests.push(r.url());
  });
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
  if (alertmanager) alertmanager.close();
  rmSync(tmp, {recursive: true, force: true});
});

test('the at-risk list shows the planted accounts and the counts', async () => {
  await go('#/');
  await page.evaluate(() => localStorage.clear());  // zh-CN by default
  await go('#/?firing=true');
  const api1 = await api('/api/v1/accounts?firing=true&limit=500');
  assert.equal(api1.status, 200);
  const expected = new Set(api1.body.accounts.map((a) => a.account_id));
  while (await page.locator('button.more:not([hidden])').count()) {
    const n = await page.locator('table.accounts tbody tr').count();
    await page.click('button.more');
    await waitFor(
        'the next page', async () => (await page.locator('table.accounts tbody tr').count()) > n);
  }
  const shown = new Set(await page.locator('table.accounts tbody tr')
                            .evaluateAll((rows) => rows.map((r) => r.dataset.account)));
  assert.deepEqual(shown, expected, 'the list shows exactly the accounts with firing alerts');
  let plantedFiring = 0;
  for (const [signal, id] of planted) {
    const alerts = await api('/api/v1/alerts?state=firing&account_id=' + encodeURIComponent(id));
    if (alerts.body.alerts.length === 0) continue;
    plantedFiring++;
    assert.ok(shown.has(id), `planted ${signal} account ${id} is listed`);
    const row = page.locator(`tr[data-account="${id}"]`);
    assert.ok(await row.locator('svg.spark circle').count() === 4, 'four-quarter sparkline');
    assert.ok(await row.locator('.chip').count() >= 1, 'firing signals shown');
  }
  // One chip per signal (issue 15: "采购沉默 采购沉默"), the rules behind it inside; a health
  // score whose health_low rule fires is not green.
  let twoRulesOneSignal = 0;
  for (const a of api1.body.accounts) {
    assert.equal(
        new Set(a.firing_signals).size, a.firing_signals.length,
        `${a.account_id}: firing_signals lists each signal once: ${a.firing_signals}`);
    const row = page.locator(`tr[data-account="${a.account_id}"]`);
    const chips = await row.locator('.chip').evaluateAll((c) => c.map((x) => x.dataset.signal));
    assert.deepEqual(
        chips.slice().sort(), a.firing_signals.slice().sort(), `${a.account_id} chips`);
    const rules = a.firing_rules.map((r) => r.signal);
    if (new Set(rules).size < rules.length) twoRulesOneSignal++;
    const low = a.firing_rules.find((r) => r.signal === 'health_low');
    const pill = await row.locator('.health').getAttribute('class');
    if (low)
      assert.ok(
          !pill.includes('good'), `${a.account_id}: health_low fires, pill ${pill} is not green`);
    else
      assert.ok(pill.includes('good'), `${a.account_id}: no health_low, pill ${pill}`);
  }
  console.log(`# accounts with two firing rules of one signal: ${twoRulesOneSignal}`);
  assert.ok(plantedFiring >= 3, `at least 3 planted accounts fire (got ${plantedFiring})`);
  for (const sev of ['critical', 'warning', 'info']) {
    const text = await page.locator(`button.count[data-severity=${sev}] strong`).textContent();
    assert.equal(Number(text.replace(/\D/g, '')), api1.body.counts[sev], `${sev} count`);
  }
  assert.equal(
      await page.locator('nav a[aria-current=page]').textContent(), '风险客户', 'zh-CN by default');
  await shot('at-risk-1280x800');
});

test('the default order puts critical and strategic accounts first', async () => {
  // The demo keeps producing: compare a page and an API answer taken back to back, retried.
  let bySeverity, shown;
  await waitFor('the default list in severity order', async () => {
    await go('#/');
    shown = await page.locator('table.accounts tbody tr')
                .evaluateAll((rows) => rows.map((r) => r.dataset.account));
    bySeverity = (await api('/api/v1/accounts?sort=severity&limit=50')).body.accounts;
    return JSON.stringify(shown) === JSON.stringify(bySeverity.map((a) => a.account_id));
  }, 30000).catch(() => {});
  assert.deepEqual(shown, bySeverity.map((a) => a.account_id), 'default = severity order');
  const rank = {critical: 0, warning: 1, info: 2};
  const tierRank = {strategic: 0, key: 1, growth: 2, potential: 3, ordinary: 4};
  for (let i = 1; i < bySeverity.length; i++) {
    const [p, c] = [bySeverity[i - 1], bySeverity[i]];
    const ps = rank[p.worst_severity] ?? 3, cs = rank[c.worst_severity] ?? 3;
    assert.ok(ps <= cs, `severity order at ${i}`);
    if (ps === cs)
      assert.ok(
          (tierRank[p.tier] ?? 5) <= (tierRank[c.tier] ?? 5),
          `tier order at ${i} (${p.tier}, ${c.tier})`);
  }
  const critical = (await api('/api/v1/accounts?severity=critical&limit=500')).body.total;
  const firstPage = bySeverity.filter((a) => a.worst_severity === 'critical').length;
  assert.equal(firstPage, Math.min(critical, 50), 'every critical account on page 1 (up to 50)');
});

test('a notification\'s dashboard link opens the account page', async () => {
  const linked = await waitFor(
      'a notification with a dashboard link',
      () => notifications.find((n) => n.annotations && n.annotations.dashboard), 120000);
  const link = new URL(linked.annotations.dashboard);
  assert.equal(
      link.origin + link.pathname, DASHBOARD_URL + '/', 'under the configured dashboard URL');
  assert.equal(linked.generatorURL, linked.annotations.dashboard);
  await go(link.hash);
  assert.equal(
      await page.locator('h1 .id').textContent(), linked.labels.account_id,
      `${link.hash} opens the account page of the notified account`);
  // The links `demo` prints are dashboard pages too.
  const [signal, printed] = [...plantedLinks.entries()][0];
  await page.goto(printed);
  await page.waitForSelector('main[aria-busy=false]');
  assert.equal(await page.locator('h1 .id').textContent(), planted.get(signal), printed);
});

test('a filter narrows the list, search finds by id', async () => {
  await go('#/');
  const all = await page.locator('table.accounts tbody tr').count();
  const tiers = await page.locator('select[name=tier] option')
                    .evaluateAll((o) => o.map((x) => x.value).filter(Boolean));
  assert.ok(tiers.includes('strategic'), 'tier facet offered: ' + tiers);
  await page.selectOption('select[name=tier]', 'strategic');
  await waitFor(
      'the tier filter to apply',
      async () => (await page.locator('select[name=tier]').inputValue()) === 'strategic' &&
          (await page.locator('main').getAttribute('aria-busy')) === 'false');
  const tierCells = await page.locator('table.accounts tbody tr td:nth-child(2)')
                        .evaluateAll((tds) => tds.map((td) => td.dataset.tier));
  assert.ok(
      tierCells.length > 0 && tierCells.length < all,
      `strategic narrows ${all} to ${tierCells.length}`);
  assert.ok(tierCells.every((t) => t === 'strategic'), 'every row is strategic');
  const apiCount = (await api('/api/v1/accounts?tier=strategic&limit=500')).body.total;
  assert.equal(tierCells.length, Math.min(apiCount, 50));

  await go('#/');
  await page.fill('input[name=q]', 'xss-1');
  await waitFor(
      'search results', async () => (await page.locator('table.accounts tbody tr').count()) === 1);
  assert.equal(await page.locator('table.accounts tbody tr').getAttribute('data-account'), XSS.id);
  await shot('at-risk-search');
});

test('upstream names render as text and never run', async () => {
  await go('#/?q=' + encodeURIComponent(XSS.id));
  const row = page.locator(`tr[data-account="${XSS.id}"]`);
  assert.equal(await row.locator('a.name').textContent(), XSS.name, 'the name, literally');
  assert.equal(await row.locator('td:nth-child(3)').textContent(), XSS.owner);
  assert.equal(await row.locator('td:nth-child(4)').textContent(), XSS.region);
  await go('#/account/' + encodeURIComponent(XSS.id));
  assert.equal(await page.locator('h1 .name').textContent(), XSS.name);
  assert.ok(
      (await page.locator('table.contacts').textContent()).includes(XSS.contact),
      'contact id as text');
  await page.waitForSelector('article.alert');
  await go('#/alerts');
  await page.waitForSelector(`article.alert a[href="#/account/${XSS.id}"]`);
  await shot('xss-alerts', false);
  await new Promise((r) => setTimeout(r, 500));  // give any injected handler the chance to run
  assert.equal(
      await page.evaluate(() => window.__xss), undefined, 'no injected script or handler ran');
  assert.equal(
      await page.locator('main img, main iframe, main script, main svg[onload]').count(), 0,
      'no injected element');
  assert.deepEqual(dialogs, []);
  assert.deepEqual(foreignRequests, [], 'nothing loaded from another origin');
});

test('the account page draws quarterly volume with the right quarters', async () => {
  const id = planted.get('volume_decline') || [...planted.values()][0];
  const account = (await api('/api/v1/accounts/' + encodeURIComponent(id))).body;
  const quarters = [...new Set(account.orders.quarters.map((q) => q.quarter))].sort().slice(-8);
  const lines = new Set(account.orders.quarters.filter((q) => quarters.includes(q.quarter))
                            .map((q) => q.product_line));
  await go('#/account/' + encodeURIComponent(id));
  const labels = await page.locator('svg.bars text.q-label').allTextContents();
  assert.deepEqual(labels, quarters, 'x axis quarters');
  assert.equal(
      await page.locator('svg.bars rect.bar').count(), quarters.length * lines.size,
      'one bar per quarter and line');
  const last = account.orders.quarters.filter((q) => q.quarter === quarters[quarters.length - 1]);
  for (const q of last) {
    const bar = page.locator(
        `svg.bars rect.bar[data-quarter="${q.quarter}"][data-line="${q.product_line}"]`);
    assert.ok(
        await bar.locator('title').textContent().then(
            (t) => t.endsWith(q.quantity.toLocaleString('zh-CN'))),
        'bar value');
  }
  assert.ok(
      Number(await page.locator('.health-card .score').textContent()) >= 0, 'health score shown');
  assert.equal(await page.locator('.health-card .component').count(), 3, 'three components');
  await page.waitForSelector('.history li, .history p');
  await shot('account-1280x800');
});

test('acknowledge is refused without the token and works with it', async () => {
  await go('#/alerts');
  await page.fill('#token', '');
  await page.dispatchEvent('#token', 'change');
  const card = page.locator(`article.alert:has(a[href="#/account/${XSS.id}"])`).first();
  const alertId = await card.getAttribute('data-alert');
  await card.locator('input[name=by]').fill('王经理');
  await card.locator('button.ack').click();
  await waitFor(
      'the refusal', async () => (await card.locator('.ack-status').textContent()).includes('401'));
  const refusal = await api('/api/v1/alerts/' + alertId + '/ack', {
    method: 'POST',
    headers: {Authorization: '', 'Content-Type': 'application/json'},
    body: '{"by":"x"}'
  });
  assert.equal(refusal.status, 401);
  assert.ok(
      (await card.locator('.ack-status').textContent()).includes(refusal.body.error),
      'the server\'s reason is shown: ' + refusal.body.error);
  assert.equal((await card.locator('.ack-status').getAttribute('class')).includes('bad'), true);
  let record =
      (await api('/api/v1/alerts?account_id=' + XSS.id)).body.alerts.find((a) => a.id === alertId);
  assert.ok(!record.ack || !record.ack.by, 'not acknowledged without the token');

  await page.fill('#token', 'wrong-' + TOKEN);
  await page.dispatchEvent('#token', 'change');
  await card.locator('button.ack').click();
  await waitFor(
      'the refusal of a wrong token',
      async () => (await card.locator('.ack-status').textContent()).includes('401'));

  await page.fill('#token', TOKEN);
  await page.dispatchEvent('#token', 'change');
  await card.locator('input[name=note]').fill('已约客户高层复盘');
  await card.locator('button.ack').click();
  await waitFor(
      'the acknowledgement',
      async () => (await card.locator('.ack-status').textContent()).includes('王经理'));
  record =
      (await api('/api/v1/alerts?account_id=' + XSS.id)).body.alerts.find((a) => a.id === alertId);
  assert.equal(record.ack.by, '王经理');
  await shot('alerts-acknowledged', false);
});

// Issue 14 items 3 and 4: a repair plan given with the acknowledgement on the account page,
// marked done there, a later one gone overdue; the decision chain with who left and the
// single-threaded warning; a timeline of every kind — in zh-CN, then in en.
test('the account page shows the repair plan and the customer file in zh-CN and en', async () => {
  const id = 'ACC-FILE-' + Date.now();
  const at = (daysAgo) => new Date(Date.now() - daysAgo * 86400e3).toISOString();
  await produce('accounts', [{
                  event_id: id + '-a',
                  account_id: id,
                  occurred_at: at(30),
                  name: '档案客户',
                  tier: 'STRATEGIC',
                  owner: {id: 'mgr-file', name: '王经理'}
                }]);
  await produce('contacts', [
    {event_id: id + '-c1', account_id: id, occurred_at: at(20), kind: 'CONTACT_ADDED',
     contact_id: 'p-dm', contact_role: 'DECISION_MAKER', level: 'EXECUTIVE'},
    {event_id: id + '-c2', account_id: id, occurred_at: at(20), kind: 'CONTACT_ADDED',
     contact_id: 'p-inf', contact_role: 'INFLUENCER', level: 'MANAGEMENT'},
    {event_id: id + '-c3', account_id: id, occurred_at: at(10), kind: 'CONTACT_LEFT',
     contact_id: 'p-inf'},
    {event_id: id + '-c4', account_id: id, occurred_at: at(0), kind: 'REFERENCE_WITHDRAWN'},
  ]);
  const alertId = await waitFor('the customer-file account to fire', async () => {
    const r = await api('/api/v1/alerts?state=firing&rule=reference_withdrawn&account_id=' + id);
    return r.status === 200 && r.body.alerts.length > 0 && r.body.alerts[0].id;
  }, 120000);
  const planOf = async () =>
      (await api('/api/v1/alerts?account_id=' + id)).body.alerts.find((a) => a.id === alertId).ack.plan;
  await go('#/');
  if (await page.evaluate(() => document.documentElement.lang) !== 'zh-CN') await page.click('#lang');
  await page.fill('#token', TOKEN);
  await page.dispatchEvent('#token', 'change');
  await go('#/account/' + encodeURIComponent(id));

  // The customer file: decision makers first, who left when, one person carries it.
  await page.waitForSelector('.customer-file table.decision-chain');
  assert.deepEqual(
      await page.locator('table.decision-chain tr').evaluateAll((rows) => rows.map((r) => r.dataset.role)),
      ['DECISION_MAKER', 'INFLUENCER']);
  assert.equal(await page.locator('table.decision-chain tr[data-role=DECISION_MAKER] th').textContent(), '决策者');
  const warning = await page.locator('.single-threaded').textContent();
  assert.ok(warning.startsWith('单线联系') && warning.includes('p-dm'), warning);
  const departed = (await api('/api/v1/accounts/' + id + '/contacts')).body.departed;
  assert.equal(departed[0].contact_id, 'p-inf');
  assert.ok((await page.locator('.departed li[data-contact=p-inf]').textContent())
                .startsWith(departed[0].left_at.slice(0, 4)), 'the departure with its date');
  const kinds = new Set(await page.locator('.timeline-card ol.timeline li')
                            .evaluateAll((lis) => lis.map((li) => li.dataset.kind)));
  for (const k of ['contact', 'contact_added', 'contact_left', 'alert'])
    assert.ok(kinds.has(k), `timeline has ${k}: ${[...kinds]}`);

  // Acknowledge with a plan on the page.
  const card = page.locator(`article.alert[data-alert="${alertId}"]`);
  await card.locator('input[name=by]').fill('王经理');
  await card.locator('textarea[name=plan_text]').fill('明天拜访决策人，提交服务复盘');
  await card.locator('input[name=plan_owner]').fill('张总监');
  await card.locator('button.ack').click();
  await card.locator('.plan[data-plan-state=open]').waitFor();
  assert.equal(await card.locator('.plan .plan-state').textContent(), '进行中');
  let plan = await planOf();
  assert.equal(plan.text, '明天拜访决策人，提交服务复盘');
  assert.equal(plan.owner, '张总监');
  assert.ok(Date.parse(plan.due_at) > Date.now() + 20 * 3600e3, 'due tomorrow by default');
  await card.locator('button.plan-done').click();
  await card.locator('.plan[data-plan-state=done]').waitFor();
  assert.equal(await card.locator('.plan .plan-state').textContent(), '已完成');
  plan = await planOf();
  assert.equal(plan.state, 'done');
  assert.equal(plan.done_by, '王经理', 'done by whoever the page acknowledges as');
  await shot('account-plan-done');

  // A new plan due in two seconds, given through the API: overdue on the page once it passed.
  const replan = await api('/api/v1/alerts/' + alertId + '/ack', {
    method: 'POST',
    headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({by: '王经理', plan: {text: '补充方案', due_at: new Date(Date.now() + 2000).toISOString()}})
  });
  assert.equal(replan.status, 200, JSON.stringify(replan.body));
  await waitFor('the plan to be overdue', async () => (await planOf()).state === 'overdue', 15000);
  await page.reload();  // same hash: go() would not load the page again
  await page.waitForSelector('main[aria-busy=false]');
  await card.locator('.plan[data-plan-state=overdue]').waitFor();
  assert.equal(await card.locator('.plan .plan-state').textContent(), '已逾期');
  assert.ok((await page.locator('.history').textContent()).includes('王经理 已完成计划'), 'PLAN_DONE in the history');
  await shot('account-customer-file-zh');

  // The same page in English.
  await page.click('#lang');
  await page.waitForSelector('main[aria-busy=false]');
  await page.waitForSelector('.customer-file table.decision-chain');
  assert.equal(await card.locator('.plan .plan-state').textContent(), 'overdue');
  assert.ok((await card.locator('.plan').textContent()).startsWith('Repair plan'));
  assert.equal(await page.locator('table.decision-chain tr[data-role=DECISION_MAKER] th').textContent(), 'Decision maker');
  assert.equal(await page.locator('.departed h3').textContent(), 'Contacts who left');
  assert.ok((await page.locator('.single-threaded').textContent()).startsWith('Single-threaded'));
  assert.equal(await page.locator('.customer-file h2').textContent(), 'Decision chain (customer file)');
  await shot('account-customer-file-en');
  await page.click('#lang');
  await page.waitForSelector('main[aria-busy=false]');
});

test('the customer pyramid on the account page and as list filters, zh-CN and en', async () => {
  // The demo runs without pyramid.params: instance quintiles, labelled so; features stay null.
  const list = (await api('/api/v1/accounts?sort=id&limit=500')).body;
  const placed = list.accounts.filter((a) => a.rfm);
  assert.ok(placed.length > 0, 'accounts with a placement');
  const a = placed.find((x) => x.suggested_tier !== x.tier) || placed[0];
  const account = (await api('/api/v1/accounts/' + encodeURIComponent(a.account_id))).body;
  assert.equal(account.rfm.basis, 'instance');
  assert.equal(account.features.values.rfm_r, null, 'rule features are NaN without the file');
  await go('#/account/' + encodeURIComponent(a.account_id));
  const card = page.locator('.card.pyramid');
  assert.equal(await card.locator('h2').textContent(), '客户金字塔');
  for (const [field, value] of [['rfmR', account.rfm.r], ['rfmF', account.rfm.f], ['rfmM', account.rfm.m]])
    assert.equal(await card.locator(`dd[data-field=${field}]`).textContent(), String(value), field);
  const zhTier = {strategic: '战略级', key: '重点', growth: '增长级', potential: '潜力级', ordinary: '普通'};
  assert.equal(
      await card.locator('dd[data-field=suggestedTier]').textContent(), zhTier[account.suggested_tier]);
  const basis = await card.locator('[data-field=pyramid-basis]').textContent();
  assert.ok(basis.includes('本实例') && basis.includes(String(account.rfm.portfolio_accounts)), basis);
  const agreement = await card.locator('[data-field=tier-agreement]').textContent();
  assert.equal(agreement.startsWith('与当前等级一致'), a.suggested_tier === a.tier, agreement);
  await shot('account-pyramid-zh', false);
  await page.click('#lang');
  await page.waitForSelector('main[aria-busy=false]');
  assert.equal(await page.locator('.card.pyramid h2').textContent(), 'Customer pyramid');
  assert.ok(
      (await page.locator('.card.pyramid [data-field=pyramid-basis]').textContent())
          .includes('this instance holds'));
  await page.click('#lang');
  await page.waitForSelector('main[aria-busy=false]');

  // The list filters: exactly the API's accounts of that segment / suggested tier.
  for (const [name, value] of [['segment', placed[0].rfm.segment], ['suggested_tier', a.suggested_tier]]) {
    await go('#/');
    await page.selectOption(`select[name=${name}]`, value);
    await waitFor(
        `the ${name} filter to apply`,
        async () => (await page.locator(`select[name=${name}]`).inputValue()) === value &&
            (await page.locator('main').getAttribute('aria-busy')) === 'false');
    const rows = await page.locator('table.accounts tbody tr')
                     .evaluateAll((trs) => trs.map((tr) => tr.dataset.account));
    const want = (await api(`/api/v1/accounts?sort=severity&limit=50&${name}=${value}`)).body.accounts
                     .map((x) => x.account_id);
    assert.deepEqual(rows, want, name + '=' + value);
    assert.ok(rows.length > 0);
  }
  const cells = await page.locator('table.accounts tbody td[data-suggested-tier]')
                    .evaluateAll((tds) => tds.map((td) => td.dataset.suggestedTier));
  assert.ok(cells.every((x) => x === a.suggested_tier), 'suggested tier column: ' + cells);
});

test('live transitions arrive over server-sent events', async () => {
  await go('#/alerts');
  await waitFor(
      'the stream to connect',
      async () => (await page.locator('.live-state').getAttribute('data-state')) === 'open');
  const id = 'ACC-LIVE-' + Date.now();
  const now = new Date().toISOString();
  await produce('accounts', [{
                  event_id: id + '-a',
                  account_id: id,
                  occurred_at: now,
                  name: '实时客户 <b>live</b>',
                  tier: 'STRATEGIC'
                }]);
  await produce(
      'contacts',
      [{event_id: id + '-c', account_id: id, occurred_at: now, kind: 'REFERENCE_WITHDRAWN'}]);
  const li = page.locator(`ol.transitions li.transition[data-account="${id}"]`);
  await waitFor(
      'the FIRING transition in the live list', async () => (await li.count()) > 0, 90000);
  assert.equal(await li.first().getAttribute('data-kind'), 'FIRING');
  await shot('alerts-live', false);
});

test('the rules view shows the loaded version and the last reload', async () => {
  const rules = (await api('/api/v1/rules')).body;
  await go('#/rules');
  assert.equal(await page.locator('#rules-version').textContent(), rules.version);
  assert.equal(await page.locator('table.rules-table tbody tr').count(), rules.rules.length);
  assert.ok((await page.locator('#last-reload').textContent()).startsWith('成功'));
  assert.equal(
      await page.locator('table.rules-table .sev-default').count(), rules.rules.length,
      'every rule shows its default severity, also with per-tier overrides');
});

test('the language switch changes every label and is remembered', async () => {
  await go('#/');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  await page.click('#lang');
  await page.waitForSelector('main[aria-busy=false]');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.equal(await page.locator('nav a[aria-current=page]').textContent(), 'At risk');
  assert.equal(await page.locator('table.accounts thead th').first().textContent(), 'Account');
  // Tiers translated, dates ISO in English too (not 07/05/2026).
  const tierTexts = await page.locator('table.accounts tbody td[data-tier]').allTextContents();
  assert.ok(
      tierTexts.every((x) => /^(Strategic|Key|Growth|Potential|Ordinary|—)$/.test(x)),
      'tiers: ' + tierTexts);
  // Columns: account, tier, owner, region, health, churn risk, severity, signals, since, volume.
  const since = await page.locator('table.accounts tbody tr td:nth-child(9)').allTextContents();
  assert.ok(since.every((x) => x === '—' || /^\d{4}-\d{2}-\d{2}$/.test(x)), 'ISO dates: ' + since);
  await page.reload();
  await page.waitForSelector('main[aria-busy=false]');
  assert.equal(
      await page.locator('nav a[aria-current=page]').textContent(), 'At risk', 'remembered');
  await shot('at-risk-en');
  // Alert texts in English too (issue 15: the English dashboard showed Chinese summaries).
  await go('#/alerts');
  await page.waitForSelector('article.alert .summary');
  const byId =
      new Map((await api('/api/v1/alerts?state=firing')).body.alerts.map((a) => [a.id, a]));
  const cards =
      await page.locator('article.alert')
          .evaluateAll(
              (els) => els.slice(0, 40).map((el) => ({
                                              id: el.dataset.alert,
                                              summary: el.querySelector('.summary')?.textContent,
                                              action: el.querySelector('.action')?.textContent,
                                            })));
  assert.ok(cards.length > 0);
  for (const c of cards) {
    const ann = byId.get(c.id).annotations;
    assert.ok(ann.summary_en && ann.summary_zh, 'alerts carry both languages');
    assert.equal(c.summary, ann.summary_en, 'English summary');
    if (ann.action_en) assert.ok(c.action.endsWith(ann.action_en), 'English action: ' + c.action);
  }
  await shot('alerts-en', false);
  await go('#/');
  await page.click('#lang');
  await page.waitForSelector('main[aria-busy=false]');
  assert.equal(await page.locator('nav a[aria-current=page]').textContent(), '风险客户');
});

test('usable at phone width', async () => {
  await page.setViewportSize({width: 390, height: 844});
  for (const [hash, name] of [
           ['#/', 'phone-at-risk'],
           [
             '#/account/' + encodeURIComponent(planted.get('volume_decline') || XSS.id),
             'phone-account'
           ],
           ['#/alerts', 'phone-alerts']]) {
    await go(hash);
    const overflow =
        await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `${name}: no horizontal scrolling (overflow ${overflow}px)`);
    await shot(name);
  }
  await page.setViewportSize({width: 1280, height: 800});
  assert.deepEqual(pageErrors, [], 'no script errors');
});

test('screenshots of every view in both languages at 1400 and 390 px', async () => {
  const views = [
    ['#/', 'at-risk'],
    ['#/account/' + encodeURIComponent(planted.get('volume_decline') || XSS.id), 'account'],
    ['#/alerts', 'alerts'],
    ['#/rules', 'rules'],
  ];
  for (const lang of ['zh-CN', 'en']) {
    await page.evaluate((l) => localStorage.setItem('churnwatch.lang', l), lang);
    await page.reload();  // the language is read when the page loads
    for (const [width, height] of [[1400, 900], [390, 844]]) {
      await page.setViewportSize({width, height});
      for (const [hash, name] of views) {
        await go(hash);
        // From #/rules to #/ is only a hash change: the previous view still shows as done until
        // the new route renders. A reload renders the route fresh before the screenshot.
        await page.reload();
        await page.waitForSelector('main[aria-busy=false]');
        assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
        const overflow =
            await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(
            overflow <= 1, `${name} ${lang} ${width}px: no horizontal scrolling (${overflow}px)`);
        await shot(`view-${name}-${lang}-${width}`);
      }
    }
  }
  await page.evaluate(() => localStorage.setItem('churnwatch.lang', 'zh-CN'));
  await page.setViewportSize({width: 1280, height: 800});
  assert.deepEqual(pageErrors, [], 'no script errors');
});
