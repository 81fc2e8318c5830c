// "I sent money": the customer sent money with bKash, Nagad or Rocket's
// Send Money to one of the ISP's own numbers (GET /api/v2/me/gateways,
// `send_money`) and gives the transaction id from the SMS. The claim
// (POST /api/v2/me/payments, gateway "manual") waits until staff compare it
// with the wallet's statement; the result page shows it waiting. Used by
// the portal (a login's token) and by the suspension page and payment links
// (the payment-only token).
import { api, ApiError, h, explain, field, fieldError, formError, busy } from "./api.js";
import { t, word, latinDigits } from "./i18n.js";

/** "bKash / Nagad": the Send Money services offered, in words. */
export const sendMoneyMethods = (sendMoney) => sendMoney.map((s) => word("method_", s.method)).join(" / ");

/** The ISP's numbers to send to (as digits the wallet apps take). */
export function sendMoneyNumbers(sendMoney) {
  return h("div", { class: "send-numbers", id: "send-money-numbers" },
    h("h3", {}, t("sent_numbers")),
    h("ul", { class: "numbers" }, ...sendMoney.map((s) => h("li", { "data-method": s.method, "data-number": s.number },
      h("span", {}, word("method_", s.method)),
      h("strong", { class: "number", translate: "no" }, s.number)))));
}

/** 01XXXXXXXXX from what was typed (Bangla digits, spaces, +88); null if it is not a mobile number. */
export function mobileOf(text) {
  let n = latinDigits(text).replace(/[\s()-]/g, "");
  if (n.startsWith("+88")) n = n.slice(3);
  else if (n.startsWith("88") && n.length === 13) n = n.slice(2);
  return /^01[0-9]{9}$/.test(n) ? n : null;
}

/** The transaction id as sent: letters and digits, 4 to 40; null otherwise. */
export function trxOf(text) {
  const s = latinDigits(text).replace(/\s/g, "").toUpperCase();
  return /^[A-Z0-9]{4,40}$/.test(s) ? s : null;
}

/** An amount of at least 1 with at most 2 decimals; null otherwise. */
export function amountOf(text) {
  const s = latinDigits(text).replace(/[,\s]/g, "");
  if (!/^[0-9]+(\.[0-9]{1,2})?$/.test(s)) return null;
  const n = Number(s);
  return n >= 1 ? n : null;
}

const FIELD_ERRORS = { method: "claim_err_method", sender: "claim_err_sender", trx_id: "claim_err_trx", amount: "claim_err_amount" };

/**
 * The claim form. `token()`: the token to claim with; `amount`: the amount
 * offered (what is due, or the bill's open amount); `billId`: the bill it
 * pays, if one; `billLabel`: that bill in words; `onCancel`: a Cancel button.
 */
export function sendMoneyForm({ token, sendMoney, amount, billId, billLabel, onCancel }) {
  const form = h("form", { id: "claim-form", class: "claim-form", novalidate: true, autocomplete: "off",
    "data-bill-id": billId ? String(billId) : false },
  billLabel ? h("p", { class: "muted", id: "claim-bill" }, t("sent_for_bill", { bill: billLabel })) : null,
  h("label", { for: "claim-method" }, t("sent_method")),
  h("select", { id: "claim-method", name: "method", required: true },
    ...sendMoney.map((s) => h("option", { value: s.method }, word("method_", s.method)))),
  ...field(t("sent_sender"), "sender", "tel", { id: "claim-sender", inputmode: "tel", autocomplete: "tel",
    placeholder: "01XXXXXXXXX", maxlength: 20, required: true }),
  ...field(t("sent_trx"), "trx_id", "text", { id: "claim-trx", autocapitalize: "characters", autocomplete: "off",
    spellcheck: "false", maxlength: 40, required: true }),
  ...field(t("sent_amount"), "amount", "text", { id: "claim-amount", inputmode: "decimal",
    value: amount > 0 ? String(amount) : "", required: true }),
  h("button", { type: "submit", class: "primary", id: "claim-submit", "data-testid": "claim-submit" }, t("sent_submit")),
  onCancel ? h("button", { type: "button", class: "link", id: "claim-cancel", onclick: onCancel }, t("cancel")) : null);
  const el = (name) => form.elements.namedItem(name);
  // A field's message goes once the field is changed.
  form.addEventListener("input", (e) => { if (FIELD_ERRORS[e.target.name]) fieldError(form, e.target.name, null); });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    form.querySelector(".notice")?.remove();
    for (const name of Object.keys(FIELD_ERRORS)) fieldError(form, name, null);
    const method = el("method").value;
    const sender = mobileOf(el("sender").value);
    const trx = trxOf(el("trx_id").value);
    const sent = amountOf(el("amount").value);
    const wrong = [];
    if (!sendMoney.some((s) => s.method === method)) wrong.push("method");
    if (!sender) wrong.push("sender");
    if (!trx) wrong.push("trx_id");
    if (!sent) wrong.push("amount");
    if (wrong.length) {
      for (const name of wrong) fieldError(form, name, t(FIELD_ERRORS[name]));
      el(wrong[0]).focus();
      return;
    }
    const body = { gateway: "manual", method, sender, trx_id: trx, amount: sent };
    if (billId) body.bill_id = billId;
    await busy(form.querySelector("#claim-submit"), async () => {
      try {
        const made = await api("POST", "/api/v2/me/payments", { token: token(), body });
        const to = new URL(made.redirect_url, location.href);
        if (to.origin !== location.origin) throw new ApiError(502, "BAD_REDIRECT", to.href);
        location.assign(to.href);
      } catch (err) {
        if (err.status === 409) {
          fieldError(form, "trx_id", t("claim_err_duplicate"));
          el("trx_id").focus();
          return;
        }
        const details = err.status === 422 ? Object.keys(err.details ?? {}) : [];
        const onFields = details.filter((k) => FIELD_ERRORS[k]);
        for (const name of onFields) fieldError(form, name, t(FIELD_ERRORS[name]));
        if (onFields.length) el(onFields[0]).focus();
        if (details.includes("bill_id")) formError(form, t("claim_err_bill"));
        else if (details.includes("gateway")) formError(form, t("sent_none"));
        else if (!onFields.length) formError(form, explain(err));
      }
    });
  });
  return form;
}

/** How to send, the numbers and the claim form, under a heading. */
export function sendMoneyPanel(opts) {
  return [
    h("h2", { id: "send-money-title" }, t("sent_money_button", { methods: sendMoneyMethods(opts.sendMoney) })),
    h("p", { class: "muted", id: "send-money-how" }, t("sent_how")),
    sendMoneyNumbers(opts.sendMoney),
    sendMoneyForm(opts),
  ];
}

/** A button that opens the panel in place (the suspension page, payment links). */
export function sendMoneyBox(opts) {
  const open = h("button", { type: "button", class: "secondary sent-money", id: "sent-money-open", "data-testid": "sent-money-open" },
    t("sent_money_button", { methods: sendMoneyMethods(opts.sendMoney) }));
  const box = h("div", { class: "send-money", id: "send-money" }, open);
  open.addEventListener("click", () => {
    const close = () => { box.classList.remove("open"); box.replaceChildren(open); open.focus(); };
    box.replaceChildren(...sendMoneyPanel({ ...opts, onCancel: close }));
    box.classList.add("open");
    box.querySelector("#claim-sender")?.focus();
  });
  return box;
}
