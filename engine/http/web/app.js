// churnwatch operations dashboard: hash-routed views over the REST API.
//   #/                at-risk accounts (filters in the hash: #/?tier=KEY&q=...)
//   #/account/{id}    one account
//   #/alerts          live transitions (server-sent events) and firing alerts, acknowledge
//   #/rules           the loaded rules and the last reload
// All upstream text is inserted as text nodes (dom.js); nothing here parses HTML.
import {api, setToken, streamAlerts, token} from './api.js';
import {quarterBars, sparkline} from './charts.js';
import {accountHref, append, clear, h} from './dom.js';
import {currentLang, enumLabel, formatDate, formatNumber, formatTime, label, setLang, t} from './i18n.js';

const main = document.getElementById('main');
let stopView = () => {};

const SEVERITIES = ['critical', 'warning', 'info'];
const SIGNALS = [
  'volume_decline', 'meeting_cancelled', 'reference_withdrawn', 'key_contact_change',
  'manager_turnover', 'product_line_dropped', 'purchase_silence', 'service_degradation',
  'exec_contact_gap', 'external_risk', 'health_low'
];

function notice(text, kind = 'info') {
  const el = document.getElementById('notice');
  el.textContent = text;
  el.className = kind;
  el.hidden = !text;
}

// An alert text in the reader's language: alerts carry both (<key>_zh, <key>_en) next to the
// engine's configured language under the plain key (older alerts have only that).
function alertText(annotations, key) {
  const ann = annotations || {};
  return ann[key + (currentLang() === 'en' ? '_en' : '_zh')] || ann[key] || '';
}

function isResolved(a) {
  return a.state === 'RESOLVED' || a.state === 'ALERT_STATE_RESOLVED';
}

function severityBadge(sev) {
  return h('span', {class: 'sev sev-' + (sev || 'none')}, label('sev_', sev || 'none'));
}

function chrome() {
  document.title = 'churnwatch · ' + t('title');
  document.getElementById('brand').textContent = 'churnwatch · ' + t('title');
  const nav = clear(document.getElementById('nav'));
  const route = location.hash.split('?')[0];
  for (const [href, key] of [
           ['#/', 'navRisk'], ['#/alerts', 'navAlerts'], ['#/rules', 'navRules']]) {
    const current = route === href || (href === '#/' && (route === '' || route === '#'));
    nav.append(h('a', {href, 'aria-current': current ? 'page' : null}, t(key)));
  }
  // The monthly review is a page of its own (no script); the server picks the current month.
  nav.append(h('a', {href: '/reports?lang=' + encodeURIComponent(currentLang())}, t('navReport')));
  const lang = document.getElementById('lang');
  lang.textContent = t('switchTo');
  const tok = document.getElementById('token');
  tok.placeholder = t('token');
  tok.title = t('tokenHint');
  tok.setAttribute('aria-label', t('tokenHint'));
}

// ---- At-risk accounts -------------------------------------------------------------------------

const FILTERS = [
  'tier', 'owner', 'region', 'signal', 'severity', 'segment', 'suggested_tier', 'q', 'sort', 'firing'
];
const TIERS = ['strategic', 'key', 'growth', 'potential', 'ordinary'];
const LEVELS = ['high', 'medium', 'low'];
// Worst severity first, then tier (strategic first), then lowest health: what to call first.
const DEFAULT_SORT = 'severity';

function hashParams() {
  const q = location.hash.indexOf('?');
  return new URLSearchParams(q < 0 ? '' : location.hash.slice(q + 1));
}

function setHashParams(params) {
  const clean = new URLSearchParams();
  for (const [k, v] of params)
    if (v) clean.set(k, v);
  const text = clean.toString();
  history.replaceState(null, '', '#/' + (text ? '?' + text : ''));
}

function select(name, options, value, onChange) {
  return h(
      'label', {class: 'filter'}, h('span', {}, t(name)),
      h('select', {name, onchange: (e) => onChange(e.target.value)},
        h('option', {value: ''}, t('all')),
        options.map(([v, text]) => h('option', {value: v, selected: v === value}, text))));
}

async function atRiskView() {
  const params = hashParams();
  const query = {};
  for (const k of FILTERS)
    if (params.get(k)) query[k] = params.get(k);
  const update = (key, value) => {
    const p = hashParams();
    if (value)
      p.set(key, value);
    else
      p.delete(key);
    setHashParams(p);
    render();
  };
  let data;
  try {
    data = await api.accounts({sort: DEFAULT_SORT, ...query, limit: 50});
  } catch (e) {
    return showError(e);
  }
  const facets = data.facets || {};
  const counts =
      h('div', {class: 'counts'},
        [...SEVERITIES, 'none'].map(
            (sev) =>
                h('button', {
                  type: 'button',
                  class: 'count sev-' + sev + (query.severity === sev ? ' on' : ''),
                  'data-severity': sev,
                  onclick: () => update('severity', query.severity === sev ? '' : sev),
                },
                  h('strong', {}, formatNumber((data.counts || {})[sev] || 0)), ' ',
                  label('sev_', sev))));

  let searchTimer = 0;
  const filters =
      h('form', {class: 'filters', onsubmit: (e) => e.preventDefault()},
        h('label', {class: 'filter search'}, h('span', {}, t('search')), h('input', {
            type: 'search',
            name: 'q',
            value: query.q || '',
            maxlength: 128,
            placeholder: t('search'),
            oninput: (e) => {
              clearTimeout(searchTimer);
              searchTimer = setTimeout(() => update('q', e.target.value.trim()), 300);
            }
          })),
        select(
            'tier', (facets.tiers || []).map((v) => [v, enumLabel('tier', v)]), query.tier,
            (v) => update('tier', v)),
        select(
            'owner', (facets.owners || []).map((o) => [o.id, o.name || o.id]), query.owner,
            (v) => update('owner', v)),
        select(
            'region', (facets.regions || []).map((v) => [v, v]), query.region,
            (v) => update('region', v)),
        select(
            'signal', SIGNALS.map((v) => [v, label('sig_', v)]), query.signal,
            (v) => update('signal', v)),
        select(
            'severity', [...SEVERITIES, 'none'].map((v) => [v, label('sev_', v)]), query.severity,
            (v) => update('severity', v)),
        select(
            'segment', LEVELS.map((v) => [v, label('level_', v)]), query.segment,
            (v) => update('segment', v)),
        select(
            'suggested_tier', TIERS.map((v) => [v, enumLabel('tier', v)]), query.suggested_tier,
            (v) => update('suggested_tier', v)),
        h('label', {class: 'filter'}, h('span', {}, t('sort')),
          h('select', {
            name: 'sort',
            onchange: (e) => update('sort', e.target.value === DEFAULT_SORT ? '' : e.target.value)
          },
            [
              ['health', 'sortHealth'], ['severity', 'sortSeverity'], ['name', 'sortName'],
              ['id', 'sortId'], ['since', 'sortSince'], ['risk', 'sortRisk']
            ]
                .map(
                    ([v, key]) =>
                        h('option', {value: v, selected: (query.sort || DEFAULT_SORT) === v},
                          t(key))))),
        h('label', {class: 'filter check'}, h('input', {
            type: 'checkbox',
            name: 'firing',
            checked: query.firing === 'true',
            onchange: (e) => update('firing', e.target.checked ? 'true' : '')
          }),
          h('span', {}, t('firingOnly'))));

  const body = h('tbody', {});
  const table =
      h('table', {class: 'accounts'},
        h('thead', {},
          h('tr', {},
            [
              'colAccount', 'tier', 'owner', 'region', 'colHealth', 'colRisk', 'severity',
              'colSignals', 'colSince', 'colVolume', 'colSuggested'
            ].map((k) => h('th', {scope: 'col'}, t(k))))),
        body);
  const status = h('p', {class: 'muted', id: 'shown'});
  const more = h('button', {type: 'button', class: 'more', hidden: true}, t('more'));
  let shown = 0;
  const addRows = (page) => {
    for (const a of page.accounts) body.append(accountRow(a));
    shown += page.accounts.length;
    status.textContent = shown ?
        t('shown', {n: shown, total: page.total}) + ' · ' + t('asOf', {t: formatTime(page.as_of)}) :
        t('none');
    more.hidden = !page.next;
    more.onclick = async () => {
      more.disabled = true;
      try {
        addRows(await api.accounts({sort: DEFAULT_SORT, ...query, limit: 50, cursor: page.next}));
      } catch (e) {
        showError(e);
      }
      more.disabled = false;
    };
  };
  addRows(data);
  clear(main).append(
      h('section', {class: 'view risk'}, counts, filters, h('div', {class: 'table-wrap'}, table),
        status, more));
  const search = main.querySelector('input[name=q]');
  if (query.q !== undefined && document.activeElement === document.body) {
    search.focus();
    search.setSelectionRange(search.value.length, search.value.length);
  }
}

function accountRow(a) {
  return h(
      'tr', {class: 'sev-row-' + (a.worst_severity || 'none'), 'data-account': a.account_id},
      h('td', {'data-label': t('colAccount')},
        h('div', {},
          h('a', {href: accountHref(a.account_id), class: 'name'}, a.name || a.account_id),
          h('div', {class: 'muted id'}, a.account_id))),
      h('td', {'data-label': t('tier'), 'data-tier': a.tier}, enumLabel('tier', a.tier)),
      h('td', {'data-label': t('owner')}, (a.owner && (a.owner.name || a.owner.id)) || '—'),
      h('td', {'data-label': t('region')}, a.region || '—'),
      h('td', {'data-label': t('colHealth'), class: 'num'},
        healthPill(a.health && a.health.score, healthLowSeverity(a.firing_rules))),
      h('td', {'data-label': t('colRisk'), class: 'num risk'}, riskCell(a.churn_risk)),
      h('td', {'data-label': t('severity')}, severityBadge(a.worst_severity)),
      h('td', {'data-label': t('colSignals')}, signalChips(a.firing_signals, a.firing_rules)),
      h('td', {'data-label': t('colSince')}, formatDate(a.since)),
      h('td', {'data-label': t('colVolume')}, sparkline(a.volume || [])),
      h('td', {'data-label': t('colSuggested'), 'data-suggested-tier': a.suggested_tier || ''},
        suggestedCell(a)));
}

// The pyramid's suggested tier, its RFM scores and value segment as the tooltip; a dash
// without a placement.
function suggestedCell(a) {
  if (!a.suggested_tier) return '—';
  const rfm = a.rfm || {};
  return h('span', {title: 'RFM ' + rfm.r + '/' + rfm.f + '/' + rfm.m + ' · ' + t('segment') +
                     ': ' + label('level_', rfm.segment)},
    enumLabel('tier', a.suggested_tier));
}

// churn_risk as a percentage with its drivers as the tooltip; a dash without a risk model.
function riskCell(risk) {
  if (!risk || typeof risk.probability !== 'number') return '—';
  return h('span', {title: risk.drivers || null}, Math.round(risk.probability * 100) + '%');
}

// One chip per signal, whatever number of rules raised it; the rules are listed inside it.
function signalChips(signals, rules) {
  const bySignal = new Map();
  for (const sig of signals || []) bySignal.set(sig, []);
  for (const r of rules || []) {
    if (!bySignal.has(r.signal)) bySignal.set(r.signal, []);
    bySignal.get(r.signal).push(r.rule);
  }
  // One element for the cell: on phones the cell is a two-column grid (label, value).
  return h(
      'span', {class: 'chips'},
      [...bySignal.entries()].map(
          ([sig, ruleIds]) =>
              h('span', {class: 'chip', 'data-signal': sig, title: ruleIds.join(', ') || null},
                label('sig_', sig),
                ruleIds.length > 1 ? h('small', {class: 'chip-rules'}, ' ' + ruleIds.join(' · ')) :
                                     null)));
}

// The severity of a firing health_low alert, or null.
function healthLowSeverity(alerts) {
  let worst = null;
  for (const a of alerts || []) {
    if (a.signal !== 'health_low' || isResolved(a)) continue;
    if (worst === null || SEVERITIES.indexOf(a.severity) < SEVERITIES.indexOf(worst))
      worst = a.severity;
  }
  return worst;
}

// The colour follows the rules' verdict, not bands of its own: red when health_low fires
// critical, amber when it fires at a lower severity, green when it does not fire (a 65 that
// fires health_low below 70 is not green).
function healthPill(score, lowSeverity) {
  if (score == null) return '—';
  const band = lowSeverity === 'critical' ? 'bad' : lowSeverity ? 'warn' : 'good';
  return h('span', {class: 'health ' + band}, formatNumber(score, 0));
}

// ---- Account ----------------------------------------------------------------------------------

async function accountView(id) {
  let account;
  const historyPromise = api.accountAlerts(id).catch((e) => e);
  const contactsPromise = api.accountContacts(id).catch((e) => e);
  const timelinePromise = api.accountTimeline(id).catch((e) => e);
  try {
    account = await api.account(id);
  } catch (e) {
    if (e.status === 404) return showError(new Error(t('notFound', {id})));
    return showError(e);
  }
  const p = account.profile || {};
  const hl = account.health || {};
  const firing = (account.alerts ||
                  []).filter((a) => a.state === 'FIRING' || a.state === 'ALERT_STATE_FIRING');
  const view = h('section', { class: 'view account' },
    h('p', {}, h('a', { href: '#/' }, t('back'))),
    h('h1', {}, h('span', { class: 'name' }, p.name || account.account_id), ' ', h('small', { class: 'muted id' }, account.account_id)),
    h('div', { class: 'cards' },
      h('div', { class: 'card profile' }, h('h2', {}, t('profile')),
        h('dl', {},
          [['tier', p.tier && enumLabel('tier', p.tier)], ['owner', p.owner && (p.owner.name || p.owner.id)], ['region', p.region], ['industry', p.industry],
            ['stage', p.stage && enumLabel('stage', p.stage)], ['creditRisk', p.credit_risk && enumLabel('credit', p.credit_risk)], ['sponsor', p.executive_sponsor && p.executive_sponsor.name]]
            .map(([k, v]) => [h('dt', {}, t(k)), h('dd', { 'data-field': k }, v || '—')]))),
      h('div', { class: 'card health-card' }, h('h2', {}, t('health')),
        h('div', { class: 'score' }, healthPill(hl.score, healthLowSeverity(firing))),
        ['satisfaction', 'value', 'risk'].map((k) => h('div', { class: 'component' },
          h('span', {}, t(k)), meter(hl[k]), h('span', { class: 'num' }, formatNumber(hl[k], 0)))))),
    pyramidCard(account),
    h('div', { class: 'card' }, h('h2', {}, t('volumeChart')),
      (account.orders && account.orders.quarters.length) ? h('div', { class: 'chart-wrap' }, quarterBars(account.orders.quarters)) : h('p', { class: 'muted' }, t('noOrders'))),
    h('div', { class: 'card' }, h('h2', {}, t('firingAlerts')),
      firing.length ? h('div', { class: 'alerts' }, firing.map((a) => alertCard(a))) : h('p', { class: 'muted' }, t('noFiring'))),
    h('div', { class: 'cards' },
      h('div', { class: 'card customer-file' }, h('h2', {}, t('decisionChain')), h('p', { class: 'muted' }, t('loading'))),
      h('div', { class: 'card timeline-card' }, h('h2', {}, t('timeline')), h('p', { class: 'muted' }, t('loading')))),
    h('div', { class: 'card history' }, h('h2', {}, t('history')), h('p', { class: 'muted' }, t('loading'))));
  clear(main).append(view);
  // An engine without the customer-file endpoints (older version): the account JSON's own lists.
  const [history, contacts, events] = await Promise.all([historyPromise, contactsPromise, timelinePromise]);
  clear(view.querySelector('.customer-file')).append(h('h2', {}, t('decisionChain')),
    contacts instanceof Error ? contactsByRole((account.contacts && account.contacts.people) || []) : decisionChain(contacts));
  clear(view.querySelector('.timeline-card')).append(h('h2', {}, t('timeline')),
    timeline(events instanceof Error ? (account.timeline || []) : events.entries));
  clear(view.querySelector('.history')).append(h('h2', {}, t('history')), historyList(history));
}

// The customer pyramid: RFM scores, value, strategic fit, the suggested tier beside the
// configured one, and what the quintiles were computed over.
function pyramidCard(account) {
  const rfm = account.rfm;
  const fit = account.strategic_fit || {};
  const card = h('div', {class: 'card pyramid'}, h('h2', {}, t('pyramid')));
  if (!rfm) {
    card.append(h('p', {class: 'muted', 'data-field': 'pyramid-basis'}, t('pyramidUnavailable')));
    return card;
  }
  const tier = account.profile && account.profile.tier;
  const same = tier && String(tier).toLowerCase().replace(/^tier_/, '') === account.suggested_tier;
  card.append(
      h('dl', {},
        [
          ['rfmR', rfm.r], ['rfmF', rfm.f], ['rfmM', rfm.m], ['segment', label('level_', rfm.segment)],
          ['strategicFit', label('level_', fit.level)],
          ['suggestedTier', enumLabel('tier', account.suggested_tier)]
        ].map(([k, v]) => [h('dt', {}, t(k)), h('dd', {'data-field': k}, String(v ?? '—'))])),
      h('p', {class: same ? 'muted' : 'tier-differs', 'data-field': 'tier-agreement'},
        same ? t('tierAgrees') : t('tierDiffers', {tier: enumLabel('tier', tier)})),
      h('p', {class: 'muted'},
        t('rfmMeasures', {
          days: formatNumber(rfm.recency_days, 0),
          f: formatNumber(rfm.frequency, 0),
          m: formatNumber(rfm.monetary_minor / 100, 2)
        })),
      h('p', {class: 'muted', 'data-field': 'pyramid-basis', 'data-basis': rfm.basis},
        rfm.basis === 'pyramid_params' ?
            t('pyramidBasisParams', {date: rfm.fitted_as_of || '—', n: rfm.portfolio_accounts}) :
            t('pyramidBasisInstance', {n: rfm.portfolio_accounts})));
  return card;
}

function meter(v) {
  const pct = Math.max(0, Math.min(100, Number(v) || 0));
  const m = h('meter', {min: 0, max: 100, low: 40, high: 60, optimum: 100, value: pct});
  return m;
}

function historyList(history) {
  if (history instanceof Error) {
    return h(
        'p', {class: 'muted'},
        history.status === 404 ? t('historyUnavailable') : t('error', {msg: history.message}));
  }
  const entries = history.history || [];
  if (!entries.length) return h('p', {class: 'muted'}, t('noHistory'));
  return h('ol', {class: 'history-list'}, entries.slice().reverse().map((e) => {
    const a = e.alert || e;
    const kind = String(e.kind || a.state || '').replace('ALERT_STATE_', '');
    const what = kind === 'ACKNOWLEDGED' ? t('acked', {by: (e.ack && e.ack.by) || '—'}) :
        kind === 'PLAN_DONE' ? t('planDoneBy', {by: (e.ack && e.ack.plan && e.ack.plan.done_by) || '—'}) :
                               label('state_', kind);
    return h(
        'li', {'data-kind': kind}, h('time', {}, formatTime(e.at || a.resolved_at || a.started_at)),
        ' ', severityBadge(a.severity), ' ', h('span', {class: 'chip'}, label('sig_', a.signal)),
        ' ', h('strong', {}, what),
        e.ack && e.ack.note ? h('span', {class: 'muted'}, ' · ' + e.ack.note) : null,
        kind === 'ACKNOWLEDGED' && e.ack && e.ack.plan ?
            h('span', {class: 'muted'}, ' · ' + t('plan') + ': ' + e.ack.plan.text) :
            null,
        alertText(a.annotations, 'summary') ?
            h('div', {class: 'muted'}, alertText(a.annotations, 'summary')) :
            null,
        kind === 'RESOLVED' && alertText(a.annotations, 'resolution') ?
            h('div', {class: 'resolution'}, alertText(a.annotations, 'resolution')) :
            null);
  }));
}

// Day entries (counts per kind) and exact ones (a person added or leaving, an alert event).
function timeline(entries) {
  if (!entries.length) return h('p', {class: 'muted'}, t('noTimeline'));
  return h('ol', {class: 'timeline'}, entries.map((e) => {
    let facts;
    if (e.counts) {
      facts = Object.entries(e.counts).map(
          ([k, v]) => h('span', {class: 'fact'}, label('tl_', k) + ' ' + formatNumber(v, 1)));
    } else if (e.kind === 'alert') {
      facts = [severityBadge(e.severity), ' ', h('span', {class: 'chip'}, label('sig_', e.signal)), ' ',
        h('strong', {}, e.event === 'ACKNOWLEDGED' ? t('acked', {by: e.by || '—'}) :
              e.event === 'PLAN_DONE'             ? t('planDoneBy', {by: e.by || '—'}) :
                                                    label('state_', e.event))];
    } else {
      facts = [h('span', {class: 'contact'}, e.contact_id), ' ',
        h('small', {class: 'muted'}, label('role_', e.role) + ' · ' + label('level_', e.level))];
    }
    return h('li', {class: 'ev-' + e.kind, 'data-kind': e.kind},
      h('time', {}, e.at ? formatTime(e.at) : e.date), ' ',
      h('span', {class: 'chip'}, t('ev_' + e.kind)), ' ', facts);
  }));
}

// The decision chain: people by role (decision makers first) with their level, who left when,
// and the single-threaded warning when one person carries the relationship.
function decisionChain(file) {
  const chain = file.decision_chain || [];
  if (!chain.length) return h('p', {class: 'muted'}, t('noContacts'));
  const st = file.single_threaded || {};
  const warning = !st.warning ? null :
      h('p', {class: 'warning single-threaded', role: 'alert', 'data-warning': st.kind},
        st.kind === 'single_threaded' ?
            t('singleThreaded', {who: st.carried_by.contact_id, role: label('role_', st.carried_by.role)}) :
            t('noRelationship'));
  return h('div', {},
    warning,
    h('table', {class: 'contacts decision-chain'}, h('tbody', {}, chain.map((group) =>
      h('tr', {'data-role': group.role}, h('th', {scope: 'row'}, label('role_', group.role)),
        h('td', {}, group.people.map((c) =>
          h('span', {class: 'contact' + (c.active ? '' : ' gone'), 'data-contact': c.contact_id},
            c.contact_id, ' ', h('small', {class: 'muted'}, label('level_', c.level) + ' · ' +
              (c.active ? t('active') : t('leftOn', {date: formatDate(c.left_at)})))))))))),
    (file.departed || []).length ?
        h('div', {class: 'departed'}, h('h3', {}, t('departed')),
          h('ul', {}, file.departed.map((c) => h('li', {'data-contact': c.contact_id},
            h('time', {}, formatDate(c.left_at)), ' ', c.contact_id, ' ',
            h('small', {class: 'muted'}, label('role_', c.role) + ' · ' + label('level_', c.level)))))) :
        null);
}

function contactsByRole(people) {
  if (!people.length) return h('p', {class: 'muted'}, t('noContacts'));
  const groups = new Map();
  for (const c of people) {
    const key = c.role + '\u0000' + c.level;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(c);
  }
  return h(
      'table', {class: 'contacts'},
      h('tbody', {}, [...groups.entries()].sort().map(([key, list]) => {
        const [role, level] = key.split('\u0000');
        return h(
            'tr', {}, h('th', {scope: 'row'}, label('role_', role), ' · ', label('level_', level)),
            h('td', {},
              list.map(
                  (c) =>
                      h('span', {class: 'contact' + (c.active ? '' : ' gone')}, c.contact_id, ' ',
                        h('small', {class: 'muted'}, c.active ? t('active') : t('left'))))));
      })));
}

// ---- Alerts -----------------------------------------------------------------------------------

function alertCard(a) {
  const ann = a.annotations || {};
  const evidence = Object.entries(a.evidence || {});
  return h(
      'article', {class: 'alert sev-border-' + a.severity, 'data-alert': a.id},
      h('header', {}, severityBadge(a.severity), ' ',
        h('span', {class: 'chip'}, label('sig_', a.signal)), ' ',
        h('a', {href: accountHref(a.account_id)},
          (a.labels && a.labels.account_name) || a.account_id),
        ' ', h('time', {class: 'muted'}, formatTime(a.started_at)),
        a.escalated ? h('span', {class: 'chip escalated'}, t('escalated')) : null),
      isResolved(a) && alertText(ann, 'resolution') ?
          h('p', {class: 'resolution'}, alertText(ann, 'resolution')) :
          null,
      alertText(ann, 'summary') ? h('p', {class: 'summary'}, alertText(ann, 'summary')) : null,
      alertText(ann, 'description') ? h('p', {}, alertText(ann, 'description')) : null,
      alertText(ann, 'action') ?
          h('p', {class: 'action'}, h('strong', {}, t('action') + ': '), alertText(ann, 'action')) :
          null,
      evidence.length ?
          h('details', {}, h('summary', {}, t('evidence')),
            h('dl', {class: 'evidence'},
              evidence.map(
                  ([k, v]) =>
                      [h('dt', {}, k),
                       h('dd', {}, typeof v === 'number' ? formatNumber(v, 2) : String(v))]))) :
          null,
      planBlock(a), ackControls(a));
}

// The repair plan of an acknowledged critical alert: what, who, by when, and its state.
function planBlock(a) {
  const plan = a.ack && a.ack.plan;
  if (!plan) return null;
  const state = h('span', {class: 'chip plan-state plan-' + plan.state}, t('plan_' + plan.state));
  const block = h('div', {class: 'plan', 'data-plan-state': plan.state},
    h('strong', {}, t('plan') + ' '), state,
    h('p', {class: 'plan-text'}, plan.text),
    h('p', {class: 'muted'}, t('planOwner') + ': ' + (plan.owner || '—') + ' · ' + t('planDue') + ': ' + formatTime(plan.due_at) +
      (plan.done_at ? ' · ' + t('planDoneBy', {by: plan.done_by || '—'}) + ' ' + formatTime(plan.done_at) : '')));
  if (plan.state !== 'done') {
    const button = h('button', {type: 'button', class: 'plan-done'}, t('markPlanDone'));
    button.onclick = async () => {
      button.disabled = true;
      try {
        const res = await api.planDone(a.id, localStorage.getItem('churnwatch.by') || t('ackBy'));
        a.ack = res.ack;
        block.replaceWith(planBlock(a));
        notice(t('planDoneOk'), 'ok');
      } catch (err) {
        notice(t('ackRefused', {msg: err.message, status: err.status || '—'}), 'bad');
        button.disabled = false;
      }
    };
    block.append(button);
  }
  return block;
}

function ackControls(a) {
  const status =
      h('span', {class: 'ack-status', role: 'status'},
        a.ack && a.ack.by ? t('acked', {by: a.ack.by}) : '');
  const by = h('input', {
    name: 'by',
    placeholder: t('ackBy'),
    maxlength: 64,
    value: localStorage.getItem('churnwatch.by') || ''
  });
  const note = h('input', {name: 'note', placeholder: t('ackNote'), maxlength: 256});
  const button = h('button', {type: 'submit', class: 'ack'}, t('ack'));
  // A critical alert may carry a repair plan (the 24-hour response); due tomorrow by default.
  const critical = a.severity === 'critical' && !isResolved(a);
  const tomorrow = new Date(Date.now() + 86400e3);
  const localDue = new Date(tomorrow.getTime() - tomorrow.getTimezoneOffset() * 60e3).toISOString().slice(0, 16);
  const planText = critical ? h('textarea', {name: 'plan_text', placeholder: t('planText'), maxlength: 2000, rows: 2}) : null;
  const planOwner = critical ? h('input', {name: 'plan_owner', placeholder: t('planOwner'), maxlength: 64}) : null;
  const planDue = critical ? h('input', {name: 'plan_due', type: 'datetime-local', value: localDue, 'aria-label': t('planDue')}) : null;
  return h(
      'form', {
        class: 'ack-form',
        onsubmit: async (e) => {
          e.preventDefault();
          button.disabled = true;
          localStorage.setItem('churnwatch.by', by.value);
          try {
            const plan = planText && planText.value.trim() ?
                {text: planText.value.trim(), owner: planOwner.value.trim() || undefined,
                  due_at: new Date(planDue.value).toISOString()} :
                undefined;
            const res = await api.ack(a.id, by.value, note.value, plan);
            if (res && res.ack && res.ack.plan) {
              a.ack = res.ack;
              const old = e.target.parentNode.querySelector('.plan');
              const fresh = planBlock(a);
              if (old) old.replaceWith(fresh); else e.target.before(fresh);
            }
            const who = (res && res.ack && res.ack.by) || by.value;
            status.textContent = t('acked', {by: who});
            status.className = 'ack-status ok';
            notice(t('ackOk', {id: a.id}), 'ok');
          } catch (err) {
            // The server's own reason ("writes are disabled", "a valid token is required"),
            // with its status: a 403 of a read-only engine is not a token problem.
            const msg = err.status === 404 && /no such endpoint/.test(err.message) ?
                t('ackUnsupported') :
                t('ackRefused', {msg: err.message, status: err.status || '—'});
            status.textContent = msg;
            status.className = 'ack-status bad';
            notice(msg, 'bad');
          }
          button.disabled = false;
        }
      },
      by, note,
      critical ? h('div', {class: 'plan-fields'}, h('span', {class: 'muted'}, t('planHint')), planText, planOwner, planDue) : null,
      button, status);
}

async function alertsView() {
  const liveState = h('span', {class: 'live-state muted'});
  const live =
      h('ol', {class: 'transitions', 'aria-live': 'polite'},
        h('li', {class: 'muted empty'}, t('noTransitions')));
  const firingSlot = h('div', {class: 'alerts'}, h('p', {class: 'muted'}, t('loading')));
  clear(main).append(
      h('section', {class: 'view alerts-view'},
        h('div', {class: 'card'}, h('h2', {}, t('live'), ' ', liveState), live),
        h('div', {class: 'card'}, h('h2', {}, t('currentFiring')), firingSlot)));
  stopView = streamAlerts(
      (ev) => {
        let a;
        try {
          a = JSON.parse(ev.data);
        } catch {
          return;
        }
        const empty = live.querySelector('.empty');
        if (empty) empty.remove();
        const alert = a.alert || {};
        const kind = String(a.kind || '');
        live.prepend(
            h('li', {
              class: 'transition',
              'data-seq': ev.id,
              'data-kind': kind,
              'data-account': alert.account_id
            },
              h('time', {}, formatTime(a.at)), ' ', severityBadge(alert.severity), ' ',
              h('strong', {class: 'state'},
                kind === 'ACKNOWLEDGED' ? t('acked', {by: a.by || '—'}) : label('state_', kind)),
              ' ', h('span', {class: 'chip'}, label('sig_', alert.signal)), ' ',
              h('a', {href: accountHref(alert.account_id)},
                (alert.labels && alert.labels.account_name) || alert.account_id),
              ' ',
              alertText(alert.annotations, kind === 'RESOLVED' ? 'resolution' : 'summary') ?
                  h('span', {class: 'muted'},
                    alertText(alert.annotations, kind === 'RESOLVED' ? 'resolution' : 'summary')) :
                  null));
        while (live.children.length > 200) live.lastChild.remove();
      },
      (state) => {
        liveState.textContent = state === 'open' ? t('liveConnected') :
            state === 'unsupported'              ? t('liveUnsupported') :
                                                   t('liveDisconnected');
        liveState.dataset.state = state;
      });
  try {
    const data = await api.alerts({state: 'firing'});
    // Worst first, newest first within a severity.
    const list = data.alerts.slice().sort(
        (x, y) => SEVERITIES.indexOf(x.severity) - SEVERITIES.indexOf(y.severity) ||
            String(y.started_at).localeCompare(String(x.started_at)));
    append(
        clear(firingSlot),
        list.length ? list.slice(0, 200).map((a) => alertCard(a)) :
                      h('p', {class: 'muted'}, t('noFiring')));
  } catch (e) {
    clear(firingSlot).append(h('p', {class: 'bad'}, t('error', {msg: e.message})));
  }
}

// ---- Rules ------------------------------------------------------------------------------------

async function rulesView() {
  let data;
  try {
    data = await api.rules();
  } catch (e) {
    return showError(e);
  }
  const r = data.last_reload || {};
  clear(main).append(h(
      'section', {class: 'view rules'},
      h('div', {class: 'card'},
        h('dl', {}, h('dt', {}, t('rulesVersion')), h('dd', {id: 'rules-version'}, data.version),
          h('dt', {}, t('loadedAt')), h('dd', {}, formatTime(data.loaded_at)),
          h('dt', {}, t('files')), h('dd', {}, (data.files || []).join(', ')),
          h('dt', {}, t('lastReload')),
          h('dd', {id: 'last-reload', class: r.ok ? 'ok' : 'bad'},
            (r.ok ? t('reloadOk') : t('reloadFailed')) + ' · ' + formatTime(r.at))),
        (r.problems || []).length ? h('div', {}, h('h3', {}, t('problems')),
                                      h('ul', {}, r.problems.map((p) => h('li', {}, p)))) :
                                    null),
      h('div', {class: 'table-wrap'},
        h('table', {class: 'rules-table'},
          h('thead', {},
            h('tr', {},
              ['rule', 'signal', 'severity', 'kind', 'forDuration', 'tiers']
                  .map((k) => h('th', {scope: 'col'}, t(k))))),
          h('tbody', {},
            data.rules.map(
                (rule) =>
                    h('tr', {},
                      h('td', {'data-label': t('rule')},
                        h('div', {}, h('code', {}, rule.id),
                          h('div', {class: 'muted'}, rule.file + ':' + rule.line))),
                      h('td', {'data-label': t('signal')},
                        label('sig_', rule.labels && rule.labels.signal)),
                      h('td', {'data-label': t('severity')},
                        // The default first (it applies to every tier not listed), then
                        // overrides; one element for the cell's phone grid.
                        h('div', {class: 'sevs'},
                          h('div', {class: 'sev-default'}, severityBadge(rule.severity)),
                          Object.entries(rule.severity_by_tier || {})
                              .map(
                                  ([tier, sev]) =>
                                      h('div', {class: 'sev-tier'}, enumLabel('tier', tier) + ': ',
                                        severityBadge(sev))))),
                      h('td', {'data-label': t('kind')},
                        rule.expr ? h('code', {}, rule.expr) : rule.kind),
                      h('td', {'data-label': t('forDuration')},
                        rule.for_seconds ? formatNumber(rule.for_seconds / 86400, 1) + ' d' : '—'),
                      h('td', {'data-label': t('tiers')},
                        (rule.tiers || []).join(', ') || t('all')))))))));
}

// ---- Router -----------------------------------------------------------------------------------

function showError(e) {
  clear(main).append(h('p', {class: 'bad error'}, t('error', {msg: e.message})));
}

let renderSeq = 0;
async function render() {
  stopView();
  stopView = () => {};
  const seq = ++renderSeq;
  chrome();
  notice('');
  const route = location.hash.replace(/^#/, '').split('?')[0] || '/';
  if (seq !== renderSeq) return;
  main.setAttribute('aria-busy', 'true');
  if (route.startsWith('/account/'))
    await accountView(decodeURIComponent(route.slice('/account/'.length)));
  else if (route === '/alerts')
    await alertsView();
  else if (route === '/rules')
    await rulesView();
  else
    await atRiskView();
  main.setAttribute('aria-busy', 'false');
  main.dataset.view = route.split('/')[1] || 'risk';
}

document.getElementById('lang').addEventListener('click', () => {
  setLang(currentLang() === 'zh-CN' ? 'en' : 'zh-CN');
  render();
});
const tokenInput = document.getElementById('token');
tokenInput.value = token();
tokenInput.addEventListener('change', () => setToken(tokenInput.value.trim()));
document.getElementById('tools').addEventListener('submit', (e) => {
  e.preventDefault();
  setToken(tokenInput.value.trim());
});
window.addEventListener('hashchange', render);
render();
