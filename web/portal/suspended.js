// The suspension page (/portal/suspended), where a suspended line's web
// traffic is sent: the appliance recognises the customer by the address the
// request comes from and answers a greeting, why the line is suspended, what
// is due and a payment-only token; one big button pays it all with bKash.
import { api, h, tokens, explain, notice, whenUnauthorized } from "./api.js";
import { t, langSwitch, money, date, word, digits } from "./i18n.js";
import { payButton, bkashOffered } from "./pay.js";

const app = document.getElementById("app");
let found = null; // the answer; {missing: true}; or {error}
let offered = true;

/** The billing run's reason in the page's language. */
function reasonText(text) {
  const overdue = /^bill #(\d+) overdue since (\d{4}-\d{2}-\d{2})$/.exec(text ?? "");
  if (overdue) return t("reason_overdue", { bill: digits(overdue[1]), date: date(overdue[2]) });
  if (text === "prepaid period ended") return t("reason_prepaid");
  return text;
}

function show(state, ...children) {
  app.dataset.state = state;
  app.replaceChildren(...children.filter((c) => c !== null && c !== undefined && c !== false));
}

function render() {
  if (!found) return;
  document.title = t("susp_title");
  const login = h("a", { href: "/portal/", class: "button secondary", id: "login-link", "data-testid": "login-link" }, t("login_link"));
  if (found.error) {
    return show("error", notice("error", explain(found.error), { id: "recognise-error" }),
      h("button", { type: "button", class: "secondary", onclick: load }, t("try_again")), login);
  }
  if (found.missing) {
    return show("unknown", h("section", { class: "card" },
      h("h1", { id: "greeting" }, t("susp_unknown")),
      h("p", { id: "unknown-help" }, t("susp_unknown_help")), login));
  }
  const r = found;
  const suspended = r.status === "suspended";
  const greeting = h("h1", { id: "greeting" }, t(suspended ? "susp_hello" : "susp_active", { name: r.first_name }));
  const reason = suspended && r.reason ? h("p", { id: "reason" }, t("reason", { reason: reasonText(r.reason) })) : null;
  if (!(r.due > 0)) {
    return show("nothing-due", h("section", { class: `card ${suspended ? "danger-edge" : ""}` }, greeting, reason,
      notice("ok", t("susp_nothing_due"), { id: "nothing-due" }),
      suspended ? h("p", { id: "contact" }, t("susp_contact")) : null, login));
  }
  const status = h("div", { id: "pay-status" });
  const bills = r.open_bills.length ? h("ul", { class: "items compact", id: "open-bills" },
    ...r.open_bills.map((b) => h("li", { class: "item", "data-bill-id": String(b.id), "data-testid": `open-bill-${b.id}` },
      h("div", { class: "item-head" }, h("span", {}, b.description || t("bill", { id: digits(b.id) })),
        h("strong", { class: "amount" }, money(Math.round((b.amount - b.paid_amount) * 100) / 100, b.currency))),
      h("p", { class: "muted" }, `${t("due_date")}: ${date(b.due_date)} · ${word("bill_", b.status)}`)))) : null;
  const pay = offered
    ? payButton(t("pay_amount", { amount: money(r.due) }), tokens.pay, {}, status,
      { id: "pay-bkash", "data-testid": "pay-bkash", class: "pay bkash big" })
    : notice("info", t("pay_not_offered"), { id: "pay-not-offered" });
  return show(suspended ? "suspended" : "due", h("section", { class: `card ${suspended ? "danger-edge" : ""}` },
    greeting, reason,
    h("p", { class: "big-amount owed", id: "due", "data-amount": String(r.due) }, t("due_now", { amount: money(r.due) })),
    bills, pay, status,
    h("p", { class: "muted" }, t("susp_after_pay"))), h("p", { class: "center" }, login));
}

async function load() {
  try {
    const [answer, bkash] = await Promise.all([api("GET", "/api/v2/me/recognise"), bkashOffered()]);
    offered = bkash;
    tokens.setPay(answer.token.access_token);
    found = answer;
  } catch (err) {
    if (err.status === 404) tokens.clearPay();
    found = err.status === 404 ? { missing: true } : { error: err };
  }
  render();
}

// The payment-only token lasts half an hour: an old one is replaced.
whenUnauthorized(() => { tokens.clearPay(); load(); });
langSwitch(render);
load();
