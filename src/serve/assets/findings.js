// A finding in words: the current language's sentence for a finding's `id` and `reason`,
// and the cards and lists that show findings.

import { has, t, tn } from './lang.js';
import { gate } from './state.js';
import { chip, fmt4, fmtBytes, fmtPct, h, joinList, keptDetails, num, signed } from './ui.js';

// ---------------------------------------------------------------- findings → words

export const normStatus = (s) => (s === 'skip' ? 'skipped' : s);
export const ROLE_ORDER = ['main', 'hidden', 'image'];
export const roleName = (r) => t(`role.${r}`);
export const RoleName = (r) => t(`role.${r.charAt(0).toUpperCase()}${r.slice(1)}`);
export function rolesOf(obj, pred) {
  if (!obj || typeof obj !== 'object') return [];
  return Object.keys(obj).filter((k) => pred(obj[k], k))
    .sort((a, b) => ROLE_ORDER.indexOf(a) - ROLE_ORDER.indexOf(b));
}
export const fileOf = (report, role) => (report && report[role] && typeof report[role] === 'object' ? report[role] : null);
export const hasWarning = (file, codes) => !!(file && Array.isArray(file.warnings) && file.warnings.some((w) => codes.includes(w.code)));

// Overlay kinds (the `hidden.clean.<kind>` rules and a box's `kind`).
export const KINDS = ['qr', 'barcode', 'frame', 'banner', 'sticker', 'text', 'watermark', 'arrow'];
export const HIDDEN_CLEAN = 'hidden.clean.';
// Where the main image's additions lie (a box's `place`), in the order a list names them.
export const PLACES = ['top', 'bottom', 'left', 'right', 'all_edges', 'top_left', 'top_right', 'bottom_left', 'bottom_right', 'over_product', 'background'];

// "a, b and c" / "a、b和c"
export function wordList(items) {
  if (items.length <= 1) return items.join('');
  return items.slice(0, -1).join(t('list.comma')) + t('list.and') + items[items.length - 1];
}
// The places of a finding's added_on_main boxes, in words ("a banner along the bottom", "底部横幅").
export function placeWords(boxes) {
  const places = new Set((Array.isArray(boxes) ? boxes : [])
    .filter((b) => b && b.what === 'added_on_main' && PLACES.includes(b.place)).map((b) => b.place));
  return PLACES.filter((p) => places.has(p)).map((p) => t(`place.${p}`));
}

// Returns {msg, fix} in the current language, chosen by the finding's `id` and `reason` (never
// by its English `message`); throws for an unknown reason or when `measured` has an unexpected
// shape (the caller then falls back to the server's English text).
export function findingWords(f, report) {
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
        case 'within_limit': return say(m && m.image !== undefined ? 'f.file.size.passOne' : 'f.file.size.pass', { limit });
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
        case 'small_but_sharp': return say('f.lint.file_size_recommended.smallSharp', vars);
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

export function describeFinding(f, report) {
  try {
    return Object.assign({ translated: true }, findingWords(f, report));
  } catch (_) {
    return { msg: f.message || '', fix: f.fix || null, translated: false };
  }
}
export const ruleName = (id) => (has(`rule.${id}`) ? t(`rule.${id}`) : id);

// Where the rule comes from: a published platform rule, or pairproof's advice.
export const originOf = (f) => (f.origin === 'advice' ? 'advice' : f.origin === 'platform' ? 'platform' : null);
export function originChip(f, tiny) {
  const o = originOf(f);
  if (!o) return null;
  return chip(`chip-origin chip-origin-${o}${tiny ? ' tiny' : ''}`, t(`origin.${o}`), { 'data-testid': 'finding-origin', 'data-origin': o, title: t(`origin.${o}.hint`) });
}

export function findingCard(f, report, extra) {
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

export function findingsView(report, extraFor, key) {
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
