// pairproof serve: the browser side. Plain ES2020 module, no framework, no build step.
// HTTP contract: pairproof.serve-* (see the server's documentation). Everything a seller
// reads comes from i18n.js, chosen by a finding's `id` and `reason`; the server's English
// `message`/`fix` is only a fallback for rule ids, reasons and error codes this page does not know.

import { api } from './api.js';
import { initBatch, renderBatch } from './batch.js';
import { initCheck, renderCheck } from './check.js';
import { initEvidence, renderEvidence } from './evidence.js';
import { lang, onLangChange, setLang, t } from './lang.js';
import { initScan, renderScan } from './scan.js';
import { S, copyLine, gate } from './state.js';
import { $, clear, errorView, h } from './ui.js';

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
  // Limits in static text come from /api/info, never from the page.
  const vars = { min: copyLine() ?? '…', gate: gate() };
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n, vars);
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
    const minField = $('#scan-min');
    if (!minField.dataset.touched && copyLine() !== null) minField.value = String(copyLine());
  } catch (e) {
    S.infoError = e;
  }
  applyStatic();
  renderAll();
  document.body.dataset.ready = 'true';
}

function boot() {
  initCheck();
  initBatch();
  initEvidence();
  initScan();
  // Once the seller types a minimum, /api/info's default no longer replaces it.
  $('#scan-min').addEventListener('input', (e) => { e.target.dataset.touched = '1'; });
  onLangChange(() => { applyStatic(); renderAll(); });

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
