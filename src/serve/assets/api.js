// Talking to the server: the access token, JSON requests with typed errors, server-sent events.

// ---------------------------------------------------------------- token

export const TOKEN_KEY = 'pairproof.token';
export let token = null;
(function initToken() {
  try {
    const u = new URL(location.href);
    const q = u.searchParams.get('token');
    if (q) {
      sessionStorage.setItem(TOKEN_KEY, q);
      u.searchParams.delete('token');
      history.replaceState(history.state, '', u.pathname + u.search + u.hash);
    }
    token = sessionStorage.getItem(TOKEN_KEY);
  } catch (_) { token = null; }
})();

export function authHeaders(extra) {
  const hd = new Headers(extra || {});
  if (token) hd.set('X-Pairproof-Token', token);
  return hd;
}

// ---------------------------------------------------------------- API

export class ApiError extends Error {
  constructor({ code, message, file, status }) {
    super(message || code);
    this.code = code;
    this.serverMessage = message || '';
    this.file = file || null;
    this.status = status || 0;
  }
}

export async function errorFrom(res) {
  let body = null;
  try { body = await res.json(); } catch (_) { /* not JSON */ }
  if (body && typeof body.code === 'string') {
    return new ApiError({ code: body.code, message: body.message, file: body.file, status: res.status });
  }
  if (res.status === 413) return new ApiError({ code: 'E_UPLOAD_TOO_LARGE', status: 413 });
  return new ApiError({ code: 'E_HTTP', status: res.status });
}

export async function api(path, opts) {
  const o = opts || {};
  const headers = authHeaders(o.headers);
  let body = o.body;
  if (o.json !== undefined) {
    headers.set('Content-Type', 'application/json');
    body = JSON.stringify(o.json);
  }
  let res;
  try {
    res = await fetch(path, { method: o.method || 'GET', headers, body, cache: 'no-store' });
  } catch (e) {
    throw new ApiError({ code: 'E_NETWORK', message: String(e && e.message || e) });
  }
  if (!res.ok) throw await errorFrom(res);
  return res;
}

// Server-sent events. EventSource cannot send the token header, so with a token the stream
// is read with fetch and parsed here (same wire format).
export function openEvents(url, handlers) {
  if (!token && typeof EventSource === 'function') {
    const es = new EventSource(url);
    for (const [name, fn] of Object.entries(handlers.events)) {
      es.addEventListener(name, (ev) => fn(ev.data));
    }
    es.onerror = () => handlers.onError();
    return { close: () => es.close() };
  }
  const ctrl = new AbortController();
  (async () => {
    try {
      const res = await fetch(url, { headers: authHeaders({ Accept: 'text/event-stream' }), signal: ctrl.signal, cache: 'no-store' });
      if (!res.ok) { handlers.onFailed(await errorFrom(res)); return; }
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      let evName = 'message';
      let data = [];
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let m;
        while ((m = /\r\n|\n|\r/.exec(buf))) {
          const line = buf.slice(0, m.index);
          buf = buf.slice(m.index + m[0].length);
          if (line === '') {
            if (data.length && handlers.events[evName]) handlers.events[evName](data.join('\n'));
            evName = 'message';
            data = [];
          } else if (!line.startsWith(':')) {
            const c = line.indexOf(':');
            const field = c < 0 ? line : line.slice(0, c);
            let val = c < 0 ? '' : line.slice(c + 1);
            if (val.startsWith(' ')) val = val.slice(1);
            if (field === 'event') evName = val;
            else if (field === 'data') data.push(val);
          }
        }
      }
      handlers.onError();
    } catch (_) {
      if (!ctrl.signal.aborted) handlers.onError();
    }
  })();
  return { close: () => ctrl.abort() };
}
