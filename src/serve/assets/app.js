// pairproof serve: the browser side. Plain ES2020 module, no framework, no build step.
// HTTP contract: pairproof.serve-* (see the server's documentation). Everything a seller
// reads comes from i18n.js, chosen by a finding's `id` and `reason`; the server's English
// `message`/`fix` is only a fallback for rule ids, reasons and error codes this page does not know.

import { STRINGS, LANGS } from './i18n.js';

// ---------------------------------------------------------------- language

const LANG_KEY = 'pairproof.lang';
const TOKEN_KEY = 'pairproof.token';

function normLang(v) {
  if (!v) return null;
  const s = String(v).toLowerCase();
  if (s.startsWith('zh')) return 'zh-CN';
  if (s.startsWith('en')) return 'en';
  return null;
}

function initialLang() {
  const fromUrl = normLang(new URLSearchParams(location.search).get('lang'));
  if (fromUrl) return fromUrl;
  try {
    const stored = normLang(localStorage.getItem(LANG_KEY));
    if (stored) return stored;
  } catch (_) { /* storage disabled */ }
  const prefs = (navigator.languages && navigator.languages.length)
    ? navigator.languages : [navigator.language || 'en'];
  for (const p of prefs) {
    const l = normLang(p);
    if (l) return l;
  }
  return 'en';
}

let lang = initialLang();

function t(key, vars) {
  let s = STRINGS[lang][key];
  if (s === undefined) s = STRINGS.en[key];
  if (s === undefined) return key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] === undefined || vars[k] === null ? m : String(vars[k])));
  return s;
}
const has = (key) => STRINGS.en[key] !== undefined;
// plural-aware: KEY.one when n === 1 (English needs it; the Chinese entries are the same text)
const tn = (key, n, vars) => t(n === 1 && has(`${key}.one`) ? `${key}.one` : key, Object.assign({ n }, vars || {}));

function setLang(l, remember) {
  if (!LANGS.includes(l)) return;
  lang = l;
  if (remember) {
    try { localStorage.setItem(LANG_KEY, l); } catch (_) { /* ignore */ }
    const u = new URL(location.href);
    if (u.searchParams.has('lang')) {
      u.searchParams.set('lang', l);
      history.replaceState(history.state, '', u.pathname + u.search + u.hash);
    }
  }
  applyStatic();
  renderAll();
}

// ---------------------------------------------------------------- token

let token = null;
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

function authHeaders(extra) {
  const hd = new Headers(extra || {});
  if (token) hd.set('X-Pairproof-Token', token);
  return hd;
}

// ---------------------------------------------------------------- formatting

const fmt4 = (x) => (typeof x === 'number' && isFinite(x) ? x.toFixed(4) : '–');
const signed = (x, d) => (typeof x === 'number' && isFinite(x) ? (x >= 0 ? '+' : '−') + Math.abs(x).toFixed(d) : '–');
const num = (v, fallback) => (typeof v === 'number' && isFinite(v) ? v : fallback);

function fmtBytes(n) {
  if (typeof n !== 'number' || !isFinite(n)) return '–';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  if (n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MB`;
  return `${(n / (1024 * 1024)).toFixed(2)} MB`;
}
function fmtPct(x, digits) {
  if (typeof x !== 'number' || !isFinite(x)) return '–';
  return `${(x * 100).toFixed(digits === undefined ? 1 : digits)}%`;
}
function basename(p) {
  const s = String(p || '');
  const i = Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\'));
  return i >= 0 ? s.slice(i + 1) : s;
}
function dirname(p) {
  const s = String(p || '');
  const i = Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\'));
  return i > 0 ? s.slice(0, i) : '';
}
function shortDir(p) {
  const d = dirname(p);
  return d.length > 30 ? `…${d.slice(-29)}` : d;
}
function joinList(items, sepKey) { return items.join(t(sepKey || 'list.sep')); }

// ---------------------------------------------------------------- DOM helper

// h('div', {class: 'x', 'data-testid': 'y', text: '…', on: {click: fn}}, child, [children], null)
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
      else if (k === 'props') Object.assign(el, v);
      else if (k === 'style') throw new Error('inline styles are blocked by the CSP; use classes');
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  appendKids(el, children);
  return el;
}
function appendKids(el, kids) {
  for (const c of kids) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) appendKids(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}
const $ = (sel) => document.querySelector(sel);
// <details> whose open state survives re-rendering (language switch, button clicks)
const openDetails = new Set();
function keptDetails(key, attrs, ...children) {
  const d = h('details', attrs, ...children);
  if (openDetails.has(key)) d.open = true;
  d.addEventListener('toggle', () => { if (d.open) openDetails.add(key); else openDetails.delete(key); });
  return d;
}
function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }

function downloadLink(url, name) {
  const a = h('a', { href: url, download: name, class: 'sr-only' });
  document.body.append(a);
  a.click();
  setTimeout(() => a.remove(), 0);
}

function contentDispositionName(cd) {
  if (!cd) return null;
  let m = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(cd);
  if (m) {
    try { return safeName(decodeURIComponent(m[1].trim().replace(/^"|"$/g, ''))); } catch (_) { /* fall through */ }
  }
  m = /filename\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(cd);
  if (m) return safeName(m[1].replace(/\\(.)/g, '$1'));
  m = /filename\s*=\s*([^;]+)/i.exec(cd);
  if (m) return safeName(m[1].trim());
  return null;
}
function safeName(n) { const b = basename(n).trim(); return b || null; }

// ---------------------------------------------------------------- API

class ApiError extends Error {
  constructor({ code, message, file, status }) {
    super(message || code);
    this.code = code;
    this.serverMessage = message || '';
    this.file = file || null;
    this.status = status || 0;
  }
}

async function errorFrom(res) {
  let body = null;
  try { body = await res.json(); } catch (_) { /* not JSON */ }
  if (body && typeof body.code === 'string') {
    return new ApiError({ code: body.code, message: body.message, file: body.file, status: res.status });
  }
  if (res.status === 413) return new ApiError({ code: 'E_UPLOAD_TOO_LARGE', status: 413 });
  return new ApiError({ code: 'E_HTTP', status: res.status });
}

async function api(path, opts) {
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
function openEvents(url, handlers) {
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

// ---------------------------------------------------------------- state

const S = {
  info: null,
  infoError: null,
  tab: 'check',
  check: {
    main: null, hidden: null, mainUrl: null, hiddenUrl: null,
    seq: 0, busy: false, result: null, error: null, zoneError: {},
    opacity: 50, boxes: true, gps: {},
  },
  batch: { files: [], busy: false, result: null, error: null, sort: { key: 'verdict', dir: 'desc' }, selected: null, zoneError: null, exported: null },
  scan: { running: false, job: null, progress: null, result: null, error: null, decisions: {}, conn: null, hint: null },
  ev: { original: null, originalUrl: null, suspects: [], busy: false, result: null, error: null, zoneError: {} },
};

const maxUpload = () => (S.info && typeof S.info.max_upload_bytes === 'number' ? S.info.max_upload_bytes : null);
const gate = () => (S.info && typeof S.info.ssim_threshold === 'number' ? S.info.ssim_threshold : 0.92);

// ---------------------------------------------------------------- shared views

function errorView(err, testid) {
  const e = err instanceof ApiError ? err : new ApiError({ code: 'E_NETWORK', message: String(err && err.message || err) });
  let text;
  if (e.code === 'E_NETWORK') text = t('err.network');
  else if (has(e.code)) text = t(e.code, { max: maxUpload() ? fmtBytes(maxUpload()) : '–' });
  else if (e.serverMessage) text = e.serverMessage;
  else text = t('err.http', { status: e.status || '?' });
  const showDetails = e.serverMessage && e.serverMessage !== text && e.code !== 'E_NETWORK';
  return h('div', { class: 'alert alert-error', role: 'alert', 'data-testid': testid || 'error', 'data-code': e.code },
    h('span', { class: 'alert-icon', 'aria-hidden': 'true', text: '!' }),
    h('div', { class: 'alert-body' },
      h('div', { class: 'alert-title', text }),
      e.file ? h('div', { class: 'alert-line', text: t('err.file', { file: basename(e.file) }) }) : null,
      e.code && e.code.startsWith('E_') && e.code !== 'E_HTTP' && e.code !== 'E_NETWORK'
        ? h('div', { class: 'alert-code', text: t('err.code', { code: e.code }) }) : null,
      showDetails ? h('details', { class: 'alert-details' },
        h('summary', { text: t('err.details') }),
        h('code', { text: e.serverMessage })) : null));
}

// one `{path, code, message}` item (image errors, batch/scan problems)
function problemItem(p, testid) {
  const code = p.code || '';
  const translated = has(code) ? t(code, { max: maxUpload() ? fmtBytes(maxUpload()) : '–' }) : null;
  return h('li', { class: 'problem', 'data-testid': testid || 'problem', 'data-code': code },
    h('span', { class: 'problem-file', title: p.path || '', text: basename(p.path || '') || '—' }),
    h('span', { class: 'problem-text', title: translated ? (p.message || null) : null, text: translated || p.message || code }),
    h('code', { class: 'problem-code', text: code }));
}

function chip(cls, text, extra) {
  return h('span', Object.assign({ class: `chip ${cls}`, text }, extra || {}));
}

const VERDICT_ICON = { pass: '✓', warn: '!', fail: '✕', error: '?' };
function verdictChip(v, testid) {
  const k = ['pass', 'warn', 'fail', 'error'].includes(v) ? v : 'error';
  return chip(`chip-${k}`, t(`verdict.short.${k}`), { 'data-testid': testid || null, 'data-verdict': v });
}

// ---------------------------------------------------------------- drop zones

// A large drop target with a visually hidden <input type=file>. `get()` returns the
// selected File (single) or File[] (multiple) for rendering; `onFiles(files)` receives
// the new files.
function dropZone(cfg) {
  const root = $(`#${cfg.mount}`);
  const input = h('input', {
    type: 'file', class: 'sr-only', 'data-testid': cfg.inputTestid,
    accept: cfg.accept || null, multiple: cfg.multiple ? true : null,
  });
  const label = h('label', { class: 'drop', 'data-testid': cfg.testid });
  const folderInput = cfg.folder ? h('input', {
    type: 'file', class: 'sr-only', multiple: true, webkitdirectory: true, 'data-testid': cfg.folderTestid,
  }) : null;

  const take = (files) => {
    const arr = Array.from(files || []).filter((f) => f && f.size !== undefined);
    if (arr.length) cfg.onFiles(arr);
  };
  input.addEventListener('change', () => { take(input.files); input.value = ''; });
  if (folderInput) folderInput.addEventListener('change', () => { take(folderInput.files); folderInput.value = ''; });

  let depth = 0;
  label.addEventListener('dragenter', (e) => { e.preventDefault(); depth++; label.classList.add('over'); });
  label.addEventListener('dragover', (e) => { e.preventDefault(); if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy'; });
  label.addEventListener('dragleave', () => { depth = Math.max(0, depth - 1); if (!depth) label.classList.remove('over'); });
  label.addEventListener('drop', async (e) => {
    e.preventDefault();
    depth = 0;
    label.classList.remove('over');
    const dt = e.dataTransfer;
    if (!dt) return;
    if (cfg.folder && dt.items && dt.items.length && typeof dt.items[0].webkitGetAsEntry === 'function') {
      const entries = Array.from(dt.items).map((it) => it.webkitGetAsEntry()).filter(Boolean);
      if (entries.some((en) => en.isDirectory)) { take(await filesFromEntries(entries)); return; }
    }
    take(cfg.multiple ? dt.files : Array.from(dt.files).slice(0, 1));
  });

  function render() {
    clear(label);
    label.append(input);
    const value = cfg.get();
    const hasValue = cfg.multiple ? value.length > 0 : !!value;
    label.classList.toggle('filled', hasValue && !cfg.multiple);
    label.classList.toggle('large', !!cfg.large);
    label.append(h('span', { class: 'drop-title', text: t(cfg.titleKey) }));
    if (cfg.hintKey) label.append(h('span', { class: 'drop-hint', text: t(cfg.hintKey) }));
    if (hasValue && !cfg.multiple) {
      const url = cfg.previewUrl ? cfg.previewUrl() : null;
      label.append(h('span', { class: 'drop-preview' },
        url ? h('img', { src: url, alt: value.name, class: 'drop-img' }) : null,
        h('span', { class: 'drop-file' },
          h('span', { class: 'drop-name', text: value.name, 'data-testid': `${cfg.testid}-name` }),
          h('span', { class: 'drop-size', text: fmtBytes(value.size) }),
          h('span', { class: 'btn small ghost', text: t('drop.change') }))));
    } else {
      label.append(h('span', { class: 'drop-empty' },
        h('span', { class: 'drop-icon', 'aria-hidden': 'true' }),
        h('span', { class: 'drop-cta', text: t(cfg.ctaKey || (cfg.multiple ? 'drop.ctaMany' : 'drop.cta')) }),
        h('span', { class: 'drop-or', text: t('drop.or') }),
        h('span', { class: 'btn secondary', text: t(cfg.multiple ? 'drop.browseMany' : 'drop.browse') }),
        cfg.formatsHint === false ? null
          : h('span', { class: 'drop-formats', text: t(cfg.formatsKey || 'drop.formats', { size: maxUpload() ? fmtBytes(maxUpload()) : '25 MB' }) })));
    }
    clear(root);
    root.append(label);
    if (folderInput) {
      root.append(h('div', { class: 'drop-extra' },
        h('label', { class: 'btn ghost small folder-btn' }, folderInput, h('span', { text: t('drop.folder') }))));
    }
    const err = cfg.error ? cfg.error() : null;
    if (err) root.append(h('div', { class: 'zone-error', role: 'alert', 'data-testid': `${cfg.testid}-error`, text: err }));
    if (cfg.after) { const extra = cfg.after(); if (extra) root.append(extra); }
  }
  return { render };
}

async function filesFromEntries(entries) {
  const out = [];
  const walk = async (entry) => {
    if (entry.isFile) {
      await new Promise((res) => entry.file((f) => { out.push(f); res(); }, () => res()));
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((res) => reader.readEntries(res, () => res([])));
        if (!batch.length) break;
        for (const e of batch) await walk(e);
      }
    }
  };
  for (const e of entries) await walk(e);
  return out;
}

function tooLarge(file) {
  const max = maxUpload();
  if (max && file.size > max) return t('drop.tooLarge', { name: file.name, size: fmtBytes(file.size), max: fmtBytes(max) });
  return null;
}

// ---------------------------------------------------------------- findings → words

const normStatus = (s) => (s === 'skip' ? 'skipped' : s);
const ROLE_ORDER = ['main', 'hidden', 'image'];
const roleName = (r) => t(`role.${r}`);
const RoleName = (r) => t(`role.${r.charAt(0).toUpperCase()}${r.slice(1)}`);
function rolesOf(obj, pred) {
  if (!obj || typeof obj !== 'object') return [];
  return Object.keys(obj).filter((k) => pred(obj[k], k))
    .sort((a, b) => ROLE_ORDER.indexOf(a) - ROLE_ORDER.indexOf(b));
}
const fileOf = (report, role) => (report && report[role] && typeof report[role] === 'object' ? report[role] : null);
const hasWarning = (file, codes) => !!(file && Array.isArray(file.warnings) && file.warnings.some((w) => codes.includes(w.code)));

// Overlay kinds (the `hidden.clean.<kind>` rules and a box's `kind`).
const KINDS = ['qr', 'barcode', 'frame', 'banner', 'sticker', 'text', 'watermark', 'arrow'];
const HIDDEN_CLEAN = 'hidden.clean.';
// Where the main image's additions lie (a box's `place`), in the order a list names them.
const PLACES = ['top', 'bottom', 'left', 'right', 'all_edges', 'top_left', 'top_right', 'bottom_left', 'bottom_right', 'over_product', 'background'];

// "a, b and c" / "a、b和c"
function wordList(items) {
  if (items.length <= 1) return items.join('');
  return items.slice(0, -1).join(t('list.comma')) + t('list.and') + items[items.length - 1];
}
// The places of a finding's added_on_main boxes, in words ("a banner along the bottom", "底部横幅").
function placeWords(boxes) {
  const places = new Set((Array.isArray(boxes) ? boxes : [])
    .filter((b) => b && b.what === 'added_on_main' && PLACES.includes(b.place)).map((b) => b.place));
  return PLACES.filter((p) => places.has(p)).map((p) => t(`place.${p}`));
}

// Returns {msg, fix} in the current language, chosen by the finding's `id` and `reason` (never
// by its English `message`); throws for an unknown reason or when `measured` has an unexpected
// shape (the caller then falls back to the server's English text).
function findingWords(f, report) {
  const st = normStatus(f.status);
  const m = f.measured;
  const L = f.limit;
  const fix = (key, vars) => (st === 'warn' || st === 'fail' ? t(key, vars) : null);
  const say = (key, vars, fixKey, fixVars) => ({ msg: t(key, vars), fix: fixKey ? fix(fixKey, fixVars) : null });
  const unknown = () => { throw new Error(`unknown reason ${f.reason}`); };

  if (typeof f.id === 'string' && f.id.startsWith(HIDDEN_CLEAN)) {
    const kind = f.id.slice(HIDDEN_CLEAN.length);
    if (!KINDS.includes(kind)) unknown();
    const boxes = Array.isArray(f.boxes) ? f.boxes : [];
    const vars = { noun: t(`kind.${kind}.noun`), words: t(`kind.${kind}.words`) };
    const count = num(m && m.count, boxes.filter((b) => b && b.what === 'overlay').length);
    const print = num(m && m.print_on_product, boxes.filter((b) => b && b.what === 'product_print').length);
    switch (f.reason) {
      case 'found': {
        let msg = t('f.hidden.clean.found', Object.assign({ n: count }, vars));
        if (print > 0) msg += tn('f.hidden.clean.alsoPrint', print);
        return { msg, fix: fix('fix.hidden.clean.found') };
      }
      case 'no_overlays': return say('f.hidden.clean.none', vars);
      case 'only_product_print': return say('f.hidden.clean.printOnly', { n: print });
      case 'not_run_too_small': return say('f.hidden.clean.tooSmall');
      default: return unknown();
    }
  }

  switch (f.id) {
    case 'ssim': {
      switch (f.reason) {
        case 'image_too_small': return say('f.ssim.skippedSmall');
        case 'sizes_differ': return say('f.ssim.skippedSize');
        case 'ssim_clear': case 'ssim_within_margin': case 'ssim_below_gate': case 'ssim_overlays_on_main': break;
        default: return unknown();
      }
      if (!m || typeof m.luma !== 'number') throw new Error('shape');
      const g = num(L, gate());
      const margin = num(m.margin, m.luma - g);
      const key = { ssim_clear: 'pass', ssim_within_margin: 'warn', ssim_below_gate: 'fail', ssim_overlays_on_main: 'overlaysOnMain' }[f.reason];
      let msg = t(`f.ssim.${key}`, {
        luma: fmt4(m.luma), gate: String(g), margin: signed(margin, 4), by: fmt4(Math.abs(margin)), short: fmt4(-margin), rgb: fmt4(m.rgb_mean),
        share: fmtPct(m.overlay_share, 0), outside: fmt4(m.ssim_outside_overlays),
      });
      if (m.crop && Array.isArray(m.crop.size)) msg += t('f.ssim.crop', { w: m.crop.size[0], h: m.crop.size[1] });
      return { msg, fix: key === 'pass' ? null : fix(`fix.ssim.${key}`) };
    }
    case 'dims.equal': {
      if (!m || !Array.isArray(m.main) || !Array.isArray(m.hidden)) throw new Error('shape');
      const [mw, mh] = m.main; const [hw, hh] = m.hidden;
      switch (f.reason) {
        case 'same_size': return say('f.dims.equal.pass', { w: mw, h: mh });
        case 'size_differs': return say('f.dims.equal.fail', { mw, mh, hw, hh }, 'fix.dims.equal', { mw, mh });
        default: return unknown();
      }
    }
    case 'dims.aspect': {
      if (typeof m !== 'number') throw new Error('shape');
      const vars = { err: m.toFixed(2), limit: num(L, 1) };
      switch (f.reason) {
        case 'aspect_agrees': return say('f.dims.aspect.pass', vars);
        case 'aspect_differs': return say('f.dims.aspect.fail', vars, 'fix.dims.aspect');
        default: return unknown();
      }
    }
    case 'format': {
      switch (f.reason) {
        case 'jpeg_or_png': return say('f.format.pass');
        case 'not_jpeg_or_png': {
          const roles = rolesOf(m, (v) => !['jpeg', 'png'].includes(v));
          if (!roles.length) throw new Error('shape');
          const list = joinList(roles.map((r) => t('f.format.failItem', { role: RoleName(r), fmt: String(m[r]).toUpperCase() })));
          return say('f.format.fail', { list }, 'fix.format.fail');
        }
        case 'extension_mismatch': {
          const roles = rolesOf(m, (v, r) => hasWarning(fileOf(report, r), ['W_EXTENSION_MISMATCH']));
          if (!roles.length) throw new Error('shape');
          const list = joinList(roles.map((r) => t('f.format.warnItem', {
            role: RoleName(r), ext: fileOf(report, r).extension || '', fmt: String(m[r]).toUpperCase(),
          })));
          return say('f.format.warn', { list }, 'fix.format.warn');
        }
        default: return unknown();
      }
    }
    case 'file.size': {
      const limit = fmtBytes(num(L, 5242880));
      switch (f.reason) {
        case 'within_limit': return say('f.file.size.pass', { limit });
        case 'over_limit': {
          const roles = rolesOf(m, (v) => typeof v === 'number' && v > num(L, 5242880));
          if (!roles.length) throw new Error('shape');
          const list = joinList(roles.map((r) => t('f.file.size.failItem', { role: RoleName(r), size: fmtBytes(m[r]) })));
          return say('f.file.size.fail', { list, limit }, 'fix.file.size');
        }
        default: return unknown();
      }
    }
    case 'background': {
      if (f.reason === 'image_too_small') return say('f.background.skipped');
      if (f.reason !== 'background_matches' && f.reason !== 'background_differs') return unknown();
      const d = num(m && m.max_channel_delta, NaN);
      if (!isFinite(d)) throw new Error('shape');
      const note = m.main_flat === false || m.hidden_flat === false ? t('f.background.notFlat') : '';
      const rgb = (c) => c.map((x) => Math.round(x)).join(',');
      if (f.reason === 'background_matches') return { msg: t('f.background.pass', { d: d.toFixed(1) }) + note, fix: null };
      return {
        msg: t('f.background.fail', { h: rgb(m.hidden_rgb), m: rgb(m.main_rgb), d: d.toFixed(1), limit: num(L, 5) }) + note,
        fix: fix('fix.background'),
      };
    }
    case 'metadata.gps': {
      switch (f.reason) {
        case 'no_gps': return say('f.metadata.gps.pass');
        case 'gps_present': {
          const roles = rolesOf(m, (v) => v === true);
          if (!roles.length) throw new Error('shape');
          return say('f.metadata.gps.fail', { roles: joinList(roles.map(roleName), 'list.and') }, 'fix.metadata.gps.fail');
        }
        case 'exif_unreadable': {
          const roles = rolesOf(m, (v, r) => hasWarning(fileOf(report, r), ['W_EXIF_UNREADABLE', 'W_LIMIT_METADATA']));
          if (!roles.length) throw new Error('shape');
          return say('f.metadata.gps.warn', { roles: joinList(roles.map(roleName), 'list.and') }, 'fix.metadata.gps.warn');
        }
        default: return unknown();
      }
    }
    case 'color.srgb': {
      const kind = (r) => { const f2 = fileOf(report, r); return f2 && f2.colour_space ? f2.colour_space.kind : null; };
      switch (f.reason) {
        case 'srgb': return say('f.color.srgb.pass');
        case 'not_srgb': {
          const roles = rolesOf(m, (v, r) => { const k = kind(r); return k && !['srgb', 'untagged', 'corrupt_icc'].includes(k); });
          if (!roles.length) throw new Error('shape');
          const list = joinList(roles.map((r) => t('f.color.srgb.failItem', { role: RoleName(r), space: has(`cs.${kind(r)}`) ? t(`cs.${kind(r)}`) : m[r] })));
          return say('f.color.srgb.fail', { list }, 'fix.color.srgb.fail');
        }
        case 'icc_unreadable': {
          const roles = rolesOf(m, (v, r) => kind(r) === 'corrupt_icc');
          if (!roles.length) throw new Error('shape');
          const list = joinList(roles.map((r) => t('f.color.srgb.warnItem', { role: RoleName(r) })));
          return say('f.color.srgb.warn', { list }, 'fix.color.srgb.warn');
        }
        default: return unknown();
      }
    }
    case 'compression': {
      if (f.reason === 'quality_unknown') return say('f.compression.skipped');
      const key = { compression_comparable: 'pass', compression_costs_ssim: 'warn', compression_harmless: 'harmless' }[f.reason];
      if (!key) return unknown();
      const vars = { qh: Math.round(m && m.hidden_quality), qm: Math.round(m && m.main_quality) };
      if (!isFinite(vars.qh) || !isFinite(vars.qm)) throw new Error('shape');
      return say(`f.compression.${key}`, vars, 'fix.compression');
    }
    case 'subject.overlap': {
      const skippedKey = { image_too_small: 'Small', no_flat_background: 'Flat', sizes_differ: 'Size', no_subject: 'Empty' }[f.reason];
      if (skippedKey) return say(`f.subject.overlap.skipped${skippedKey}`);
      if (f.reason !== 'same_outline' && f.reason !== 'outline_differs') return unknown();
      if (typeof m !== 'number') throw new Error('shape');
      const places = placeWords(f.boxes);
      const note = places.length ? t('f.subject.overlap.leftOut', { list: wordList(places) }) : '';
      const r = say(f.reason === 'same_outline' ? 'f.subject.overlap.pass' : 'f.subject.overlap.fail', { iou: m.toFixed(3), limit: num(L, 0.95) }, 'fix.subject.overlap');
      return { msg: r.msg + note, fix: r.fix };
    }
    case 'overlay.main': {
      switch (f.reason) {
        case 'no_overlays': return say('f.overlay.main.none');
        case 'overlays_allowed_on_main': {
          const places = placeWords(f.boxes);
          return say('f.overlay.main.allowed', { list: places.length ? wordList(places) : t('f.overlay.main.some') });
        }
        default: return unknown();
      }
    }
    case 'lint.background_white': {
      switch (f.reason) {
        case 'image_too_small': return say('f.background.skipped');
        case 'white': return say('f.lint.background_white.pass', { d: num(m && m.max_deviation, 0).toFixed(1) });
        case 'not_white': return say('f.lint.background_white.fail', null, 'fix.lint.background_white');
        case 'not_flat': return say('f.lint.background_white.notFlat', null, 'fix.lint.background_white.notFlat');
        case 'frame_around': {
          const fr = m && m.frame;
          if (!fr || !Array.isArray(fr.rgb)) throw new Error('shape');
          return say('f.lint.background_white.frame', { px: fr.thickness_px, rgb: fr.rgb.join(',') }, 'fix.lint.background_white.frame');
        }
        default: return unknown();
      }
    }
    case 'lint.min_size': {
      const key = { big_enough: 'pass', below_recommended: 'warn', below_minimum: 'fail' }[f.reason];
      if (!key) return unknown();
      const [w, hh] = m;
      return say(`f.lint.min_size.${key}`, { w, h: hh, limit: num(L, 800) }, 'fix.lint.min_size');
    }
    case 'lint.max_side': {
      const key = { within_limit: 'pass', over_limit: 'fail' }[f.reason];
      if (!key) return unknown();
      return say(`f.lint.max_side.${key}`, { v: m, limit: num(L, 2000) }, 'fix.lint.max_side', { limit: num(L, 2000) });
    }
    case 'lint.subject_fill': {
      switch (f.reason) {
        case 'no_flat_background': return say('f.lint.subject_fill.noFlat');
        case 'blank': return say('f.lint.subject_fill.blank', null, 'fix.lint.subject_fill.blank');
        case 'fills_frame': case 'small_in_frame': {
          if (!m || typeof m.fill !== 'number') throw new Error('shape');
          return say(f.reason === 'fills_frame' ? 'f.lint.subject_fill.pass' : 'f.lint.subject_fill.fail', { pct: fmtPct(m.fill, 0), need: fmtPct(num(L, 0.75), 0) }, 'fix.lint.subject_fill');
        }
        default: return unknown();
      }
    }
    case 'lint.file_size_recommended': {
      const [lo, hi] = Array.isArray(L) ? L : [];
      const vars = { size: fmtBytes(m), lo: fmtBytes(lo), hi: fmtBytes(hi) };
      switch (f.reason) {
        case 'in_range': return say('f.lint.file_size_recommended.pass', vars);
        case 'small_and_compressed': return say('f.lint.file_size_recommended.small', vars, 'fix.lint.file_size_recommended.small');
        case 'over_recommended': return say('f.lint.file_size_recommended.large', vars, 'fix.lint.file_size_recommended.large');
        default: return unknown();
      }
    }
    case 'lint.live_cover_size': {
      const key = { exact_size: 'pass', wrong_size: 'fail' }[f.reason];
      if (!key) return unknown();
      const [w, hh] = m; const [lw, lh] = L;
      return say(`f.lint.live_cover_size.${key}`, { w, h: hh, lw, lh }, 'fix.lint.live_cover_size', { lw, lh });
    }
    default:
      break;
  }
  throw new Error('unknown');
}

function describeFinding(f, report) {
  try {
    return Object.assign({ translated: true }, findingWords(f, report));
  } catch (_) {
    return { msg: f.message || '', fix: f.fix || null, translated: false };
  }
}
const ruleName = (id) => (has(`rule.${id}`) ? t(`rule.${id}`) : id);

// Where the rule comes from: a published platform rule, or pairproof's advice.
const originOf = (f) => (f.origin === 'advice' ? 'advice' : f.origin === 'platform' ? 'platform' : null);
function originChip(f, tiny) {
  const o = originOf(f);
  if (!o) return null;
  return chip(`chip-origin chip-origin-${o}${tiny ? ' tiny' : ''}`, t(`origin.${o}`), { 'data-testid': 'finding-origin', 'data-origin': o, title: t(`origin.${o}.hint`) });
}

function findingCard(f, report, extra) {
  const st = normStatus(f.status);
  const d = describeFinding(f, report);
  return h('li', { class: `finding finding-${st}`, 'data-testid': 'finding', 'data-rule': f.id, 'data-status': st, 'data-reason': f.reason || null, 'data-origin': originOf(f) },
    h('div', { class: 'finding-head' },
      chip(`chip-${st === 'skipped' ? 'skip' : st}`, t(`status.${st}`) || st),
      h('span', { class: 'finding-name', text: ruleName(f.id) }),
      originChip(f),
      h('code', { class: 'finding-id', text: f.id })),
    h('p', { class: 'finding-msg', 'data-testid': 'finding-message', text: d.msg }),
    d.fix ? h('p', { class: 'finding-fix' }, h('strong', { text: t('findings.fix') }), ' ', h('span', { text: d.fix })) : null,
    extra || null);
}

function findingsView(report, extraFor, key) {
  const findings = Array.isArray(report.findings) ? report.findings : [];
  const rank = { fail: 0, warn: 1 };
  const todo = findings.filter((f) => ['fail', 'warn'].includes(normStatus(f.status)))
    .map((f, i) => [f, i]).sort((a, b) => rank[normStatus(a[0].status)] - rank[normStatus(b[0].status)] || a[1] - b[1]).map((x) => x[0]);
  const ok = findings.filter((f) => !['fail', 'warn'].includes(normStatus(f.status)));
  const wrap = h('div', { class: 'findings', 'data-testid': 'findings' });
  if (todo.length) {
    wrap.append(h('h3', { class: 'section-title', text: t('findings.todo') }),
      h('ul', { class: 'finding-list', 'data-testid': 'findings-todo' }, todo.map((f) => findingCard(f, report, extraFor && extraFor(f)))));
  } else if (findings.length) {
    wrap.append(h('p', { class: 'all-good', text: t('findings.none') }));
  }
  if (ok.length) {
    const det = keptDetails(`passed-${key || 'x'}`, { class: 'passed', 'data-testid': 'findings-passed' },
      h('summary', { text: t('findings.passed', { n: ok.length }) }),
      h('ul', { class: 'passed-list' }, ok.map((f) => {
        const st = normStatus(f.status);
        const d = describeFinding(f, report);
        return h('li', { class: `passed-item passed-${st}`, 'data-testid': 'finding', 'data-rule': f.id, 'data-status': st, 'data-reason': f.reason || null, 'data-origin': originOf(f) },
          h('span', { class: `tick tick-${st}`, 'aria-hidden': 'true', text: st === 'pass' ? '✓' : '–' }),
          h('span', { class: 'passed-name' }, h('span', { text: ruleName(f.id) }), ' ', originOf(f) === 'advice' ? originChip(f, true) : null),
          h('span', { class: 'passed-msg', text: d.msg }));
      })));
    wrap.append(det);
  }
  return wrap;
}

// ---------------------------------------------------------------- pair check

let zoneMain, zoneHidden;

function setCheckFile(role, file) {
  const c = S.check;
  const err = tooLarge(file);
  c.zoneError[role] = err;
  if (err) { renderCheck(); return; }
  const urlKey = role === 'main' ? 'mainUrl' : 'hiddenUrl';
  if (c[urlKey]) URL.revokeObjectURL(c[urlKey]);
  c[role] = file;
  c[urlKey] = URL.createObjectURL(file);
  // a new file invalidates the shown result (its object URL stays valid for the running check)
  c.result = null;
  c.error = null;
  c.gps = {};
  renderCheck();
  if (c.main && c.hidden) runCheck();
}

async function runCheck() {
  const c = S.check;
  if (!c.main || !c.hidden) { renderCheck(); return; }
  const seq = ++c.seq;
  const main = c.main; const hidden = c.hidden; const mainUrl = c.mainUrl; const hiddenUrl = c.hiddenUrl;
  c.busy = true; c.error = null; c.result = null; c.gps = {};
  renderCheck();
  const fd = new FormData();
  fd.append('main', main, main.name);
  fd.append('hidden', hidden, hidden.name);
  try {
    const res = await api('/api/check', { method: 'POST', body: fd });
    const data = await res.json();
    if (seq !== c.seq) return;
    c.result = { data, main, hidden, mainUrl, hiddenUrl };
  } catch (e) {
    if (seq !== c.seq) return;
    c.error = e;
  }
  c.busy = false;
  renderCheck();
}

function renderCheck() {
  const c = S.check;
  $('#check-intro').textContent = t('check.intro', { gate: String(gate()) });
  zoneMain.render();
  zoneHidden.render();
  const run = $('#check-run');
  run.textContent = c.busy ? t('check.running') : (c.result || c.error ? t('check.rerun') : t('check.run'));
  run.disabled = c.busy || !c.main || !c.hidden;
  $('#check-hint').textContent = !c.main || !c.hidden ? t('check.needBoth') : '';

  const box = clear($('#check-result'));
  box.dataset.state = c.busy ? 'busy' : c.error ? 'error' : c.result ? 'done' : 'idle';
  box.dataset.main = c.result ? c.result.main.name : '';
  box.dataset.hidden = c.result ? c.result.hidden.name : '';
  if (c.busy) { box.append(busyView(t('check.running'), 'check-busy')); return; }
  if (c.error) { box.append(errorView(c.error, 'check-error')); return; }
  if (!c.result) return;
  box.append(checkResultView(c.result));
}

function busyView(text, testid) {
  return h('div', { class: 'busy', 'data-testid': testid }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), h('span', { text }));
}

function verdictBanner(report, sub) {
  const v = ['pass', 'warn', 'fail', 'error'].includes(report.verdict) ? report.verdict : 'error';
  const nFail = (report.findings || []).filter((f) => normStatus(f.status) === 'fail').length;
  return h('div', { class: `verdict verdict-${v}`, 'data-testid': 'verdict', 'data-verdict': report.verdict },
    h('span', { class: 'verdict-icon', 'aria-hidden': 'true', text: VERDICT_ICON[v] }),
    h('div', { class: 'verdict-text' },
      h('div', { class: 'verdict-title', 'data-testid': 'verdict-title', text: t(`verdict.${v}`) }),
      h('div', { class: 'verdict-sub', text: tn(`verdict.${v}Sub`, nFail) }),
      sub ? h('div', { class: 'verdict-files', text: sub }) : null));
}

function ssimCard(report) {
  const g = gate();
  const s = report.ssim;
  const luma = s && typeof s.luma === 'number' ? s.luma : null;
  const ssimF = (report.findings || []).find((f) => f.id === 'ssim');
  const margin = luma === null ? null : num(ssimF && ssimF.measured && ssimF.measured.margin, luma - g);
  const band = report.band || (ssimF && ssimF.measured && ssimF.measured.band) || null;
  const bandCls = band === 'pass' ? 'pass' : band === 'fail' ? 'fail' : band ? 'warn' : 'skip';
  const card = h('div', { class: 'card ssim-card', 'data-testid': 'ssim-card' },
    h('div', { class: 'ssim-top' },
      h('div', null,
        h('div', { class: 'ssim-label', text: t('ssim.label') }),
        h('div', { class: `ssim-value ssim-${bandCls}`, 'data-testid': 'ssim-value', 'data-value': luma === null ? '' : String(luma), text: luma === null ? t('ssim.none') : fmt4(luma) })),
      h('div', { class: 'ssim-facts' },
        luma === null ? null : h('span', { class: `margin margin-${margin >= 0 ? 'pos' : 'neg'}`, 'data-testid': 'ssim-margin', text: t('ssim.margin', { margin: signed(margin, 4) }) }),
        h('span', { class: 'fact', text: t('ssim.gate', { gate: String(g) }) }),
        band ? h('span', { class: 'band-wrap' }, h('span', { class: 'fact', text: t('band.label') }),
          chip(`chip-${bandCls}`, has(`band.${band}`) ? t(`band.${band}`) : String(band), { 'data-testid': 'ssim-band', 'data-band': band })) : null,
        s && typeof s.rgb_mean === 'number' ? h('span', { class: 'fact muted', text: t('ssim.rgb', { value: fmt4(s.rgb_mean) }) }) : null)));
  if (luma !== null) {
    // gauge from LOW to 1.0 with the gate marked
    const low = Math.min(0.8, Math.floor(Math.min(luma, g) * 10) / 10);
    const pos = (x) => `${Math.max(0, Math.min(100, ((x - low) / (1 - low)) * 100)).toFixed(2)}%`;
    const gateLine = h('span', { class: 'gauge-gate' });
    gateLine.style.left = pos(g);
    const risk = h('span', { class: 'gauge-risk' });
    risk.style.left = pos(g);
    risk.style.width = `${(((Math.min(1, g + 0.01) - g) / (1 - low)) * 100).toFixed(2)}%`;
    const bad = h('span', { class: 'gauge-bad' });
    bad.style.width = pos(g);
    const marker = h('span', { class: `gauge-marker marker-${bandCls}` });
    marker.style.left = pos(luma);
    const gateLabel = h('span', { class: 'gauge-label gauge-label-gate', text: t('ssim.scaleGate', { gate: String(g) }) });
    gateLabel.style.left = pos(g);
    card.append(h('div', { class: 'gauge', 'aria-hidden': 'true' },
      h('div', { class: 'gauge-track' }, bad, risk, gateLine, marker),
      h('div', { class: 'gauge-scale' },
        h('span', { class: 'gauge-label gauge-label-low', text: low.toFixed(2) }),
        gateLabel,
        h('span', { class: 'gauge-label gauge-label-high', text: '1.00' }))));
  }
  return card;
}

function heatmapView(result) {
  const c = S.check;
  const report = result.data.report;
  const heat = result.data.heatmap_png || null;
  const W = report.main && report.main.width;
  const H = report.main && report.main.height;
  const regions = Array.isArray(report.regions) ? report.regions : [];
  const stage = h('div', { class: 'heat-stage', 'data-testid': 'heatmap-stage' },
    h('img', { class: 'heat-base', src: result.mainUrl, alt: t('regions.alt') }));
  let overlay = null;
  if (heat) {
    overlay = h('img', { class: 'heat-overlay', src: heat, alt: '', 'data-testid': 'heatmap-img' });
    overlay.style.opacity = String(c.opacity / 100);
    stage.append(overlay);
  }
  const boxes = h('div', { class: 'heat-boxes', 'data-testid': 'region-boxes' });
  boxes.hidden = !c.boxes;
  if (W && H) {
    regions.forEach((r, i) => {
      const b = h('div', { class: 'region-box', 'data-testid': 'region-box' }, h('span', { class: 'region-num', text: String(i + 1) }));
      b.style.left = `${(r.x / W) * 100}%`;
      b.style.top = `${(r.y / H) * 100}%`;
      b.style.width = `${(r.width / W) * 100}%`;
      b.style.height = `${(r.height / H) * 100}%`;
      boxes.append(b);
    });
  }
  stage.append(boxes);

  const slider = h('input', { type: 'range', min: '0', max: '100', step: '1', value: String(c.opacity), 'data-testid': 'heatmap-opacity', id: 'heat-opacity', disabled: heat ? null : true });
  const out = h('output', { class: 'slider-value', for: 'heat-opacity', text: `${c.opacity}%` });
  slider.addEventListener('input', () => {
    c.opacity = Number(slider.value);
    out.textContent = `${c.opacity}%`;
    if (overlay) overlay.style.opacity = String(c.opacity / 100);
  });
  const boxToggle = h('input', { type: 'checkbox', id: 'heat-boxes', 'data-testid': 'heatmap-boxes', props: { checked: c.boxes } });
  boxToggle.addEventListener('change', () => { c.boxes = boxToggle.checked; boxes.hidden = !c.boxes; });

  return h('div', { class: 'card heat-card', 'data-testid': 'heatmap-viewer' },
    h('h3', { class: 'section-title', text: t('heat.title') }),
    stage,
    h('div', { class: 'heat-controls' },
      h('label', { class: 'slider-label', for: 'heat-opacity', text: t('heat.opacity') }), slider, out,
      h('label', { class: 'check-label' }, boxToggle, h('span', { text: t('heat.boxes') }))),
    h('p', { class: 'muted small-text', text: heat ? t('heat.legend') : t('heat.noHeatmap') }),
    h('p', { class: 'regions-count', 'data-testid': 'regions-count', text: regions.length ? tn('regions.count', regions.length) : t('regions.none') }),
    regions.length ? h('ol', { class: 'regions-list' }, regions.map((r) => h('li', { text: t('regions.item', { w: r.width, h: r.height, x: r.x, y: r.y }) }))) : null);
}

// ---------------------------------------------------------------- marked areas (finding boxes)

const BOX_IMAGES = ['main', 'hidden'];
const MARK_MAX_H = 260; // px: the tallest a preview is drawn
// a box's short label for an addition on the main image (no `kind`), by where it lies
const PLACE_LABEL = {
  top: 'kind.banner', bottom: 'kind.banner', left: 'kind.banner', right: 'kind.banner', all_edges: 'kind.frame',
  top_left: 'mark.badge', top_right: 'mark.badge', bottom_left: 'mark.badge', bottom_right: 'mark.badge',
  over_product: 'mark.overProduct', background: 'mark.background',
};

// Every box of every finding, once each (the same addition on the main image is named by
// overlay.main, subject.overlap and ssim): [{image, box, what, kind, place, rules, failing}].
function collectBoxes(report) {
  const out = [];
  const seen = new Map();
  for (const f of (report && Array.isArray(report.findings) ? report.findings : [])) {
    if (!Array.isArray(f.boxes)) continue;
    const failing = normStatus(f.status) === 'fail';
    for (const b of f.boxes) {
      const r = b && b.box;
      if (!r || !BOX_IMAGES.includes(b.image)) continue;
      if (![r.x, r.y, r.width, r.height].every((v) => typeof v === 'number' && isFinite(v)) || r.width <= 0 || r.height <= 0) continue;
      const key = [b.image, b.what, b.kind || '', r.x, r.y, r.width, r.height].join('|');
      const prev = seen.get(key);
      if (prev) {
        if (!prev.rules.includes(f.id)) prev.rules.push(f.id);
        prev.failing = prev.failing || failing;
        continue;
      }
      const item = { image: b.image, box: r, what: b.what, kind: KINDS.includes(b.kind) ? b.kind : null, place: PLACES.includes(b.place) ? b.place : null, rules: [f.id], failing };
      seen.set(key, item);
      out.push(item);
    }
  }
  return out;
}

// The look of a box: a problem (red: an overlay on the hidden image, its rule fails), a weak
// one (an overlay the rule did not count), product print (green), an addition on the main
// image (blue: allowed).
function markStyle(b) {
  if (b.what === 'product_print') return 'print';
  if (b.what === 'overlay' && b.image === 'hidden') return b.failing ? 'problem' : 'weak';
  return 'added';
}
function markLabel(b) {
  if (b.kind) return t(`kind.${b.kind}`);
  if (b.place) return t(PLACE_LABEL[b.place]);
  return t('mark.added');
}

// One image with its boxes drawn over it, scaled from image pixels to the shown size
// (positions in % of the image's natural size, so the boxes follow any resize).
function imageWithBoxes(role, url, width, height, boxes) {
  const stage = h('div', { class: 'mark-stage', 'data-testid': 'overlay-stage', 'data-image': role });
  const img = h('img', { class: 'mark-img', src: url, alt: t(`mark.alt.${role}`), 'data-testid': `overlay-img-${role}` });
  const layer = h('div', { class: 'mark-layer' });
  const drawn = boxes.slice()
    .sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height) // small ones on top
    .map((b) => {
      const style = markStyle(b);
      const el = h('div', {
        class: `mark-box mark-${style}`, 'data-testid': 'overlay-box', 'data-image': b.image, 'data-kind': b.kind || '',
        'data-what': b.what || '', 'data-place': b.place, 'data-rules': b.rules.join(' '), 'data-style': style,
        title: joinList(b.rules.map(ruleName)),
      }, h('span', { class: 'mark-label', text: style === 'weak' ? t('mark.unsure', { label: markLabel(b) }) : markLabel(b) }));
      return [el, b];
    });
  const clamp = (v) => Math.max(0, Math.min(100, v));
  const place = (w, hh) => {
    if (!(w > 0 && hh > 0)) return false;
    stage.style.aspectRatio = `${w} / ${hh}`;
    stage.style.width = `min(100%, ${Math.max(1, Math.round((MARK_MAX_H * w) / hh))}px)`;
    for (const [el, b] of drawn) {
      const x0 = clamp((b.box.x / w) * 100); const y0 = clamp((b.box.y / hh) * 100);
      el.classList.toggle('label-end', (b.box.x + b.box.width / 2) / w > 0.6);
      el.style.left = `${x0.toFixed(3)}%`;
      el.style.top = `${y0.toFixed(3)}%`;
      el.style.width = `${(clamp(((b.box.x + b.box.width) / w) * 100) - x0).toFixed(3)}%`;
      el.style.height = `${(clamp(((b.box.y + b.box.height) / hh) * 100) - y0).toFixed(3)}%`;
    }
    return true;
  };
  // the report's size until the picture has loaded, then the picture's own
  if (!place(width, height)) stage.classList.add('unsized');
  img.addEventListener('load', () => { if (place(img.naturalWidth, img.naturalHeight)) stage.classList.remove('unsized'); });
  appendKids(layer, drawn.map((x) => x[0]));
  stage.append(img, layer);
  return stage;
}

function marksView(result, boxes) {
  const report = result.data.report || {};
  const figs = BOX_IMAGES.map((role) => {
    const url = role === 'main' ? result.mainUrl : result.hiddenUrl;
    const info = report[role] || {};
    const mine = boxes.filter((b) => b.image === role);
    return h('figure', { class: 'mark-fig', 'data-testid': `overlay-figure-${role}` },
      url ? imageWithBoxes(role, url, info.width, info.height, mine) : null,
      h('figcaption', { class: 'mark-caption' },
        h('span', { class: 'mark-role', text: RoleName(role) }),
        h('span', { class: 'muted', text: mine.length ? tn('mark.count', mine.length) : t('mark.none') })));
  });
  const styles = ['problem', 'weak', 'print', 'added'].filter((st) => boxes.some((b) => markStyle(b) === st));
  return h('div', { class: 'card mark-card', 'data-testid': 'overlay-viewer' },
    h('h3', { class: 'section-title', text: t('mark.title') }),
    h('div', { class: 'mark-grid' }, figs),
    h('ul', { class: 'mark-legend' }, styles.map((st) => h('li', { class: 'mark-legend-item' },
      h('span', { class: `mark-swatch mark-${st}`, 'aria-hidden': 'true' }),
      h('span', { text: t(`mark.legend.${st}`) })))));
}

function gpsExtra(f, result) {
  if (f.id !== 'metadata.gps' || normStatus(f.status) !== 'fail' || !f.measured) return null;
  const roles = rolesOf(f.measured, (v, r) => v === true && (r === 'main' || r === 'hidden'));
  if (!roles.length) return null;
  return h('div', { class: 'gps-actions' }, roles.map((role) => {
    const st = S.check.gps[role] || {};
    const btn = h('button', {
      type: 'button', class: 'btn primary small', 'data-testid': `strip-gps-${role}`, disabled: st.busy ? true : null,
      text: st.busy ? t('gps.stripping') : t('gps.strip', { role: roleName(role) }),
    });
    btn.addEventListener('click', () => stripGps(role, result));
    return h('div', { class: 'gps-row' }, btn,
      st.done ? h('span', { class: 'gps-done', 'data-testid': `strip-gps-done-${role}` },
        h('span', { text: t('gps.done', { name: st.done.name, size: fmtBytes(st.done.size) }) }), ' ',
        h('a', { href: st.done.url, download: st.done.name, 'data-testid': `strip-gps-link-${role}`, text: t('gps.again') })) : null,
      st.error ? errorView(st.error, `strip-gps-error-${role}`) : null);
  }));
}

async function stripGps(role, result) {
  const file = role === 'main' ? result.main : result.hidden;
  const st = S.check.gps[role] = { busy: true };
  renderCheck();
  try {
    const fd = new FormData();
    fd.append('file', file, file.name);
    const res = await api('/api/strip-gps', { method: 'POST', body: fd });
    const blob = await res.blob();
    const dot = file.name.lastIndexOf('.');
    const fallback = dot > 0 ? `${file.name.slice(0, dot)}-nogps${file.name.slice(dot)}` : `${file.name}-nogps`;
    const name = contentDispositionName(res.headers.get('Content-Disposition')) || fallback;
    const url = URL.createObjectURL(blob);
    if (S.check.gps[role] !== st) return;
    S.check.gps[role] = { done: { name, size: blob.size, url } };
    downloadLink(url, name);
  } catch (e) {
    if (S.check.gps[role] !== st) return;
    S.check.gps[role] = { error: e };
  }
  renderCheck();
}

function checkResultView(result) {
  const report = result.data.report || {};
  const errors = Array.isArray(report.errors) ? report.errors : [];
  const wrap = h('div', { class: 'check-result' });
  wrap.append(verdictBanner(report, t('check.files', { main: result.main.name, hidden: result.hidden.name })));
  if (errors.length) {
    wrap.append(h('ul', { class: 'problem-list', 'data-testid': 'report-errors' }, errors.map((e) => problemItem(e, 'report-error'))));
  }
  const left = h('div', { class: 'col' }, ssimCard(report), findingsView(report, (f) => gpsExtra(f, result), 'check'));
  // the picture is worth showing when there is a heatmap or at least one region to outline
  const showHeat = report.main && (result.data.heatmap_png || (Array.isArray(report.regions) && report.regions.length));
  // both pictures, with what the findings marked on them (overlays, product print, additions)
  const boxes = collectBoxes(report);
  const marks = boxes.length ? marksView(result, boxes) : null;
  const heat = showHeat ? heatmapView(result) : null;
  // an overlay to remove from the hidden image is the first thing to see
  const right = (boxes.some((b) => markStyle(b) === 'problem') ? [marks, heat] : [heat, marks]).filter(Boolean);
  wrap.append(right.length
    ? h('div', { class: 'result-grid' }, left, h('div', { class: 'col' }, right))
    : h('div', { class: 'result-single' }, left));
  return wrap;
}

// ---------------------------------------------------------------- batch

let zoneBatch;
const VERDICT_RANK = { pass: 0, warn: 1, fail: 2, error: 3 };

function addBatchFiles(files) {
  const b = S.batch;
  const big = files.map(tooLarge).filter(Boolean);
  b.zoneError = big.length ? big.join(' ') : null;
  const seen = new Set(b.files.map((f) => `${f.name}|${f.size}`));
  for (const f of files) {
    if (tooLarge(f)) continue;
    const key = `${f.name}|${f.size}`;
    if (!seen.has(key)) { b.files.push(f); seen.add(key); }
  }
  renderBatch();
}

async function runBatch() {
  const b = S.batch;
  if (!b.files.length || b.busy) return;
  b.busy = true; b.error = null; b.result = null; b.selected = null; b.exported = null;
  renderBatch();
  const fd = new FormData();
  for (const f of b.files) fd.append('files', f, f.name);
  try {
    const res = await api('/api/batch', { method: 'POST', body: fd });
    b.result = await res.json();
  } catch (e) {
    b.error = e;
  }
  b.busy = false;
  renderBatch();
}

function failedOf(p) {
  if (Array.isArray(p.failed)) return p.failed;
  const fs = p.report && Array.isArray(p.report.findings) ? p.report.findings : [];
  return fs.filter((f) => normStatus(f.status) === 'fail').map((f) => f.id);
}
function warnedOf(p) {
  const fs = p.report && Array.isArray(p.report.findings) ? p.report.findings : [];
  return fs.filter((f) => normStatus(f.status) === 'warn').map((f) => f.id);
}

function sortedPairs() {
  const b = S.batch;
  const pairs = (b.result && Array.isArray(b.result.pairs) ? b.result.pairs : []).slice();
  const { key, dir } = b.sort;
  const sgn = dir === 'asc' ? 1 : -1;
  const cmpLabel = (x, y) => String(x.label).localeCompare(String(y.label), undefined, { numeric: true });
  pairs.sort((x, y) => {
    let r = 0;
    if (key === 'label') r = cmpLabel(x, y);
    else if (key === 'verdict') r = (VERDICT_RANK[x.verdict] ?? 4) - (VERDICT_RANK[y.verdict] ?? 4);
    else if (key === 'ssim') {
      const a = typeof x.ssim === 'number' ? x.ssim : null; const c = typeof y.ssim === 'number' ? y.ssim : null;
      if (a === null && c === null) r = 0; else if (a === null) return 1; else if (c === null) return -1; else r = a - c;
    } else if (key === 'failed') r = failedOf(x).length - failedOf(y).length;
    return r * sgn || cmpLabel(x, y);
  });
  return pairs;
}

function renderBatch() {
  const b = S.batch;
  zoneBatch.render();
  const act = clear($('#batch-actions'));
  if (b.files.length) {
    const total = b.files.reduce((s, f) => s + f.size, 0);
    act.append(h('span', { class: 'hint strong', 'data-testid': 'batch-selected', text: tn('batch.selected', b.files.length, { size: fmtBytes(total) }) }));
  }
  const run = h('button', { type: 'button', class: 'btn primary', 'data-testid': 'batch-run', disabled: !b.files.length || b.busy ? true : null, text: b.busy ? tn('batch.running', b.files.length) : t('batch.run') });
  run.addEventListener('click', runBatch);
  const clr = h('button', { type: 'button', class: 'btn ghost', 'data-testid': 'batch-clear', disabled: !b.files.length || b.busy ? true : null, text: t('batch.clear') });
  clr.addEventListener('click', () => { b.files = []; b.result = null; b.error = null; b.zoneError = null; b.selected = null; renderBatch(); });
  act.prepend(run, clr);

  const box = clear($('#batch-result'));
  box.dataset.state = b.busy ? 'busy' : b.error ? 'error' : b.result ? 'done' : 'idle';
  if (b.busy) { box.append(busyView(tn('batch.running', b.files.length), 'batch-busy')); return; }
  if (b.error) { box.append(errorView(b.error, 'batch-error')); return; }
  if (!b.result) return;
  box.append(batchResultView(b.result));
}

function batchResultView(r) {
  const b = S.batch;
  const pairs = sortedPairs();
  const counts = { pass: 0, warn: 0, fail: 0, error: 0 };
  for (const p of pairs) if (counts[p.verdict] !== undefined) counts[p.verdict]++;
  const wrap = h('div', { class: 'batch-result' });
  const exportBtn = h('button', { type: 'button', class: 'btn secondary', 'data-testid': 'batch-export', disabled: pairs.length ? null : true, text: t('batch.export') });
  exportBtn.addEventListener('click', exportCsv);
  wrap.append(h('div', { class: 'summary-bar' },
    h('div', { class: 'summary-chips' },
      h('span', { class: 'summary-text', 'data-testid': 'batch-summary', text: tn('batch.summary', pairs.length, Object.assign({ pairs: pairs.length }, counts)) })),
    h('div', { class: 'summary-actions' },
      b.exported ? h('span', { class: 'muted', text: t('batch.exported', { name: b.exported }) }) : null,
      exportBtn)));

  if (!pairs.length) {
    wrap.append(h('p', { class: 'empty', text: t('batch.noPairs') }));
  } else {
    const col = (key, labelKey, cls) => {
      const active = b.sort.key === key;
      const btn = h('button', { type: 'button', class: 'sort-btn', 'data-testid': `batch-sort-${key}` },
        h('span', { text: t(labelKey) }),
        h('span', { class: `sort-arrow${active ? ' active' : ''}`, 'aria-hidden': 'true', text: active ? (b.sort.dir === 'asc' ? '▲' : '▼') : '↕' }));
      btn.addEventListener('click', () => {
        b.sort = active ? { key, dir: b.sort.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: key === 'label' || key === 'ssim' ? 'asc' : 'desc' };
        renderBatch();
      });
      return h('th', { scope: 'col', class: cls || null, 'aria-sort': active ? (b.sort.dir === 'asc' ? 'ascending' : 'descending') : 'none' }, btn);
    };
    const rows = pairs.map((p) => {
      const failed = failedOf(p);
      const warned = warnedOf(p);
      const errs = p.report && Array.isArray(p.report.errors) ? p.report.errors : [];
      const tr = h('tr', {
        class: `row-${p.verdict}${b.selected === p.label ? ' selected' : ''}`, tabindex: '0',
        'data-testid': 'batch-row', 'data-label': p.label, 'data-verdict': p.verdict, 'data-ssim': typeof p.ssim === 'number' ? String(p.ssim) : '',
      },
      h('td', { class: 'cell-label' }, h('span', { class: 'sku', text: p.label })),
      h('td', null, verdictChip(p.verdict)),
      h('td', { class: 'num', text: typeof p.ssim === 'number' ? fmt4(p.ssim) : '–' }),
      h('td', null, h('div', { class: 'cell-failed' },
        failed.length || warned.length || errs.length
          ? [failed.map((id) => chip('chip-fail soft', ruleName(id))), warned.map((id) => chip('chip-warn soft', ruleName(id))),
            errs.map((e) => chip('chip-error soft', has(e.code) ? t(e.code) : e.code))]
          : h('span', { class: 'muted', text: t('batch.noProblems') }))),
      h('td', { class: 'cell-files muted' }, h('span', { text: p.main || '' }), h('br'), h('span', { text: p.hidden || '' })));
      const select = () => { b.selected = b.selected === p.label ? null : p.label; renderBatch(); };
      tr.addEventListener('click', select);
      tr.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); select(); } });
      return tr;
    });
    wrap.append(h('p', { class: 'muted small-text', text: t('batch.sortHint') }));
    wrap.append(h('div', { class: 'table-wrap' },
      h('table', { class: 'table', 'data-testid': 'batch-table' },
        h('thead', null, h('tr', null,
          col('label', 'batch.col.label'), col('verdict', 'batch.col.verdict'), col('ssim', 'batch.col.ssim', 'num'),
          col('failed', 'batch.col.failed'), h('th', { scope: 'col', text: t('batch.col.files') }))),
        h('tbody', null, rows))));
    const sel = pairs.find((p) => p.label === b.selected);
    if (sel && sel.report) {
      const close = h('button', { type: 'button', class: 'btn ghost small', text: t('batch.close') });
      close.addEventListener('click', () => { b.selected = null; renderBatch(); });
      const errs = Array.isArray(sel.report.errors) ? sel.report.errors : [];
      wrap.append(h('div', { class: 'card details-card', 'data-testid': 'batch-details' },
        h('div', { class: 'details-head' }, h('h3', { class: 'section-title', text: t('batch.detailsFor', { label: sel.label }) }), close),
        verdictBanner(sel.report, t('check.files', { main: sel.main || '', hidden: sel.hidden || '' })),
        errs.length ? h('ul', { class: 'problem-list' }, errs.map((e) => problemItem(e, 'report-error'))) : null,
        h('div', { class: 'result-grid' }, h('div', { class: 'col' }, ssimCard(sel.report)), h('div', { class: 'col' }, findingsView(sel.report, null, 'batch')))));
    }
  }
  const problems = Array.isArray(r.problems) ? r.problems : [];
  if (problems.length) {
    wrap.append(h('div', { class: 'card sub-card' },
      h('h3', { class: 'section-title', text: t('batch.problems') }),
      h('ul', { class: 'problem-list', 'data-testid': 'batch-problems' }, problems.map((p) => problemItem(p, 'batch-problem')))));
  }
  const ignored = Array.isArray(r.ignored) ? r.ignored : [];
  if (ignored.length) {
    wrap.append(keptDetails('batch-ignored', { class: 'card sub-card', 'data-testid': 'batch-ignored' },
      h('summary', { text: `${t('batch.ignored')} (${ignored.length})` }),
      h('ul', { class: 'plain-list' }, ignored.map((n) => h('li', { text: basename(n) })))));
  }
  return wrap;
}

function csvCell(v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return isFinite(v) ? String(v) : '';
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`; // keep spreadsheet programs from running formulas
  if (/[",\r\n]/.test(s)) s = `"${s.replace(/"/g, '""')}"`;
  return s;
}

function exportCsv() {
  const pairs = sortedPairs();
  const head = ['csv.label', 'csv.main', 'csv.hidden', 'csv.verdict', 'csv.ssim', 'csv.band', 'csv.failed', 'csv.warned'].map((k) => t(k));
  const lines = [head.map(csvCell).join(',')];
  for (const p of pairs) {
    lines.push([
      p.label, p.main, p.hidden,
      has(`verdict.short.${p.verdict}`) ? t(`verdict.short.${p.verdict}`) : p.verdict,
      typeof p.ssim === 'number' ? Number(p.ssim.toFixed(6)) : null,
      p.band ? (has(`band.${p.band}`) ? t(`band.${p.band}`) : p.band) : '',
      failedOf(p).map(ruleName).join('; '),
      warnedOf(p).map(ruleName).join('; '),
    ].map(csvCell).join(','));
  }
  const blob = new Blob(['\uFEFF', lines.join('\r\n'), '\r\n'], { type: 'text/csv;charset=utf-8' });
  const d = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  const name = `pairproof-batch-${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}.csv`;
  const url = URL.createObjectURL(blob);
  downloadLink(url, name);
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  S.batch.exported = name;
  renderBatch();
}

// ---------------------------------------------------------------- scan

const thumbCache = new Map();

function thumb(path) {
  if (thumbCache.has(path)) return thumbCache.get(path);
  const url = `/api/image?path=${encodeURIComponent(path)}&max=256`;
  const box = h('span', { class: 'thumb-box' });
  const img = h('img', { class: 'thumb-img', alt: basename(path), loading: 'lazy', 'data-testid': 'scan-thumb', decoding: 'async' });
  const fail = () => { box.classList.add('broken'); img.remove(); box.dataset.missing = '1'; };
  img.addEventListener('error', fail);
  if (!token) img.src = url;
  else {
    fetch(url, { headers: authHeaders(), cache: 'no-store' })
      .then((r) => (r.ok ? r.blob() : Promise.reject(new Error(String(r.status)))))
      .then((blob) => { img.src = URL.createObjectURL(blob); })
      .catch(fail);
  }
  box.append(img);
  thumbCache.set(path, box);
  return box;
}

function orientationWords(p) {
  if (p.identical) return t('pair.identical');
  const o = p.orientation ? String(p.orientation).toLowerCase().replace(/[_\s-]/g, '').replace('+', 'plus') : null;
  // A hash orientation means something only when the hashes are close (≤ 32 bits, the
  // documented hash-match range); otherwise the verified geometry is the evidence and it
  // only tells whether the copy is mirrored.
  const hashReliable = o && typeof p.hash_distance === 'number' ? p.hash_distance <= 32 : !!o;
  // The verifier's mirror flag counts only when the geometry verified (an unverified pair
  // reports whichever try had more points, which says nothing about a 90° turn).
  const mirrored = !!(p.mirrored && p.verified);
  const words = [];
  if (o && hashReliable) {
    if (has(`orient.${o}`)) words.push(t(`orient.${o}`));
    else words.push(String(p.orientation));
    if (mirrored && !o.startsWith('flip')) {
      if (o === 'original') words[0] = t('orient.flipy');
      else words.push(t('orient.mirrored'));
    }
  } else if (mirrored) {
    words.push(t('orient.flipy'));
  }
  return words.join(lang === 'en' ? ', ' : '，');
}

function readScanForm() {
  const root = $('#scan-root').value.trim();
  const reference = $('#scan-reference').value.split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
  let min = parseFloat($('#scan-min').value);
  if (!isFinite(min)) min = 0.85;
  min = Math.max(0, Math.min(1, min));
  return { root, reference, min_similarity: min };
}

async function startScan() {
  const s = S.scan;
  if (s.running) return;
  const body = readScanForm();
  if (!body.root) { s.hint = 'scan.needFolder'; renderScan(); return; }
  s.hint = null;
  if (s.conn) { s.conn.close(); s.conn = null; }
  for (const [, box] of thumbCache) { const im = box.querySelector('img'); if (im && im.src.startsWith('blob:')) URL.revokeObjectURL(im.src); }
  thumbCache.clear();
  s.running = true; s.error = null; s.result = null; s.decisions = {}; s.progress = { stage: 'start', done: 0, total: null };
  renderScan();
  let job;
  try {
    const res = await api('/api/scan', { method: 'POST', json: body });
    job = (await res.json()).job;
    if (!job) throw new ApiError({ code: 'E_SCAN_FAILED' });
  } catch (e) {
    s.running = false; s.error = e; renderScan(); return;
  }
  s.job = job;
  let finished = false;
  const finish = () => { finished = true; if (s.conn) { s.conn.close(); s.conn = null; } s.running = false; renderScan(); };
  s.conn = openEvents(`/api/scan/${encodeURIComponent(job)}/events`, {
    events: {
      progress: (data) => {
        try { s.progress = JSON.parse(data); } catch (_) { return; }
        renderScanProgress();
      },
      done: (data) => {
        try { s.result = JSON.parse(data); } catch (_) { s.error = new ApiError({ code: 'E_SCAN_FAILED' }); }
        finish();
      },
      failed: (data) => {
        let e;
        try { const j = JSON.parse(data); e = new ApiError({ code: j.code || 'E_SCAN_FAILED', message: j.message, file: j.file }); } catch (_) { e = new ApiError({ code: 'E_SCAN_FAILED' }); }
        s.error = e;
        finish();
      },
    },
    onFailed: (e) => { if (finished) return; s.error = e; finish(); },
    onError: () => {
      if (finished) return;
      s.error = new ApiError({ code: 'E_SCAN_LOST', message: '' });
      finish();
    },
  });
}

function renderScanProgress() {
  const s = S.scan;
  const box = $('#scan-progress-box');
  clear(box);
  box.hidden = !s.running;
  if (!s.running || !s.progress) return;
  const p = s.progress;
  const stage = String(p.stage || 'start');
  const total = typeof p.total === 'number' && p.total > 0 ? p.total : null;
  const done = typeof p.done === 'number' ? p.done : 0;
  const bar = h('progress', { class: 'progress', 'data-testid': 'scan-progress', 'data-stage': stage, max: total ? String(total) : null });
  if (total) bar.value = Math.min(done, total);
  box.append(
    h('div', { class: 'progress-head' },
      h('span', { class: 'spinner', 'aria-hidden': 'true' }),
      h('span', { class: 'progress-stage', 'data-testid': 'scan-stage', text: has(`stage.${stage}`) ? t(`stage.${stage}`) : stage }),
      h('span', { class: 'progress-count', text: total ? t('scan.count', { done, total }) : t('scan.countOpen', { done }) })),
    bar);
}

function renderRoots() {
  const box = clear($('#scan-roots'));
  const roots = S.info && Array.isArray(S.info.roots) ? S.info.roots : [];
  if (!S.info) return;
  if (!roots.length) { box.append(h('p', { class: 'zone-error', text: t('scan.noRoots') })); return; }
  box.append(h('div', { class: 'roots-title', text: t('scan.roots') }));
  box.append(h('div', { class: 'roots-list' }, roots.map((r) => {
    const b = h('button', { type: 'button', class: 'root-chip', 'data-testid': 'scan-root-chip', title: r, text: r });
    b.addEventListener('click', () => { $('#scan-root').value = r; });
    return b;
  })));
  box.append(h('p', { class: 'field-hint', text: t('scan.rootsHint') }));
}

function renderScan() {
  const s = S.scan;
  renderRoots();
  const start = $('#scan-start');
  start.disabled = s.running;
  start.textContent = s.running ? t('scan.running') : t('scan.start');
  $('#scan-hint').textContent = s.hint ? t(s.hint) : '';
  renderScanProgress();
  const box = clear($('#scan-result'));
  box.dataset.state = s.running ? 'busy' : s.error ? 'error' : s.result ? 'done' : 'idle';
  if (s.error) {
    box.append(s.error.code === 'E_SCAN_LOST'
      ? h('div', { class: 'alert alert-error', role: 'alert', 'data-testid': 'scan-error' }, h('span', { class: 'alert-icon', text: '!' }), h('div', { class: 'alert-title', text: t('scan.lost') }))
      : errorView(s.error, 'scan-error'));
  }
  if (s.result) box.append(scanResultView(s.result));
}

async function decideNotCopy(pair) {
  const s = S.scan;
  const key = `${pair.a}\n${pair.b}`;
  s.decisions[key] = { busy: true };
  renderScan();
  try {
    await api('/api/decision', { method: 'POST', json: { a: pair.a, b: pair.b } });
    s.decisions[key] = { done: true };
  } catch (e) {
    s.decisions[key] = { error: e };
  }
  renderScan();
}

function scanResultView(doc) {
  const groups = Array.isArray(doc.groups) ? doc.groups : [];
  const problems = Array.isArray(doc.problems) ? doc.problems : [];
  const stats = doc.stats || {};
  const wrap = h('div', { class: 'scan-result' });
  wrap.append(h('div', { class: 'summary-bar' },
    h('span', { class: 'summary-text', 'data-testid': 'scan-summary', text: t('scan.summary', { images: num(stats.images, 0), groups: tn('scan.groups', groups.length), problems: tn('scan.problemCount', problems.length) }) })));
  if (!groups.length) {
    wrap.append(h('div', { class: 'empty-state', 'data-testid': 'scan-empty' }, h('span', { class: 'empty-icon', 'aria-hidden': 'true', text: '✓' }), h('span', { text: t('scan.noGroups') })));
  }
  const gallery = h('div', { class: 'gallery', 'data-testid': 'scan-gallery' });
  for (const g of groups) {
    const members = Array.isArray(g.members) ? g.members : [];
    // most similar first; long lists fold after PAIRS_SHOWN
    const pairs = (Array.isArray(g.pairs) ? g.pairs : []).slice()
      .sort((x, y) => num(y.similarity, 0) - num(x.similarity, 0) || String(x.a).localeCompare(String(y.a)) || String(x.b).localeCompare(String(y.b)));
    const refSet = new Set(members.filter((m) => m.reference).map((m) => m.path));
    const card = h('article', { class: 'card group-card', 'data-testid': 'scan-group', 'data-group': String(g.id), 'data-members': String(members.length) },
      h('header', { class: 'group-head' },
        h('h3', { class: 'group-title', text: t('group.title', { id: g.id }) }),
        h('span', { class: 'muted', text: t('group.count', { n: members.length }) })),
      h('div', { class: 'thumbs' }, members.map((m) => h('figure', { class: `member${m.reference ? ' is-ref' : ''}`, 'data-testid': 'scan-member', 'data-path': m.path },
        thumb(m.path),
        h('figcaption', null,
          m.reference ? chip('chip-ref', t('badge.reference'), { 'data-testid': 'reference-badge' }) : null,
          h('span', { class: 'member-name', title: m.path, text: basename(m.path) }),
          h('span', { class: 'member-dir', title: m.path, text: shortDir(m.path) }))))),
      pairList(pairs, refSet, g.id));
    gallery.append(card);
  }
  wrap.append(gallery);
  if (problems.length) {
    wrap.append(keptDetails('scan-problems', { class: 'card sub-card', 'data-testid': 'scan-problems' },
      h('summary', { text: t('scan.problems', { n: problems.length }) }),
      h('ul', { class: 'problem-list' }, problems.map((p) => problemItem(p, 'scan-problem')))));
  }
  return wrap;
}

const PAIRS_SHOWN = 6;
function pairList(pairs, refSet, gid) {
  const items = pairs.map((p) => {
        const key = `${p.a}\n${p.b}`;
        const d = S.scan.decisions[key] || {};
        const btn = h('button', {
          type: 'button', class: `btn small ${d.done ? 'done' : 'ghost'}`, 'data-testid': 'not-a-copy',
          disabled: d.busy || d.done ? true : null,
          text: d.done ? `✓ ${t('pair.recorded')}` : d.busy ? t('pair.saving') : t('pair.notCopy'),
          title: d.done ? t('pair.recordedHint') : null,
        });
        btn.addEventListener('click', () => decideNotCopy(p));
        const sim = typeof p.similarity === 'number' ? p.similarity : null;
        return h('li', { class: `pair${d.done ? ' decided' : ''}`, 'data-testid': 'scan-pair' },
          h('div', { class: 'pair-names' },
            h('span', { class: 'pair-name', title: p.a, text: basename(p.a) }),
            refSet.has(p.a) ? chip('chip-ref tiny', t('badge.reference')) : null,
            h('span', { class: 'pair-arrow', 'aria-hidden': 'true', text: '↔' }),
            h('span', { class: 'pair-name', title: p.b, text: basename(p.b) }),
            refSet.has(p.b) ? chip('chip-ref tiny', t('badge.reference')) : null),
          h('div', { class: 'pair-facts' },
            h('span', { class: `sim ${sim !== null && sim >= 0.95 ? 'sim-high' : 'sim-mid'}`, 'data-testid': 'pair-similarity', text: t('pair.similar', { pct: fmtPct(sim, 1) }) }),
            h('span', { class: 'pair-words', 'data-testid': 'pair-transform', text: orientationWords(p) }),
            !p.identical ? h('span', { class: 'muted', text: p.verified ? t('pair.verified', { n: num(p.inliers, 0) }) : t('pair.hashOnly') }) : null,
            Array.isArray(p.cover) ? h('span', { class: 'muted', 'data-testid': 'pair-cover', text: t('pair.cover', { a: fmtPct(p.cover[0], 0), b: fmtPct(p.cover[1], 0) }) }) : null),
          h('div', { class: 'pair-action' }, btn, d.error ? errorView(d.error, 'decision-error') : null));
  });
  const list = h('ul', { class: 'pair-list' }, items.slice(0, PAIRS_SHOWN));
  if (items.length <= PAIRS_SHOWN) return list;
  return h('div', null, list, keptDetails(`pairs-${gid}`, { class: 'more-pairs' },
    h('summary', { text: tn('pair.more', items.length - PAIRS_SHOWN) }),
    h('ul', { class: 'pair-list' }, items.slice(PAIRS_SHOWN))));
}

// ---------------------------------------------------------------- evidence

let zoneEvOriginal, zoneEvSuspects;

function evInputsChanged() {
  const e = S.ev;
  if (e.result) { URL.revokeObjectURL(e.result.url); e.result = null; }
  e.error = null;
  renderEvidence();
}

async function runEvidence() {
  const e = S.ev;
  if (!e.original || !e.suspects.length || e.busy) { renderEvidence(); return; }
  e.busy = true; e.error = null;
  if (e.result) { URL.revokeObjectURL(e.result.url); e.result = null; }
  renderEvidence();
  const fd = new FormData();
  fd.append('original', e.original, e.original.name);
  for (const s of e.suspects) fd.append('suspect', s, s.name);
  const builtLang = lang;
  fd.append('lang', builtLang);
  try {
    const res = await api('/api/evidence', { method: 'POST', body: fd });
    const blob = await res.blob();
    const name = contentDispositionName(res.headers.get('Content-Disposition')) || 'case.zip';
    e.result = { url: URL.createObjectURL(blob), name, size: blob.size, lang: builtLang };
  } catch (err) {
    e.error = err;
  }
  e.busy = false;
  renderEvidence();
}

function renderEvidence() {
  const e = S.ev;
  zoneEvOriginal.render();
  zoneEvSuspects.render();
  const run = $('#evidence-run');
  run.disabled = e.busy || !e.original || !e.suspects.length;
  run.textContent = e.busy ? t('ev.running') : t('ev.run');
  $('#evidence-hint').textContent = !e.original || !e.suspects.length ? t('ev.needBoth') : t('ev.lang', { lang: t(`lang.${lang}`) });
  const box = clear($('#evidence-result'));
  box.dataset.state = e.busy ? 'busy' : e.error ? 'error' : e.result ? 'done' : 'idle';
  if (e.busy) { box.append(busyView(t('ev.running'), 'evidence-busy')); return; }
  if (e.error) { box.append(errorView(e.error, 'evidence-error')); return; }
  if (!e.result) return;
  box.append(h('div', { class: 'card ev-card', 'data-testid': 'evidence-ready' },
    h('div', { class: 'ev-icon', 'aria-hidden': 'true' }),
    h('div', { class: 'ev-body' },
      h('h3', { class: 'ev-title', text: t('ev.ready') }),
      h('p', { class: 'ev-file', 'data-testid': 'evidence-file', 'data-name': e.result.name, 'data-size': String(e.result.size), text: t('ev.file', { name: e.result.name, size: fmtBytes(e.result.size) }) }),
      h('p', { class: 'muted', text: t('ev.builtIn', { lang: t(`lang.${e.result.lang}`) }) }),
      h('a', { class: 'btn primary big', href: e.result.url, download: e.result.name, 'data-testid': 'evidence-download' },
        h('span', { class: 'dl-icon', 'aria-hidden': 'true' }), h('span', { text: t('ev.download') })),
      h('p', { class: 'muted small-text', text: t('ev.contents') }))));
}

function suspectList() {
  const e = S.ev;
  if (!e.suspects.length) return null;
  return h('ul', { class: 'file-list', 'data-testid': 'evidence-suspects' }, e.suspects.map((f, i) => {
    const rm = h('button', { type: 'button', class: 'btn ghost small', 'data-testid': 'evidence-remove', text: t('drop.remove') });
    rm.addEventListener('click', () => { URL.revokeObjectURL(e.suspectUrls[i]); e.suspects.splice(i, 1); e.suspectUrls.splice(i, 1); evInputsChanged(); });
    return h('li', { class: 'file-item' },
      h('img', { class: 'file-thumb', src: e.suspectUrls[i], alt: '' }),
      h('span', { class: 'file-name', text: f.name }),
      h('span', { class: 'muted', text: fmtBytes(f.size) }),
      rm);
  }));
}

// ---------------------------------------------------------------- tabs, static text, boot

const TABS = ['check', 'batch', 'scan', 'evidence'];

function showTab(name, updateHash) {
  if (!TABS.includes(name)) name = 'check';
  S.tab = name;
  for (const tn of TABS) {
    const tab = $(`#tab-${tn}`);
    const on = tn === name;
    tab.setAttribute('aria-selected', on ? 'true' : 'false');
    tab.tabIndex = on ? 0 : -1;
    tab.classList.toggle('active', on);
    $(`#panel-${tn}`).hidden = !on;
  }
  if (updateHash && location.hash !== `#${name}`) history.replaceState(history.state, '', `#${name}`);
}

function applyStatic() {
  document.documentElement.lang = lang;
  document.title = `pairproof · ${t(`tab.${S.tab}`)}`;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':');
      if (attr && key) el.setAttribute(attr.trim(), t(key.trim()));
    }
  }
  for (const b of document.querySelectorAll('.lang-btn')) {
    const on = b.dataset.lang === lang;
    b.setAttribute('aria-pressed', on ? 'true' : 'false');
    b.classList.toggle('active', on);
  }
  const ver = $('#footer-version');
  ver.textContent = S.info && S.info.tool_version ? t('app.version', { version: S.info.tool_version }) : '';
  const ge = $('#global-error');
  clear(ge);
  ge.hidden = !S.infoError;
  if (S.infoError) {
    ge.append(S.infoError.code === 'E_NETWORK'
      ? h('div', { class: 'alert alert-error', role: 'alert' }, h('span', { class: 'alert-icon', text: '!' }), h('div', { class: 'alert-title', text: t('app.offline') }))
      : errorView(S.infoError, 'info-error'));
  }
}

function renderAll() {
  renderCheck();
  renderBatch();
  renderScan();
  renderEvidence();
}

async function loadInfo() {
  try {
    const res = await api('/api/info');
    S.info = await res.json();
    S.infoError = null;
    const rootField = $('#scan-root');
    if (!rootField.value && Array.isArray(S.info.roots) && S.info.roots.length) rootField.value = S.info.roots[0];
  } catch (e) {
    S.infoError = e;
  }
  applyStatic();
  renderAll();
  document.body.dataset.ready = 'true';
}

function boot() {
  zoneMain = dropZone({
    mount: 'zone-check-main', testid: 'check-main-drop', inputTestid: 'check-main-input', accept: 'image/*',
    titleKey: 'check.main', hintKey: 'check.mainHint', large: true,
    get: () => S.check.main, previewUrl: () => S.check.mainUrl,
    onFiles: (fs) => setCheckFile('main', fs[0]), error: () => S.check.zoneError.main,
  });
  zoneHidden = dropZone({
    mount: 'zone-check-hidden', testid: 'check-hidden-drop', inputTestid: 'check-hidden-input', accept: 'image/*',
    titleKey: 'check.hidden', hintKey: 'check.hiddenHint', large: true,
    get: () => S.check.hidden, previewUrl: () => S.check.hiddenUrl,
    onFiles: (fs) => setCheckFile('hidden', fs[0]), error: () => S.check.zoneError.hidden,
  });
  zoneBatch = dropZone({
    mount: 'zone-batch', testid: 'batch-drop', inputTestid: 'batch-input', folderTestid: 'batch-folder-input',
    accept: 'image/*,.zip,application/zip', multiple: true, folder: true, large: true,
    titleKey: 'batch.zone', ctaKey: 'batch.drop', formatsKey: 'batch.formats',
    get: () => S.batch.files, onFiles: addBatchFiles, error: () => S.batch.zoneError,
  });
  S.ev.suspectUrls = [];
  zoneEvOriginal = dropZone({
    mount: 'zone-ev-original', testid: 'evidence-original-drop', inputTestid: 'evidence-original-input', accept: 'image/*',
    titleKey: 'ev.original', hintKey: 'ev.originalHint', large: true,
    get: () => S.ev.original, previewUrl: () => S.ev.originalUrl,
    error: () => S.ev.zoneError.original,
    onFiles: (fs) => {
      const err = tooLarge(fs[0]);
      S.ev.zoneError.original = err;
      if (!err) {
        if (S.ev.originalUrl) URL.revokeObjectURL(S.ev.originalUrl);
        S.ev.original = fs[0];
        S.ev.originalUrl = URL.createObjectURL(fs[0]);
      }
      evInputsChanged();
    },
  });
  zoneEvSuspects = dropZone({
    mount: 'zone-ev-suspects', testid: 'evidence-suspect-drop', inputTestid: 'evidence-suspect-input', accept: 'image/*', multiple: true,
    titleKey: 'ev.suspects', hintKey: 'ev.suspectsHint', large: true,
    get: () => S.ev.suspects, error: () => S.ev.zoneError.suspects, after: suspectList,
    onFiles: (fs) => {
      const big = fs.map(tooLarge).filter(Boolean);
      S.ev.zoneError.suspects = big.length ? big.join(' ') : null;
      for (const f of fs) {
        if (tooLarge(f)) continue;
        if (S.ev.suspects.some((x) => x.name === f.name && x.size === f.size)) continue;
        S.ev.suspects.push(f);
        S.ev.suspectUrls.push(URL.createObjectURL(f));
      }
      evInputsChanged();
    },
  });

  $('#check-run').addEventListener('click', runCheck);
  $('#evidence-run').addEventListener('click', runEvidence);
  $('#scan-form').addEventListener('submit', (e) => { e.preventDefault(); startScan(); });

  for (const b of document.querySelectorAll('.lang-btn')) b.addEventListener('click', () => setLang(b.dataset.lang, true));
  const tabs = Array.from(document.querySelectorAll('[role=tab]'));
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => { showTab(tab.dataset.tab, true); applyStatic(); });
    tab.addEventListener('keydown', (e) => {
      const d = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
      if (!d) return;
      e.preventDefault();
      const next = tabs[(i + d + tabs.length) % tabs.length];
      next.focus();
      showTab(next.dataset.tab, true);
      applyStatic();
    });
  });
  window.addEventListener('hashchange', () => { showTab(location.hash.slice(1), false); applyStatic(); });
  // a file dropped outside a drop zone must not replace the page
  window.addEventListener('dragover', (e) => e.preventDefault());
  window.addEventListener('drop', (e) => e.preventDefault());

  showTab(location.hash.slice(1) || 'check', false);
  applyStatic();
  renderAll();
  loadInfo();
}

boot();
