// The panel's words in English and Bangla: every string a screen shows comes
// from the catalogues web/i18n/en.json and bn.json (keys like
// "customers.title"; `{name}` is filled from `vars`). The choice is kept per
// browser (localStorage). Numbers, amounts and times are formatted for the
// language; the API's own messages (errors) stay English.
//
// The catalogues load before any screen module runs (top-level await), so
// t() is safe anywhere.

const KEY = "ispbills.panel.lang";
const LOCALES = { en: "en-US", bn: "bn-BD" };

let current = "en";
try { current = localStorage.getItem(KEY) === "bn" ? "bn" : "en"; } catch { /* storage blocked */ }

async function load(lang) {
  const r = await fetch(`/i18n/${lang}.json`, { credentials: "same-origin" });
  if (!r.ok) throw new Error(`the ${lang} catalogue did not load (HTTP ${r.status})`);
  return r.json();
}

const english = await load("en");
const chosen = current === "en" ? english : await load(current).catch(() => { current = "en"; return english; });

export const lang = () => current;

/** Switches the language for this browser and redraws the panel. */
export function setLang(l) {
  try { localStorage.setItem(KEY, l === "bn" ? "bn" : "en"); } catch { /* storage blocked */ }
  location.reload();
}

/** The string `key` in the current language, `{name}`s filled from `vars`. */
export function t(key, vars = {}) {
  const text = chosen[key] ?? english[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, k) => (vars[k] === undefined ? "" : String(vars[k])));
}

/** Whether the catalogue has `key` (for values such as statuses). */
export const has = (key) => key in english;

/** An API value (a status, a method, a type) in words: `t(prefix + value)`, else the value itself. */
export const word = (prefix, value) => (has(prefix + value) ? t(prefix + value) : String(value ?? ""));

/** A number in the language's digits and grouping. */
export const num = (n, options = {}) => new Intl.NumberFormat(LOCALES[current], options).format(Number(n ?? 0));

/** Latin digits in a text (a time, a date, an id) as the language's digits. */
export const digits = (text) => (current === "bn"
  ? String(text ?? "").replace(/[0-9]/g, (d) => "০১২৩৪৫৬৭৮৯"[d]) : String(text ?? ""));

/** Fills fixed text in index.html: `data-i18n` elements get t(key). */
export function applyStatic(root = document) {
  document.documentElement.lang = current;
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n, { version: el.dataset.version });
}

/** Every English string (for the browser test's "nothing left in English" check). */
export const englishCatalogue = () => english;
