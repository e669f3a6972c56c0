// Chinese and English for every text on screen. The device's language by default, the user's choice after.
import { set, state } from './store.js';
import { STRINGS } from './strings.js';

export const LANGS = ['zh-CN', 'en'];

export function deviceLang() {
  const langs = navigator.languages?.length ? navigator.languages : [navigator.language || 'en'];
  for (const l of langs) {
    if (/^zh/i.test(l)) return 'zh-CN';
    if (/^en/i.test(l)) return 'en';
  }
  return 'en';
}

export function initLang() {
  let chosen = null;
  try {
    chosen = localStorage.getItem('fl.lang');
  } catch {
    chosen = null;
  }
  applyLang(LANGS.includes(chosen) ? chosen : deviceLang());
}

function applyLang(l) {
  document.documentElement.lang = l;
  set({ lang: l });
}

/** The user's choice; `null` goes back to following the device. */
export function setLang(l) {
  try {
    if (l) localStorage.setItem('fl.lang', l);
    else localStorage.removeItem('fl.lang');
  } catch {
    // private mode: the choice lasts for this visit
  }
  applyLang(l || deviceLang());
}

export const lang = () => state.lang;
export const zh = () => state.lang === 'zh-CN';

export function t(key, params) {
  const entry = STRINGS[key];
  let text = entry ? entry[zh() ? 1 : 0] : key;
  if (params) text = text.replace(/\{(\w+)\}/g, (_, k) => (params[k] ?? '').toString());
  return text;
}

/** One of the server's bilingual texts: `{en, zh}`. */
export const pick = (bi) => (bi ? (zh() ? bi.zh || bi.en : bi.en || bi.zh) : '');

const digitsCache = {};
function digits(currency) {
  digitsCache[currency] ??= new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
    .maximumFractionDigits;
  return digitsCache[currency];
}

/** Minor units → major, as typed in a form (CNY 12345 → 123.45). */
export const toMajor = (minor, currency = 'CNY') => minor / 10 ** digits(currency);
export const toMinor = (major, currency = 'CNY') => Math.round(Number(major) * 10 ** digits(currency));

export function money(minor, currency = 'CNY') {
  if (minor === null || minor === undefined) return '—';
  return new Intl.NumberFormat(lang(), { style: 'currency', currency, maximumFractionDigits: 0 }).format(
    toMajor(minor, currency),
  );
}

export function date(value) {
  if (!value) return '—';
  const d = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(value + 'T00:00:00') : new Date(value);
  return new Intl.DateTimeFormat(lang(), { month: 'short', day: 'numeric', year: 'numeric' }).format(d);
}

export function dateTime(value, timeZone) {
  if (!value) return '—';
  return new Intl.DateTimeFormat(lang(), { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(value));
}

/** "14:24:37" → "14:24". */
export const clock = (hms) => (hms ? hms.slice(0, 5) : '—');

export function duration(seconds) {
  const m = Math.round(seconds / 60);
  if (m < 60) return t('unit.min', { n: m });
  return t('unit.hmin', { h: Math.floor(m / 60), m: m % 60 });
}
