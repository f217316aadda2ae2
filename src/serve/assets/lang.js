// The page's language: which one is shown, and the words for a key in it (from i18n.js).

import { LANGS, STRINGS } from './i18n.js';

// ---------------------------------------------------------------- language

export const LANG_KEY = 'pairproof.lang';

export function normLang(v) {
  if (!v) return null;
  const s = String(v).toLowerCase();
  if (s.startsWith('zh')) return 'zh-CN';
  if (s.startsWith('en')) return 'en';
  return null;
}

export function initialLang() {
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

export let lang = initialLang();

export function t(key, vars) {
  let s = STRINGS[lang][key];
  if (s === undefined) s = STRINGS.en[key];
  if (s === undefined) return key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] === undefined || vars[k] === null ? m : String(vars[k])));
  return s;
}
export const has = (key) => STRINGS.en[key] !== undefined;
// plural-aware: KEY.one when n === 1 (English needs it; the Chinese entries are the same text)
export const tn = (key, n, vars) => t(n === 1 && has(`${key}.one`) ? `${key}.one` : key, Object.assign({ n }, vars || {}));

export function setLang(l, remember) {
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
  for (const f of langListeners) f();
}

// Called after every language change (app.js re-renders the page).
const langListeners = [];
export function onLangChange(f) { langListeners.push(f); }
