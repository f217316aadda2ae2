// Shared by every tab: number and path formatting, the DOM helper, error and problem views,
// verdict chips and the drop zones.

import { ApiError } from './api.js';
import { has, t } from './lang.js';
import { maxUpload } from './state.js';

// ---------------------------------------------------------------- formatting

export const fmt4 = (x) => (typeof x === 'number' && isFinite(x) ? x.toFixed(4) : '–');
export const signed = (x, d) => (typeof x === 'number' && isFinite(x) ? (x >= 0 ? '+' : '−') + Math.abs(x).toFixed(d) : '–');
export const num = (v, fallback) => (typeof v === 'number' && isFinite(v) ? v : fallback);

export function fmtBytes(n) {
  if (typeof n !== 'number' || !isFinite(n)) return '–';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  if (n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MB`;
  return `${(n / (1024 * 1024)).toFixed(2)} MB`;
}
export function fmtPct(x, digits) {
  if (typeof x !== 'number' || !isFinite(x)) return '–';
  return `${(x * 100).toFixed(digits === undefined ? 1 : digits)}%`;
}
export function basename(p) {
  const s = String(p || '');
  const i = Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\'));
  return i >= 0 ? s.slice(i + 1) : s;
}
export function dirname(p) {
  const s = String(p || '');
  const i = Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\'));
  return i > 0 ? s.slice(0, i) : '';
}
export function shortDir(p) {
  const d = dirname(p);
  return d.length > 30 ? `…${d.slice(-29)}` : d;
}
export function joinList(items, sepKey) { return items.join(t(sepKey || 'list.sep')); }

// ---------------------------------------------------------------- DOM helper

// h('div', {class: 'x', 'data-testid': 'y', text: '…', on: {click: fn}}, child, [children], null)
export function h(tag, attrs, ...children) {
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
export function appendKids(el, kids) {
  for (const c of kids) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) appendKids(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}
export const $ = (sel) => document.querySelector(sel);
// <details> whose open state survives re-rendering (language switch, button clicks)
export const openDetails = new Set();
export function keptDetails(key, attrs, ...children) {
  const d = h('details', attrs, ...children);
  if (openDetails.has(key)) d.open = true;
  d.addEventListener('toggle', () => { if (d.open) openDetails.add(key); else openDetails.delete(key); });
  return d;
}
export function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }

export function downloadLink(url, name) {
  const a = h('a', { href: url, download: name, class: 'sr-only' });
  document.body.append(a);
  a.click();
  setTimeout(() => a.remove(), 0);
}

export function contentDispositionName(cd) {
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
export function safeName(n) { const b = basename(n).trim(); return b || null; }

// ---------------------------------------------------------------- shared views

export function errorView(err, testid) {
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
export function problemItem(p, testid) {
  const code = p.code || '';
  const translated = has(code) ? t(code, { max: maxUpload() ? fmtBytes(maxUpload()) : '–' }) : null;
  return h('li', { class: 'problem', 'data-testid': testid || 'problem', 'data-code': code },
    h('span', { class: 'problem-file', title: p.path || '', text: basename(p.path || '') || '—' }),
    h('span', { class: 'problem-text', title: translated ? (p.message || null) : null, text: translated || p.message || code }),
    h('code', { class: 'problem-code', text: code }));
}

export function chip(cls, text, extra) {
  return h('span', Object.assign({ class: `chip ${cls}`, text }, extra || {}));
}

export const VERDICT_ICON = { pass: '✓', warn: '!', fail: '✕', error: '?' };
export function verdictChip(v, testid) {
  const k = ['pass', 'warn', 'fail', 'error'].includes(v) ? v : 'error';
  return chip(`chip-${k}`, t(`verdict.short.${k}`), { 'data-testid': testid || null, 'data-verdict': v });
}

// ---------------------------------------------------------------- drop zones

// A large drop target with a visually hidden <input type=file>. `get()` returns the
// selected File (single) or File[] (multiple) for rendering; `onFiles(files)` receives
// the new files.
export function dropZone(cfg) {
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

export async function filesFromEntries(entries) {
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

export function tooLarge(file) {
  const max = maxUpload();
  if (max && file.size > max) return t('drop.tooLarge', { name: file.name, size: fmtBytes(file.size), max: fmtBytes(max) });
  return null;
}
