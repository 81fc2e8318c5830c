// Small helpers every screen uses: element building, API calls with the
// session's CSRF token, errors next to their fields, tables, money — in the
// chosen language (i18n.js).

import { t, num, digits, word } from "./i18n.js";

let csrf = "";
export const setCsrf = (token) => { csrf = token; };

export const h = (tag, attrs = {}, ...children) => {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (v !== false && v !== undefined && v !== null) el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) el.append(c instanceof Node ? c : document.createTextNode(String(c ?? "")));
  return el;
};

// A random key for Idempotency-Key (crypto.randomUUID needs HTTPS; LAN panels are often plain HTTP).
export function randomKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

// Calls the panel endpoints and the public API alike: the session cookie goes
// along, and the X-CSRF-Token header on every call (the API accepts the
// cookie only together with it).
export async function call(method, path, body, extraHeaders = {}) {
  const headers = { Accept: "application/json", "X-CSRF-Token": csrf, ...extraHeaders };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!r.ok) throw Object.assign(new Error(json?.error?.message || r.statusText || `HTTP ${r.status}`), { status: r.status, code: json?.error?.code, details: json?.error?.details || {} });
  return json;
}

// A file from the API (a VPN client config) saved by the browser, named as
// the answer's Content-Disposition says (else `fallback`).
export async function downloadFrom(path, fallback) {
  const r = await fetch(path, { headers: { "X-CSRF-Token": csrf }, credentials: "same-origin" });
  if (!r.ok) {
    let message = r.statusText || `HTTP ${r.status}`;
    try { message = (await r.json()).error?.message || message; } catch { /* not JSON */ }
    throw Object.assign(new Error(message), { status: r.status, details: {} });
  }
  const name = /filename="?([^";]+)"?/.exec(r.headers.get("content-disposition") || "")?.[1] || fallback;
  saveBlob(await r.blob(), name);
  return name;
}

// Hands `blob` to the browser as a download named `name`.
function saveBlob(blob, name) {
  const a = h("a", { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

// Shows an API error next to the field it names, or at the top of the form.
export function showErrors(form, err) {
  clearErrors(form);
  let placed = false;
  for (const [name, messages] of Object.entries(err.details || {})) {
    const input = form.querySelector(`[name="${name}"]`);
    const text = Array.isArray(messages) ? messages.join(" ") : String(messages);
    if (input) {
      (input.closest("fieldset") || input).after(h("p", { class: "field-error", role: "alert", "data-for": name }, text));
      placed = true;
    }
  }
  if (!placed) form.prepend(h("p", { class: "form-error", role: "alert" }, err.message));
}

export function clearErrors(form) {
  form.querySelectorAll(".field-error, .form-error").forEach((e) => e.remove());
}

// Runs `fn`, showing a failure in `where` (a form, or any element).
export async function guarded(where, fn) {
  try { return await fn(); } catch (err) {
    if (where instanceof HTMLFormElement) showErrors(where, err);
    else where.replaceChildren(h("p", { class: "form-error", role: "alert" }, err.message));
    return undefined;
  }
}

export function field(label, name, type = "text", extra = {}) {
  const id = extra.id || name;
  return [h("label", { for: id }, label), h("input", { id, name, type, ...extra })];
}

export function select(label, name, options, extra = {}) {
  const id = extra.id || name;
  return [h("label", { for: id }, label), h("select", { id, name, ...extra },
    options.map(([value, text]) => h("option", { value }, text)))];
}

export function formData(form) {
  return Object.fromEntries(new FormData(form).entries());
}

// The filled-in fields of a form as JSON values (numbers where asked, blanks left out).
export function formBody(form, numeric = []) {
  const out = {};
  for (const [k, v] of Object.entries(formData(form))) {
    const t = typeof v === "string" ? v.trim() : v;
    if (t === "") continue;
    out[k] = numeric.includes(k) ? Number(t) : t;
  }
  return out;
}

// Every row of a paged list, 100 a page, to its last page or `max` rows:
// `{ rows, more }`, `more` when rows were left over.
export async function allPages(path, query, max) {
  const rows = [];
  for (let page = 1; ; page += 1) {
    const r = await call("GET", `${path}?${new URLSearchParams({ ...query, page, per_page: 100 })}`);
    rows.push(...r.data);
    const last = page >= (r.meta?.last_page ?? 1) || !r.data.length;
    if (last || rows.length > max) return { rows: rows.slice(0, max), more: rows.length > max };
  }
}

// A table that becomes stacked cards on a phone: each cell carries its
// column's heading (data-label) for the narrow layout to show beside it.
export function table(id, headings, rows, empty = t("ui.empty")) {
  if (!rows.length) return h("p", { class: "muted", id: `${id}-empty` }, empty);
  for (const tr of rows) {
    [...tr.children].forEach((td, i) => { if (headings[i] && !td.hasAttribute("data-label")) td.setAttribute("data-label", headings[i]); });
  }
  return h("div", { class: "table-wrap" }, h("table", { id, class: "stack" },
    h("thead", {}, h("tr", {}, headings.map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, rows)));
}

// Rows of data as a CSV file the browser downloads (UTF-8 with a BOM, so
// Excel shows Bangla): `columns` are [heading, value of a row].
export function downloadCsv(filename, columns, rows) {
  const cell = (v) => {
    const t = String(v ?? "");
    return /[",\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
  };
  const lines = [columns.map(([heading]) => cell(heading)).join(","),
    ...rows.map((r) => columns.map(([, value]) => cell(value(r))).join(","))];
  saveBlob(new Blob(["\ufeff", lines.join("\r\n"), "\r\n"], { type: "text/csv;charset=utf-8" }), filename);
}

// An amount in major units: "BDT 1,500" in English, "৳১,৫০০" in Bangla.
export function money(amount, currency = "BDT") {
  const n = Number(amount ?? 0);
  const text = num(n, { minimumFractionDigits: n % 1 ? 2 : 0, maximumFractionDigits: 2 });
  return t(currency === "BDT" ? "ui.money_bdt" : "ui.money", { amount: text, currency });
}

// The ISP's local time: every time the panel shows is in [isp] utc_offset
// (the header names the zone once), and date inputs are local dates.
let offsetMinutes = 0;
let offsetText = "+00:00";
export function setOffset(text) {
  const m = /^([+-])(\d\d):(\d\d)$/.exec(text || "");
  offsetText = m ? text : "+00:00";
  offsetMinutes = m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}
export const zoneName = () => `UTC${offsetText}`;

// An API time (RFC 3339, UTC) as the ISP's local "YYYY-MM-DD HH:MM:SS".
export function when(ts) {
  if (!ts) return "";
  const t = Date.parse(ts);
  if (Number.isNaN(t)) return String(ts);
  return digits(new Date(t + offsetMinutes * 60000).toISOString().slice(0, 19).replace("T", " "));
}

// Today's local date (YYYY-MM-DD) in the ISP's time.
export const localToday = () => new Date(Date.now() + offsetMinutes * 60000).toISOString().slice(0, 10);

// A local date or date-time typed into an input ("2026-12-03" or
// "2026-12-03T14:05") as the UTC instant the API takes (RFC 3339).
export function localToUtc(value, endOfDay = false) {
  const v = value.length === 10 ? `${value}T${endOfDay ? "23:59:59" : "00:00:00"}` : value.length === 16 ? `${value}:00` : value;
  const t = Date.parse(`${v}Z`) - offsetMinutes * 60000;
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");
}

// Octets as a human size: 512 B, 1.5 KB, 20.3 MB, 1.24 GB (1 KB = 1024 bytes).
export function bytes(n) {
  let v = Number(n ?? 0);
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i += 1; }
  const digitsAfter = i === 0 ? 0 : v < 10 ? 2 : 1;
  return `${num(v, { minimumFractionDigits: digitsAfter, maximumFractionDigits: digitsAfter })} ${t(`ui.unit_${units[i]}`)}`;
}

// Seconds as "2d 3h 4m", "5m 6s", "42s".
export function duration(secs) {
  const s = Math.max(0, Math.floor(Number(secs ?? 0)));
  const [d, hr, m, sec] = [Math.floor(s / 86400), Math.floor(s / 3600) % 24, Math.floor(s / 60) % 60, s % 60];
  if (d) return t("ui.duration_dhm", { d: num(d), h: num(hr), m: num(m) });
  if (hr) return t("ui.duration_hm", { h: num(hr), m: num(m) });
  if (m) return t("ui.duration_ms", { m: num(m), s: num(sec) });
  return t("ui.duration_s", { s: num(sec) });
}

// How long a RADIUS session has lasted: the accounting's Acct-Session-Time,
// or for one still online the time since it started when that is longer.
export function sessionSeconds(s) {
  const since = (Date.now() - Date.parse(s.started_at)) / 1000;
  return s.active && since > s.session_time ? since : s.session_time;
}

export function badge(status) {
  return h("span", { class: `badge ${status}` }, word("status.", status));
}

// Previous / next for a paginated list ({data, meta}). A search whose count
// stopped (meta.total_capped) has more than its total: "120+", "of 6+".
export function pager(meta, go) {
  const more = meta && meta.total_capped ? "+" : "";
  if (!meta || meta.last_page <= 1) return h("p", { class: "muted" }, meta ? t("ui.in_all", { total: num(meta.total) + more }) : "");
  return h("p", { class: "pager" },
    h("button", { type: "button", disabled: meta.current_page <= 1, onclick: () => go(meta.current_page - 1) }, t("ui.previous")),
    ` ${t("ui.page_of", { page: num(meta.current_page), last: num(meta.last_page) + more, total: num(meta.total) + more })} `,
    h("button", { type: "button", disabled: meta.current_page >= meta.last_page, onclick: () => go(meta.current_page + 1) }, t("ui.next")));
}

export function copyButton(text) {
  return h("button", { type: "button", onclick: async (e) => {
    try {
      if (navigator.clipboard) await navigator.clipboard.writeText(text);
      else {
        // Plain-HTTP LAN pages have no Clipboard API: copy through a selection.
        const area = h("textarea", { readonly: true }, text);
        document.body.append(area); area.select(); document.execCommand("copy"); area.remove();
      }
      e.target.textContent = t("ui.copied");
    } catch { e.target.textContent = t("ui.copy_by_hand"); }
  } }, t("ui.copy"));
}

export function secretBox(creds) {
  const rows = Object.entries(creds).filter(([, v]) => v !== null && v !== undefined);
  return h("div", { class: "secret", id: "secret-box", role: "status" },
    h("p", { class: "warning" }, t("ui.secret_once")),
    ...rows.map(([k, v]) => h("p", {}, h("strong", {}, `${k}: `), h("code", { "data-field": k }, v), " ", copyButton(String(v)))));
}

// A button that downloads the appliance's streamed CSV export at `path`,
// with the query `params()` gives (the screen's filters), and says so.
export function csvButton(id, path, fallback, params) {
  const status = h("span", { role: "status", class: "muted", id: `${id}-status` });
  const button = h("button", { type: "button", id, onclick: () => guarded(status, async () => {
    status.textContent = t("logs.exporting");
    const name = await downloadFrom(`${path}?${params()}`, fallback);
    status.textContent = t("exports.saved", { name });
  }) }, t("logs.export_csv"));
  return h("span", { class: "export" }, button, " ", status);
}
