// The scan tab: a catalogue scan with progress, its groups of copies and "not a copy" decisions.

import { ApiError, api, authHeaders, openEvents, token } from './api.js';
import { has, lang, t, tn } from './lang.js';
import { S, copyLine } from './state.js';
import { $, basename, chip, clear, errorView, fmtPct, h, keptDetails, num, problemItem, shortDir } from './ui.js';

// ---------------------------------------------------------------- scan

export const thumbCache = new Map();

export function thumb(path) {
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

export function orientationWords(p) {
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

export function readScanForm() {
  const root = $('#scan-root').value.trim();
  const reference = $('#scan-reference').value.split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
  let min = parseFloat($('#scan-min').value);
  if (!isFinite(min)) min = copyLine() ?? 1;
  min = Math.max(0, Math.min(1, min));
  return { root, reference, min_similarity: min };
}

export async function startScan() {
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

export function renderScanProgress() {
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

export function renderRoots() {
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

export function renderScan() {
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

export async function decideNotCopy(pair) {
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

export function scanResultView(doc) {
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

export const PAIRS_SHOWN = 6;
export function pairList(pairs, refSet, gid) {
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

// Wire the scan form (once, at boot).
export function initScan() {
  $('#scan-form').addEventListener('submit', (e) => { e.preventDefault(); startScan(); });
}
