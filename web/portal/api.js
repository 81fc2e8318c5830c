// The portal's plumbing: building elements, calling the customer API with
// the customer's token, keeping the tokens (sessionStorage: gone when the
// tab closes), and turning API errors into words for the customer.
import { t, digits } from "./i18n.js";

/** `h("p", {class: "x"}, "text", child)`: an element. `on*` attributes are listeners. */
export const h = (tag, attrs = {}, ...children) => {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (v !== false && v !== undefined && v !== null) el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
};

const FULL = "ispbills.portal.token";
const PAY = "ispbills.portal.pay_token";
const LINK = "ispbills.portal.link";

const store = {
  get(k) { try { return sessionStorage.getItem(k); } catch { return null; } },
  set(k, v) { try { sessionStorage.setItem(k, v); } catch { /* storage blocked */ } },
  del(k) { try { sessionStorage.removeItem(k); } catch { /* storage blocked */ } },
};

/**
 * The customer's tokens: `full` from a login, `pay` from the suspension page
 * or a payment link; `link`: the payment link's code the `pay` token came
 * from (none when it came from the suspension page), to go back to it.
 */
export const tokens = {
  full: () => store.get(FULL),
  pay: () => store.get(PAY),
  link: () => store.get(LINK),
  setFull: (token) => store.set(FULL, token),
  setPay: (token) => store.set(PAY, token),
  setLink: (code) => store.set(LINK, code),
  clearFull: () => store.del(FULL),
  clearPay: () => store.del(PAY),
  clearLink: () => store.del(LINK),
};

export class ApiError extends Error {
  constructor(status, code, message, details = {}, retryAfter = null) {
    super(message);
    Object.assign(this, { status, code, details, retryAfter });
  }
}

/** Called when a request with a token is answered 401 (the token is no good). */
let onUnauthorized = null;
export const whenUnauthorized = (fn) => { onUnauthorized = fn; };

/** Calls the API; answers the JSON body, throws ApiError (status 0: no answer). */
export async function api(method, path, { token, body } = {}) {
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let r;
  try {
    r = await fetch(path, {
      method, headers, credentials: "omit", cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, "NETWORK", e.message);
  }
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!r.ok) {
    const err = json?.error ?? {};
    const e = new ApiError(r.status, err.code ?? `HTTP_${r.status}`, err.message ?? r.statusText,
      err.details ?? {}, r.headers.get("Retry-After"));
    if (r.status === 401 && token && onUnauthorized) onUnauthorized(e);
    throw e;
  }
  return json;
}

/** What to tell the customer about a failed call (`special` maps a status to a string key). */
export function explain(err, special = {}) {
  if (special[err.status]) return t(special[err.status]);
  if (err.status === 0) return t("err_network");
  if (err.status === 429) {
    const secs = Number(err.retryAfter);
    return t("err_too_many", { wait: secs > 0 ? t("seconds", { n: digits(secs) }) : t("a_moment") });
  }
  return t("err_generic", { message: err.message || err.code });
}

/** A message box: `kind` ok | error | info. */
export const notice = (kind, text, attrs = {}) =>
  h("p", { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status", ...attrs }, text);

/** Shows `text` as the form's error (replacing the one before). */
export function formError(form, text) {
  form.querySelector(".notice")?.remove();
  form.prepend(notice("error", text, { "data-testid": "form-error" }));
}

/** Shows `text` under the form's field `name` (none: clears that field's message). */
export function fieldError(form, name, text) {
  const input = form.elements.namedItem(name);
  if (!input) return;
  const id = `${input.id}-error`;
  form.querySelector(`#${CSS.escape(id)}`)?.remove();
  input.removeAttribute("aria-invalid");
  input.removeAttribute("aria-describedby");
  if (!text) return;
  input.setAttribute("aria-invalid", "true");
  input.setAttribute("aria-describedby", id);
  input.after(h("p", { class: "field-error", id, role: "alert", "data-field": name }, text));
}

/** A labelled input: [label, input]. */
export function field(label, name, type = "text", extra = {}) {
  const id = extra.id || name;
  const input = type === "textarea"
    ? h("textarea", { id, name, rows: 4, ...extra })
    : h("input", { id, name, type, ...extra });
  return [h("label", { for: id }, label), input];
}

/** Disables a form's button while `fn` runs. */
export async function busy(button, fn) {
  button.disabled = true;
  try { return await fn(); } finally { button.disabled = false; }
}
