// The batch tab: many pairs at once, their verdicts and a CSV export.

import { api } from './api.js';
import { busyView, ssimCard, verdictBanner } from './check.js';
import { findingsView, normStatus, ruleName } from './findings.js';
import { has, t, tn } from './lang.js';
import { S } from './state.js';
import { $, basename, chip, clear, downloadLink, dropZone, errorView, fmt4, fmtBytes, h, keptDetails, problemItem, tooLarge, verdictChip } from './ui.js';

// ---------------------------------------------------------------- batch

export let zoneBatch;
export const VERDICT_RANK = { pass: 0, warn: 1, fail: 2, error: 3 };

export function addBatchFiles(files) {
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

export async function runBatch() {
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

export function failedOf(p) {
  if (Array.isArray(p.failed)) return p.failed;
  const fs = p.report && Array.isArray(p.report.findings) ? p.report.findings : [];
  return fs.filter((f) => normStatus(f.status) === 'fail').map((f) => f.id);
}
export function warnedOf(p) {
  const fs = p.report && Array.isArray(p.report.findings) ? p.report.findings : [];
  return fs.filter((f) => normStatus(f.status) === 'warn').map((f) => f.id);
}

export function sortedPairs() {
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

export function renderBatch() {
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

export function batchResultView(r) {
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

export function csvCell(v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return isFinite(v) ? String(v) : '';
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`; // keep spreadsheet programs from running formulas
  if (/[",\r\n]/.test(s)) s = `"${s.replace(/"/g, '""')}"`;
  return s;
}

export function exportCsv() {
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

// Build the tab's drop zone (once, at boot).
export function initBatch() {
  zoneBatch = dropZone({
    mount: 'zone-batch', testid: 'batch-drop', inputTestid: 'batch-input', folderTestid: 'batch-folder-input',
    accept: 'image/*,.zip,application/zip', multiple: true, folder: true, large: true,
    titleKey: 'batch.zone', ctaKey: 'batch.drop', formatsKey: 'batch.formats',
    get: () => S.batch.files, onFiles: addBatchFiles, error: () => S.batch.zoneError,
  });
}
