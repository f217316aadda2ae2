// The evidence tab: an original and suspected copies in, an evidence bundle out.

import { api } from './api.js';
import { busyView } from './check.js';
import { lang, t } from './lang.js';
import { S } from './state.js';
import { $, clear, contentDispositionName, dropZone, errorView, fmtBytes, h, tooLarge } from './ui.js';

// ---------------------------------------------------------------- evidence

export let zoneEvOriginal, zoneEvSuspects;

export function evInputsChanged() {
  const e = S.ev;
  if (e.result) { URL.revokeObjectURL(e.result.url); e.result = null; }
  e.error = null;
  renderEvidence();
}

export async function runEvidence() {
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

export function renderEvidence() {
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

export function suspectList() {
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

// Build the tab's drop zones and wire its button (once, at boot).
export function initEvidence() {
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
  $('#evidence-run').addEventListener('click', runEvidence);
}
