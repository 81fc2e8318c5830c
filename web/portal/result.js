// The payment's result (/portal/result.html?ref=<reference>, where the
// appliance sends the customer back from bKash or SSLCommerz, and where a
// Send Money claim goes once made): asks the appliance what became of the
// payment every 2 s for about 30 s while it is pending, with the customer's
// token (a login's, or the suspension page's / payment link's payment-only
// one). A Send Money claim (gateway `manual`) waits for the ISP's staff, not
// for a gateway: it is shown waiting at once, not polled. `?error=
// unknown|later`: the return could not be matched to a payment, or the
// gateway could not be asked; said plainly.
import { api, h, tokens, explain, notice } from "./api.js";
import { t, langSwitch, money, word } from "./i18n.js";

const app = document.getElementById("app");
const params = new URLSearchParams(location.search);
const ref = params.get("ref") ?? "";
const error = params.get("error");
const EVERY_MS = 2000;
const TRIES = 15;
let current = { state: "checking" };

const ENDED = { failed: "res_failed", cancelled: "res_cancelled", expired: "res_expired", rejected: "res_rejected" };

const link = (href, key, id, cls = "button secondary") => h("a", { href, class: cls, id, "data-testid": id }, t(key));
const account = () => link("/portal/", tokens.full() ? "go_account" : "login_link", "login-link");
const kv = (label, value, attrs = {}) => h("div", { class: "kv", ...attrs }, h("span", {}, label), h("strong", {}, value));

const manual = (p) => p?.gateway === "manual";
/** bKash's own words while bKash is asked; plain ones for the others. */
const checking = (p) => (p?.gateway === "bkash" ? "res_checking" : "res_checking_any");
/** The transaction id as the customer knows it (a manual one is kept as `<method>:<id>`). */
const trxOf = (p) => (manual(p) && p.gateway_trx_id?.includes(":")
  ? p.gateway_trx_id.slice(p.gateway_trx_id.indexOf(":") + 1) : p.gateway_trx_id);
/** Where to try again: the page the payment was started from. */
function againHref(p) {
  if (p.origin !== "suspended_page" && p.origin !== "payment_link") return "/portal/#/bills";
  const code = tokens.link();
  return code ? `/portal/suspended?link=${encodeURIComponent(code)}` : "/portal/suspended";
}

function render() {
  document.title = t("result_title");
  const { state, payment: p, err } = current;
  app.dataset.state = state;
  if (p) app.dataset.gateway = p.gateway;
  const head = (key, cls) => h("h1", { id: "result-title", class: cls }, t(key));
  const facts = p ? [kv(t("amount"), money(p.amount, p.currency), { id: "result-amount" }), kv(t("reference"), p.reference)] : [];
  const sentWith = manual(p) ? [kv(t("sent_with"), word("method_", p.manual_method ?? ""), { id: "sent-with" })] : [];
  const checkAgain = () => h("button", { type: "button", class: "secondary", id: "check-again", onclick: () => poll(TRIES) }, t("check_again"));
  let body;
  if (state === "checking") {
    body = [head(checking(p)), h("div", { class: "spinner", "aria-hidden": "true" })];
  } else if (state === "waiting") {
    body = [head("res_waiting", "wait-text"),
      h("p", { id: "result-detail" }, t("res_waiting_detail", { method: word("method_", p.manual_method ?? "") })),
      ...facts, ...sentWith, kv(t("trx_id"), trxOf(p) ?? "—", { id: "trx-id" }), checkAgain(), account()];
  } else if (state === "paid") {
    body = [head("res_paid", "ok-text"), h("p", { id: "result-detail" }, t("res_back_soon")), ...facts, ...sentWith,
      kv(t("trx_id"), trxOf(p) ?? "—", { id: "trx-id" }), account()];
  } else if (ENDED[state]) {
    const why = p.detail ? (manual(p) && state === "rejected" ? t("reason", { reason: p.detail }) : p.detail) : null;
    body = [head(ENDED[state], "danger-text"), why ? h("p", { id: "result-detail", class: "muted" }, why) : null,
      manual(p) && state === "rejected" ? h("p", { id: "result-help" }, t("res_rejected_help")) : null,
      ...facts, ...sentWith, manual(p) ? kv(t("trx_id"), trxOf(p) ?? "—", { id: "trx-id" }) : null,
      link(againHref(p), "try_again", "try-again", "button primary"), account()];
  } else if (state === "pending") {
    body = [head(checking(p)), h("p", { id: "result-detail" }, t(p?.gateway === "bkash" ? "res_pending" : "res_pending_any")), ...facts,
      checkAgain(), account()];
  } else if (state === "unknown" || state === "later") {
    body = [head("result_title"), notice(state === "later" ? "info" : "error", t(state === "later" ? "res_later" : "res_unknown"), { id: "result-detail" }), account()];
  } else if (state === "no-token") {
    body = [head("result_title"), notice("info", t("res_no_token"), { id: "result-detail" }), account()];
  } else if (!err && p) {
    body = [head("result_title"), h("p", { id: "result-detail" }, p.detail ?? p.state), ...facts, account()];
  } else {
    body = [head("result_title"), notice("error", explain(err), { id: "result-detail" }), checkAgain(), account()];
  }
  app.replaceChildren(h("section", { class: "card narrow center-text" }, ...body));
}

/** The payment, asked with each token held (a login's first); null when none may see it. */
async function fetchPayment() {
  const held = [tokens.full(), tokens.pay()].filter(Boolean);
  let last = null;
  for (const token of held) {
    try {
      return (await api("GET", `/api/v2/me/online-payments/${encodeURIComponent(ref)}`, { token })).data;
    } catch (err) {
      last = err;
      if (![401, 403, 404].includes(err.status)) throw err;
    }
  }
  if (last?.status === 404) return { state: "unknown" };
  return null;
}

async function poll(tries) {
  current = { state: "checking" };
  render();
  for (let i = 0; i < tries; i += 1) {
    let p;
    try {
      p = await fetchPayment();
    } catch (err) {
      if (err.status !== 0 || i === tries - 1) { current = { state: "error", err }; return render(); }
    }
    if (p === null) { current = { state: "no-token" }; return render(); }
    if (p?.state === "unknown") { current = { state: "unknown" }; return render(); }
    // A Send Money claim waits for the ISP's staff: nothing to poll for.
    if (manual(p) && p.state === "pending") { current = { state: "waiting", payment: p }; return render(); }
    if (p && p.state !== "pending") { current = { state: p.state, payment: p }; return render(); }
    if (p) current = { state: "checking", payment: p };
    if (i < tries - 1) await new Promise((ok) => setTimeout(ok, EVERY_MS));
  }
  current = { ...current, state: "pending" };
  return render();
}

langSwitch(render);
if (error) {
  current = { state: error === "later" ? "later" : "unknown" };
  render();
} else if (!/^[A-Za-z0-9_-]{1,64}$/.test(ref)) {
  current = { state: "unknown" };
  render();
} else {
  poll(TRIES);
}
