// Billing → Online payments: every gateway's payments with their state, and
// for a paid one its refunds and "Refund" (back through the gateway). Also
// the small pieces the other Billing tabs share (v2 API, billing:read;
// refunds need billing:write).

import { h, call, clearErrors, showErrors, field, select, formBody, table, money, when, badge, pager, guarded, randomKey } from "./ui.js";
import { can } from "./session.js";
import { t, word, num, digits } from "./i18n.js";

const GATEWAYS = ["bkash", "sslcommerz", "manual"];
const STATES = ["pending", "paid", "failed", "cancelled", "expired", "rejected"];

// A link to a customer's page, named (else "#id").
export const customerLink = (id, name) => h("a", { href: `#/customers/${id}` }, name || `#${digits(id)}`);

// An error of the form's own (a blank required field), shown as the API's are.
export const fieldError = (form, name, message) =>
  showErrors(form, Object.assign(new Error(message), { details: { [name]: [message] } }));

// What is left to refund of a payment, in major units (cents kept exact).
const refundable = (o) => Math.round((Number(o.amount) - Number(o.refunded ?? 0)) * 100) / 100;

function refundResult(o, r) {
  const vars = { amount: money(r.amount, r.currency), id: r.gateway_refund_id, state: word("status.", r.state) };
  const [cls, text] = {
    refunded: ["ok", t(r.gateway_refund_id ? "billing.refund_done_id" : "billing.refund_done", vars)],
    processing: ["warning", t("billing.refund_processing", vars)],
    failed: ["form-error", t("billing.refund_failed", vars)],
  }[r.state] ?? ["", t("billing.refund_other", vars)];
  return h("section", { class: "card", id: "refund-result", role: "status", "data-state": r.state },
    h("h3", {}, `${t("billing.refund_title", { id: digits(r.id), reference: o.reference })} `, badge(r.state)),
    h("p", { class: cls }, text),
    r.detail ? h("p", { class: "muted", id: "refund-detail" }, r.detail) : "");
}

export async function onlinePaymentsView(content) {
  const write = can("billing:write");
  const filter = h("form", { class: "card filters", id: "online-payment-filter" },
    h("div", {}, ...select(t("billing.gateway"), "gateway", [["", t("billing.all")], ...GATEWAYS.map((g) => [g, word("billing.gateway_", g)])], { id: "op-gateway" })),
    h("div", {}, ...select(t("billing.state"), "state", [["", t("billing.all")], ...STATES.map((s) => [s, word("status.", s)])], { id: "op-state" })),
    h("div", {}, ...field(t("billing.customer_id"), "customer_id", "number", { id: "op-customer", min: 1 })),
    h("p", {}, h("button", { type: "submit" }, t("billing.filter"))));
  const panel = h("div", { id: "refund-panel" });
  const out = h("div");
  const refundsBox = h("div", { id: "refunds-detail" });
  let page = 1;
  // Gateways that cannot refund (the Gateways tab's `refunds`) get no button;
  // if that is not known, the API's answer says.
  const noRefunds = new Set();
  if (write) {
    const g = await call("GET", "/api/v2/billing/gateways").catch(() => null);
    for (const gw of g?.data?.gateways ?? []) if (gw.refunds === false) noRefunds.add(gw.name);
  }

  async function showRefunds(o, p = 1) {
    await guarded(refundsBox, async () => {
      const q = new URLSearchParams({ online_payment_id: o.id, page: p, per_page: 30 });
      const r = await call("GET", `/api/v2/billing/refunds?${q}`);
      refundsBox.replaceChildren(
        h("div", { class: "title-row" }, h("h3", {}, t("billing.refunds_of", { reference: o.reference })),
          h("button", { type: "button", onclick: () => refundsBox.replaceChildren() }, t("billing.close"))),
        table("refunds", ["created", "refund", "amount", "state", "gateway_refund_id", "reason", "detail", "by"].map((k) => t(`billing.col_${k}`)),
          r.data.map((x) => h("tr", { "data-refund": x.id, "data-state": x.state },
            h("td", { class: "nowrap" }, when(x.created_at)), h("td", {}, `#${digits(x.id)}`),
            h("td", { class: "num nowrap" }, money(x.amount, x.currency)), h("td", {}, badge(x.state)),
            h("td", { class: "mono" }, x.gateway_refund_id ?? ""), h("td", {}, x.reason ?? ""),
            h("td", {}, x.detail ?? ""), h("td", {}, x.created_by ? t("billing.by_staff", { id: digits(x.created_by) }) : ""))),
          t("billing.refunds_none")),
        pager(r.meta, (n) => showRefunds(o, n)));
      refundsBox.scrollIntoView({ block: "nearest" });
    });
  }

  function refundForm(o) {
    const left = refundable(o);
    let key = randomKey();
    const form = h("form", { class: "card grid", id: "refund-form", "data-online-payment": o.id },
      h("h3", { class: "wide" }, t("billing.refund_form_title", { reference: o.reference })),
      h("p", { class: "wide muted" }, t(o.gateway_trx_id ? "billing.refund_form_intro_trx" : "billing.refund_form_intro", {
        amount: money(o.amount, o.currency), gateway: word("billing.gateway_", o.gateway), trx: o.gateway_trx_id,
        refunded: money(o.refunded ?? 0, o.currency) })),
      h("div", {}, ...field(t("billing.refund_amount", { currency: o.currency, max: num(left) }), "amount", "number",
        { id: "refund-amount", min: "0.01", step: "0.01", max: left, value: left, required: true })),
      h("div", {}, ...field(t("billing.reason"), "reason", "text", { id: "refund-reason", required: true, maxlength: 500, autocomplete: "off" })),
      h("p", { class: "wide" }, h("button", { type: "submit" }, t("billing.refund")), " ",
        h("button", { type: "button", onclick: () => panel.replaceChildren() }, t("billing.cancel"))));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      clearErrors(form);
      const body = formBody(form, ["amount"]);
      if (!body.reason) { fieldError(form, "reason", t("billing.refund_reason_missing")); return; }
      if (!confirm(t("billing.refund_confirm", { amount: money(body.amount, o.currency), reference: o.reference, customer: digits(o.customer_id) }))) return;
      await guarded(form, async () => {
        // The key makes a double click (or a retry after a lost answer) refund once.
        const r = await call("POST", `/api/v2/billing/online-payments/${o.id}/refund`, body, { "Idempotency-Key": key });
        key = randomKey();
        panel.replaceChildren(refundResult(o, r.data));
        await load();
        await showRefunds(o);
      });
    });
    panel.replaceChildren(form);
    form.querySelector("[name=reason]").focus();
  }

  const row = (o) => {
    const paid = o.state === "paid";
    const canRefund = write && paid && refundable(o) > 0 && !noRefunds.has(o.gateway);
    return h("tr", { "data-online-payment": o.id, "data-reference": o.reference, "data-state": o.state },
      // The buttons come first: the table is wider than a screen.
      h("td", { class: "actions nowrap" },
        canRefund ? h("button", { type: "button", class: "refund", onclick: () => refundForm(o) }, t("billing.refund")) : "", " ",
        paid || Number(o.refunded ?? 0) > 0 ? h("button", { type: "button", class: "show-refunds", onclick: () => showRefunds(o) }, t("billing.refunds")) : ""),
      h("td", { class: "nowrap" }, when(o.created_at)), h("td", { class: "mono" }, o.reference),
      h("td", {}, customerLink(o.customer_id)), h("td", {}, word("billing.gateway_", o.gateway)),
      h("td", { class: "num nowrap" }, money(o.amount, o.currency)), h("td", {}, badge(o.state)),
      h("td", { class: "mono" }, o.gateway_trx_id ?? ""),
      h("td", { class: "num nowrap", "data-col": "refunded" }, Number(o.refunded ?? 0) > 0 ? money(o.refunded, o.currency) : ""),
      h("td", {}, o.detail ?? ""), h("td", {}, o.origin ? word("billing.origin_", o.origin) : ""),
      h("td", { class: "nowrap" }, o.state === "pending" && o.gateway !== "manual" ? when(o.expires_at) : ""));
  };

  async function load(p = page) {
    page = p;
    const q = new URLSearchParams({ ...formBody(filter), page, per_page: 30 });
    await guarded(out, async () => {
      const r = await call("GET", `/api/v2/billing/online-payments?${q}`);
      if (!r.data.length && page > 1) { await load(page - 1); return; }
      out.replaceChildren(table("online-payments",
        ["", ...["created", "reference", "customer", "gateway", "amount", "state", "transaction", "refunded", "detail", "origin", "expires"].map((k) => t(`billing.col_${k}`))],
        r.data.map(row), t("billing.online_payments_none")), pager(r.meta, load));
    });
  }
  filter.addEventListener("submit", (e) => { e.preventDefault(); panel.replaceChildren(); refundsBox.replaceChildren(); load(1); });
  filter.querySelectorAll("select").forEach((s) => s.addEventListener("change", () => filter.requestSubmit()));
  content.replaceChildren(filter, panel, out, refundsBox);
  await load(1);
}
