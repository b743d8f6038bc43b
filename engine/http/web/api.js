// The REST API as the dashboard uses it. The bearer token (if the operator typed one) rides on
// every request; it lives in sessionStorage only, never in a URL.
const TOKEN_KEY = 'churnwatch.token';

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}
export function setToken(value) {
  if (value)
    sessionStorage.setItem(TOKEN_KEY, value);
  else
    sessionStorage.removeItem(TOKEN_KEY);
}

function headers(extra) {
  const out = {Accept: 'application/json', ...extra};
  if (token()) out.Authorization = 'Bearer ' + token();
  return out;
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function request(method, path, body) {
  const init = {method, headers: headers(body ? {'Content-Type': 'application/json'} : {})};
  if (body) init.body = JSON.stringify(body);
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, e.message);
  }
  let data = null;
  try {
    data = await res.json();
  } catch { /* not JSON */
  }
  if (!res.ok) throw new ApiError(res.status, (data && data.error) || 'HTTP ' + res.status);
  return data;
}

export const api = {
  accounts: (params) => request('GET', '/api/v1/accounts?' + new URLSearchParams(params)),
  account: (id) => request('GET', '/api/v1/accounts/' + encodeURIComponent(id)),
  accountAlerts: (id) => request('GET', '/api/v1/accounts/' + encodeURIComponent(id) + '/alerts'),
  alerts: (params) => request('GET', '/api/v1/alerts?' + new URLSearchParams(params)),
  rules: () => request('GET', '/api/v1/rules'),
  accountContacts: (id) =>
      request('GET', '/api/v1/accounts/' + encodeURIComponent(id) + '/contacts'),
  accountTimeline: (id) =>
      request('GET', '/api/v1/accounts/' + encodeURIComponent(id) + '/timeline?limit=200'),
  // plan: {text, owner, due_at} or undefined (today's body).
  ack: (id, by, note, plan) => request(
      'POST', '/api/v1/alerts/' + encodeURIComponent(id) + '/ack', plan ? {by, note, plan} : {by, note}),
  planDone: (id, by) =>
      request('POST', '/api/v1/alerts/' + encodeURIComponent(id) + '/plan/done', {by}),
};

// Server-sent events from /api/v1/alerts/stream, read with fetch so the token can go in the
// Authorization header (EventSource can not send one). Calls onEvent({event, id, data}) per
// event and onState('open' | 'closed' | 'unsupported'); reconnects after a drop, resuming from
// the last id. Returns a function that stops it.
export function streamAlerts(onEvent, onState) {
  let stopped = false;
  let lastId = '';
  let controller = null;
  async function connect() {
    while (!stopped) {
      controller = new AbortController();
      try {
        const h = headers({Accept: 'text/event-stream'});
        if (lastId) h['Last-Event-ID'] = lastId;
        const res = await fetch('/api/v1/alerts/stream', {headers: h, signal: controller.signal});
        if (res.status === 404) {
          onState('unsupported');
          return;
        }
        if (!res.ok || !res.body) throw new Error('HTTP ' + res.status);
        onState('open');
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const {value, done} = await reader.read();
          if (done) break;
          buffer += value;
          let cut;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const ev = {event: 'message', id: '', data: ''};
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) continue;
              const colon = line.indexOf(':');
              const field = colon < 0 ? line : line.slice(0, colon);
              const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
              if (field === 'data')
                ev.data += (ev.data ? '\n' : '') + val;
              else if (field === 'event')
                ev.event = val;
              else if (field === 'id')
                ev.id = val;
            }
            if (ev.id) lastId = ev.id;
            if (ev.data) onEvent(ev);
          }
        }
      } catch (e) {
        if (stopped) return;
      }
      if (stopped) return;
      onState('closed');
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  connect();
  return () => {
    stopped = true;
    if (controller) controller.abort();
  };
}
