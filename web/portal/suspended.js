// The suspension page (/portal/suspended), where a suspended line's web
// traffic is sent: the appliance recognises the customer by the address the
// request comes from and answers a greeting, why the line is suspended, what
// is due and a payment-only token; one big button pays it all with bKash
// (and one with SSLCommerz, when set up), and money sent by Send Money to
// the ISP's numbers can be claimed.
//
// A payment link (/portal/l/<code>, sent by SMS or by staff) lands here as
// /portal/suspended?link=<code>: the customer is then found by the link
// (POST /api/v2/me/link), which answers the same, plus the bill it was sent
// for; an unknown, tampered or expired link is said so.
import { api, h, tokens, explain, notice, whenUnauthorized } from "./api.js";
import { t, langSwitch, money, date, word, digits } from "./i18n.js";
import { payButtons, payOptions, choices } from "./pay.js";
import { sendMoneyBox } from "./sendmoney.js";

const app = document.getElementById("app");
const linkCode = new URLSearchParams(location.search).get("link");
const LINK_CODE = /^[A-Za-z0-9_-]{1,200}$/;
let found = null; // the answer; {missing: true}; {badLink: true}; or {error}
let offer = { bkash: true, sslcommerz: false, sendMoney: [], currency: "BDT" };

/** The billing run's reason in the page's language. */
function reasonText(text) {
  const overdue = /^bill #(\d+) overdue since (\d{4}-\d{2}-\d{2})$/.exec(text ?? "");
  if (overdue) return t("reason_overdue", { bill: digits(overdue[1]), date: date(overdue[2]) });
  if (text === "prepaid period ended") return t("reason_prepaid");
  return text;
}

function show(state, ...children) {
  app.dataset.state = state;
  app.dataset.via = linkCode !== null ? "link" : "address";
  app.replaceChildren(...children.filter((c) => c !== null && c !== undefined && c !== false));
}

const openAmount = (b) => Math.max(0, Math.round((b.amount - b.paid_amount) * 100) / 100);

function render() {
  if (!found) return;
  document.title = t(linkCode !== null ? "link_title" : "susp_title");
  const login = h("a", { href: "/portal/", class: "button secondary", id: "login-link", "data-testid": "login-link" }, t("login_link"));
  if (found.error) {
    return show("error", notice("error", explain(found.error), { id: "recognise-error" }),
      h("button", { type: "button", class: "secondary", onclick: load }, t("try_again")), login);
  }
  if (found.badLink) {
    return show("bad-link", h("section", { class: "card" },
      h("h1", { id: "greeting" }, t("link_title")),
      notice("error", t("link_invalid"), { id: "link-error", "data-testid": "link-error" }), login));
  }
  if (found.missing) {
    return show("unknown", h("section", { class: "card" },
      h("h1", { id: "greeting" }, t("susp_unknown")),
      h("p", { id: "unknown-help" }, t("susp_unknown_help")), login));
  }
  const r = found;
  const suspended = r.status === "suspended";
  const viaLink = r.known_by === "payment_link" || linkCode !== null;
  const greeting = h("h1", { id: "greeting" }, t(suspended ? "susp_hello" : "susp_active", { name: r.first_name }));
  const linkNote = viaLink ? h("p", { class: "muted small", id: "link-note" }, t("link_note")) : null;
  const reason = suspended && r.reason ? h("p", { id: "reason" }, t("reason", { reason: reasonText(r.reason) })) : null;
  if (!(r.due > 0)) {
    return show("nothing-due", h("section", { class: `card ${suspended ? "danger-edge" : ""}` }, greeting, linkNote, reason,
      notice("ok", t("susp_nothing_due"), { id: "nothing-due" }),
      suspended ? h("p", { id: "contact" }, t("susp_contact")) : null, login));
  }
  const status = h("div", { id: "pay-status" });
  const linked = r.bill_id ?? null;
  const bills = r.open_bills.length ? h("ul", { class: "items compact", id: "open-bills" },
    ...r.open_bills.map((b) => h("li", { class: b.id === linked ? "item linked" : "item", "data-bill-id": String(b.id),
      "data-linked": b.id === linked ? "true" : false, "data-testid": `open-bill-${b.id}` },
    b.id === linked ? h("span", { class: "badge linked", id: "linked-bill" }, t("link_bill")) : null,
    h("div", { class: "item-head" }, h("span", {}, b.description || t("bill", { id: digits(b.id) })),
      h("strong", { class: "amount" }, money(openAmount(b), b.currency))),
    h("p", { class: "muted" }, `${t("due_date")}: ${date(b.due_date)} · ${word("bill_", b.status)}`)))) : null;
  const amount = money(r.due);
  const pay = choices(payButtons(offer, { token: tokens.pay, status,
    bkash: [t("pay_amount", { amount }), { id: "pay-bkash", "data-testid": "pay-bkash", class: "pay bkash big" }],
    card: [t("pay_card_amount", { amount }), { id: "pay-card", "data-testid": "pay-card", class: "pay card big" }] }));
  const sent = offer.sendMoney.length
    ? sendMoneyBox({ token: tokens.pay, sendMoney: offer.sendMoney, amount: r.due })
    : null;
  return show(suspended ? "suspended" : "due", h("section", { class: `card ${suspended ? "danger-edge" : ""}` },
    greeting, linkNote, reason,
    h("p", { class: "big-amount owed", id: "due", "data-amount": String(r.due) }, t("due_now", { amount })),
    bills, pay, status, sent,
    suspended ? h("p", { class: "muted" }, t("susp_after_pay")) : null), h("p", { class: "center" }, login));
}

/** The customer: by the payment link, else by the address. */
async function who() {
  if (linkCode === null) {
    const answer = await api("GET", "/api/v2/me/recognise");
    tokens.clearLink();
    return answer;
  }
  const answer = await api("POST", "/api/v2/me/link", { body: { code: linkCode } });
  tokens.setLink(linkCode);
  return answer;
}

async function load() {
  if (linkCode !== null && !LINK_CODE.test(linkCode)) {
    found = { badLink: true };
    return render();
  }
  try {
    const [answer, options] = await Promise.all([who(), payOptions()]);
    offer = options;
    tokens.setPay(answer.token.access_token);
    found = answer;
  } catch (err) {
    const gone = err.status === 404 || (linkCode !== null && [400, 410, 422].includes(err.status));
    if (gone) tokens.clearPay();
    if (gone && linkCode !== null) tokens.clearLink();
    found = !gone ? { error: err } : linkCode !== null ? { badLink: true } : { missing: true };
  }
  return render();
}

// The payment-only token lasts half an hour: an old one is replaced.
whenUnauthorized(() => { tokens.clearPay(); load(); });
langSwitch(render);
load();
