// The pair-check tab: two drop zones, the verdict, SSIM, the heatmap and the marked areas.

import { api } from './api.js';
import { KINDS, PLACES, RoleName, describeFinding, findingsView, normStatus, roleName, rolesOf, ruleName } from './findings.js';
import { has, t, tn } from './lang.js';
import { S, gate } from './state.js';
import { $, VERDICT_ICON, appendKids, chip, clear, contentDispositionName, downloadLink, dropZone, errorView, fmt4, fmtBytes, h, joinList, num, problemItem, signed, tooLarge } from './ui.js';

// ---------------------------------------------------------------- pair check

export let zoneMain, zoneHidden;

export function setCheckFile(role, file) {
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
  c.fix = null;
  renderCheck();
  if (c.main && c.hidden) runCheck();
}

export async function runCheck() {
  const c = S.check;
  if (!c.main || !c.hidden) { renderCheck(); return; }
  const seq = ++c.seq;
  const main = c.main; const hidden = c.hidden; const mainUrl = c.mainUrl; const hiddenUrl = c.hiddenUrl;
  c.busy = true; c.error = null; c.result = null; c.gps = {}; c.fix = null;
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

export function renderCheck() {
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

export function busyView(text, testid) {
  return h('div', { class: 'busy', 'data-testid': testid }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), h('span', { text }));
}

export function verdictBanner(report, sub) {
  const v = ['pass', 'warn', 'fail', 'error'].includes(report.verdict) ? report.verdict : 'error';
  const nFail = (report.findings || []).filter((f) => normStatus(f.status) === 'fail').length;
  return h('div', { class: `verdict verdict-${v}`, 'data-testid': 'verdict', 'data-verdict': report.verdict },
    h('span', { class: 'verdict-icon', 'aria-hidden': 'true', text: VERDICT_ICON[v] }),
    h('div', { class: 'verdict-text' },
      h('div', { class: 'verdict-title', 'data-testid': 'verdict-title', text: t(`verdict.${v}`) }),
      h('div', { class: 'verdict-sub', text: tn(`verdict.${v}Sub`, nFail) }),
      sub ? h('div', { class: 'verdict-files', text: sub }) : null));
}

export function ssimCard(report) {
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

export function heatmapView(result) {
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

export const BOX_IMAGES = ['main', 'hidden'];
export const MARK_MAX_H = 260; // px: the tallest a preview is drawn
// a box's short label for an addition on the main image (no `kind`), by where it lies
export const PLACE_LABEL = {
  top: 'kind.banner', bottom: 'kind.banner', left: 'kind.banner', right: 'kind.banner', all_edges: 'kind.frame',
  top_left: 'mark.badge', top_right: 'mark.badge', bottom_left: 'mark.badge', bottom_right: 'mark.badge',
  over_product: 'mark.overProduct', background: 'mark.background',
};

// Every box of every finding, once each (the same addition on the main image is named by
// overlay.main, subject.overlap and ssim): [{image, box, what, kind, place, rules, failing}].
export function collectBoxes(report) {
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
export function markStyle(b) {
  if (b.what === 'product_print') return 'print';
  if (b.what === 'overlay' && b.image === 'hidden') return b.failing ? 'problem' : 'weak';
  return 'added';
}
export function markLabel(b) {
  if (b.kind) return t(`kind.${b.kind}`);
  if (b.place) return t(PLACE_LABEL[b.place]);
  return t('mark.added');
}

// One image with its boxes drawn over it, scaled from image pixels to the shown size
// (positions in % of the image's natural size, so the boxes follow any resize).
export function imageWithBoxes(role, url, width, height, boxes) {
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

export function marksView(result, boxes) {
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

export function gpsExtra(f, result) {
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

export async function stripGps(role, result) {
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

// ---------------------------------------------------------------- safe fixes (POST /api/fix)

// The rules whose failure `pairproof fix` can mend without a new photo (the server decides
// what it actually can: a size slip of at most 2 px, say).
const FIXABLE = ['color.srgb', 'dims.equal', 'dims.aspect', 'metadata.gps', 'format', 'file.size'];

// One change the fix made, in the current language (the `fixed.*` words the CLI prints too).
export function actionWords(a) {
  const dims = (d) => (Array.isArray(d) ? `${d[0]}×${d[1]}` : '?');
  const role = roleName(a.role);
  const kept = Array.isArray(a.kept) && a.kept.length
    ? t('fixed.kept', { list: a.kept.map((k) => t(`fixed.tag.${k}`)).join(t('list.comma')) }) : '';
  switch (a.action) {
    case 'converted_to_srgb': return t('fixed.srgb', { role, from: a.from });
    case 'cropped_or_padded': {
      const [f, to] = [a.from || [], a.to || []];
      const how = f[0] >= to[0] && f[1] >= to[1] ? 'crop' : f[0] <= to[0] && f[1] <= to[1] ? 'pad' : 'both';
      const off = Array.isArray(a.offset) ? a.offset : [0, 0];
      return t('fixed.cropped', { role, how: t(`fixed.how.${how}`), from: dims(a.from), to: dims(a.to), x: off[0], y: off[1] });
    }
    case 'resized': return t('fixed.scaled', { role, from: dims(a.from), to: dims(a.to) });
    case 'gps_removed': return t('fixed.gps', { role, kept });
    case 'reencoded': return t('fixed.reencoded', {
      role, format: String(a.format || '').toUpperCase(), quality: typeof a.quality === 'number' ? t('fixed.quality', { q: a.quality }) : '',
      before: a.bytes_before, after: a.bytes_after, kept,
    });
    default: return String(a.action || '');
  }
}

export function fixView(report, result) {
  if (report.verdict !== 'fail') return null;
  const fixable = (report.findings || []).filter((f) => normStatus(f.status) === 'fail' && FIXABLE.includes(f.id));
  if (!fixable.length) return null;
  const st = S.check.fix || {};
  const card = h('div', { class: 'card fix-card', 'data-testid': 'fix-card' },
    h('h3', { class: 'section-title', text: t('fixpage.title') }),
    h('p', { text: t('fixpage.offer', { list: joinList(fixable.map((f) => ruleName(f.id)), 'list.comma') }) }));
  const btn = h('button', {
    type: 'button', class: 'btn primary', 'data-testid': 'check-fix', disabled: st.busy ? true : null,
    text: st.busy ? t('fixpage.running') : t('fixpage.run'),
  });
  btn.addEventListener('click', () => runFix(result));
  card.append(btn);
  if (st.error) card.append(errorView(st.error, 'fix-error'));
  if (st.data) card.append(fixResultView(st.data));
  return card;
}

function fixResultView(data) {
  const r = data.report || {};
  const after = ['pass', 'warn', 'fail', 'error'].includes(r.after) ? r.after : 'error';
  const actions = Array.isArray(r.actions) ? r.actions : [];
  const left = Array.isArray(r.needs_new_photo) ? r.needs_new_photo : [];
  const check = r.check || {};
  const wrap = h('div', { class: 'fix-result', 'data-testid': 'fix-result', 'data-after': r.after || '' },
    h('p', { class: `fix-after fix-${after}`, text: t('fixpage.after', { verdict: t(`verdict.short.${after}`) }) }));
  wrap.append(actions.length
    ? h('div', null, h('div', { class: 'muted', text: t('fixpage.changed') }),
      h('ul', { class: 'fix-actions', 'data-testid': 'fix-actions' }, actions.map((a) => h('li', { 'data-action': a.action, text: actionWords(a) }))))
    : h('p', { text: t('fixpage.nothing') }));
  if (left.length) {
    const byId = new Map((check.findings || []).map((f) => [f.id, f]));
    wrap.append(h('div', { class: 'muted', text: t('fixpage.still') }),
      h('ul', { class: 'fix-left', 'data-testid': 'fix-left' }, left.map((l) => {
        const f = byId.get(l.id);
        const d = f ? describeFinding(f, check) : { msg: l.message };
        return h('li', { 'data-rule': l.id }, h('strong', { text: ruleName(l.id) }), ' ', h('span', { text: d.msg }));
      })));
  }
  const files = Array.isArray(data.files) ? data.files : [];
  wrap.append(h('div', { class: 'fix-files' }, files.map((f) => h('a', {
    class: 'btn small', href: f.data_url, download: f.name, 'data-testid': `fix-download-${f.role}`,
    text: t('fixpage.download', { name: f.name }),
  }))));
  return wrap;
}

export async function runFix(result) {
  const st = S.check.fix = { busy: true };
  renderCheck();
  try {
    const fd = new FormData();
    fd.append('main', result.main, result.main.name);
    fd.append('hidden', result.hidden, result.hidden.name);
    const res = await api('/api/fix', { method: 'POST', body: fd });
    const data = await res.json();
    if (S.check.fix !== st) return;
    S.check.fix = { data };
  } catch (e) {
    if (S.check.fix !== st) return;
    S.check.fix = { error: e };
  }
  renderCheck();
}

export function checkResultView(result) {
  const report = result.data.report || {};
  const errors = Array.isArray(report.errors) ? report.errors : [];
  const wrap = h('div', { class: 'check-result' });
  wrap.append(verdictBanner(report, t('check.files', { main: result.main.name, hidden: result.hidden.name })));
  if (errors.length) {
    wrap.append(h('ul', { class: 'problem-list', 'data-testid': 'report-errors' }, errors.map((e) => problemItem(e, 'report-error'))));
  }
  const left = h('div', { class: 'col' }, ssimCard(report), fixView(report, result), findingsView(report, (f) => gpsExtra(f, result), 'check'));
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

// Build the tab's drop zones and wire its button (once, at boot).
export function initCheck() {
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
  $('#check-run').addEventListener('click', runCheck);
}
