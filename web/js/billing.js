// Billing (v2 API, billing:read): bills, invoices (printable), payments (a
// receipt each) and recharge cards (billing-docs.js); then online payments in
// three tabs: the
// verification queue of manual send-money claims (approve books the payment,
// reject says why; billing:write), every online payment with its refunds
// (billing-payments.js), and the payment gateways as the config file sets
// them (read-only).

import { h, call, clearErrors, field, select, table, money, when, badge, pager, guarded } from "./ui.js";
import { can, user } from "./session.js";
import { t, word, num, digits } from "./i18n.js";
import { onlinePaymentsView, customerLink, fieldError } from "./billing-payments.js";
import { billingDocViews } from "./billing-docs.js";
import { billingRunView } from "./billing-run.js";

const VERIFICATION_STATES = ["pending", "paid", "rejected"];

async function verificationsView(content) {
  const write = can("billing:write");
  const filter = h("form", { class: "card filters", id: "verification-filter" },
    h("div", {}, ...select(t("billing.state"), "state", VERIFICATION_STATES.map((s) => [s, word("status.", s)]), { id: "verification-state" })),
    h("p", {}, h("button", { type: "submit" }, t("billing.show"))));
  const notice = h("div", { id: "verification-notice", role: "status" });
  const panel = h("div", { id: "verification-panel" });
  const out = h("div");
  let page = 1;
  const what = (o) => t("billing.claim_what", { amount: money(o.amount, o.currency),
    method: o.manual_method ? word("billing.method_", o.manual_method) : "?", sender: o.manual_sender ?? "?", trx: o.gateway_trx_id ?? "?" });

  const approve = async (o) => {
    if (!confirm(t("billing.approve_confirm", { reference: o.reference, what: what(o), customer: digits(o.customer_id) }))) return;
    panel.replaceChildren();
    notice.replaceChildren();
    await guarded(notice, async () => {
      const r = await call("POST", `/api/v2/billing/payment-verifications/${o.id}/approve`);
      const vars = { reference: r.data.reference, amount: money(r.data.amount, r.data.currency),
        payment: digits(r.data.payment_id), customer: digits(r.data.customer_id) };
      notice.replaceChildren(h("p", { class: "ok" }, t(r.data.payment_id ? "billing.approved_as_payment" : "billing.approved", vars)));
    });
    await load();
  };

  const reject = (o) => {
    const form = h("form", { class: "card", id: "reject-form", "data-online-payment": o.id },
      h("h3", {}, t("billing.reject_title", { reference: o.reference })),
      h("p", { class: "muted" }, t("billing.reject_intro", { what: what(o) })),
      ...field(t("billing.reason"), "reason", "text", { id: "reject-reason", required: true, maxlength: 500, autocomplete: "off",
        placeholder: t("billing.reject_placeholder") }),
      h("p", {}, h("button", { type: "submit" }, t("billing.reject_payment")), " ",
        h("button", { type: "button", onclick: () => panel.replaceChildren() }, t("billing.cancel"))));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      clearErrors(form);
      const reason = form.querySelector("[name=reason]").value.trim();
      if (!reason) { fieldError(form, "reason", t("billing.reject_reason_missing")); return; }
      await guarded(form, async () => {
        const r = await call("POST", `/api/v2/billing/payment-verifications/${o.id}/reject`, { reason });
        panel.replaceChildren();
        notice.replaceChildren(h("p", { class: "ok" }, t("billing.rejected", { reference: r.data.reference })));
        await load();
      });
    });
    notice.replaceChildren();
    panel.replaceChildren(form);
    form.querySelector("[name=reason]").focus();
  };

  async function load(p = page) {
    page = p;
    const state = filter.querySelector("[name=state]").value;
    await guarded(out, async () => {
      const q = new URLSearchParams({ state, page, per_page: 30 });
      const r = await call("GET", `/api/v2/billing/payment-verifications?${q}`);
      if (!r.data.length && page > 1) { await load(page - 1); return; }
      const decide = write && r.data.some((o) => o.state === "pending");
      out.replaceChildren(table("verifications",
        // The buttons come first: the table is wider than a screen.
        [...(decide ? [""] : []), ...["created", "reference", "customer", "amount", "method", "sender", "transaction", "bill", "state", "detail"].map((k) => t(`billing.col_${k}`))],
        r.data.map((o) => h("tr", { "data-online-payment": o.id, "data-reference": o.reference, "data-state": o.state },
          decide ? h("td", { class: "actions nowrap" }, o.state === "pending" ? [
            h("button", { type: "button", class: "approve", onclick: () => approve(o) }, t("billing.approve")), " ",
            h("button", { type: "button", class: "reject", onclick: () => reject(o) }, t("billing.reject"))] : "") : "",
          h("td", { class: "nowrap" }, when(o.created_at)), h("td", { class: "mono" }, o.reference),
          h("td", {}, customerLink(o.customer_id)), h("td", { class: "num nowrap" }, money(o.amount, o.currency)),
          h("td", {}, o.manual_method ? word("billing.method_", o.manual_method) : ""), h("td", { class: "mono" }, o.manual_sender ?? ""),
          h("td", { class: "mono" }, o.gateway_trx_id ?? ""), h("td", {}, o.bill_id ? `#${digits(o.bill_id)}` : ""),
          h("td", {}, badge(o.state)), h("td", {}, o.detail ?? ""))),
        state === "pending" ? t("billing.verifications_none") : t("billing.verifications_none_state", { state: word("status.", state) })),
      pager(r.meta, load));
    });
  }
  filter.addEventListener("submit", (e) => { e.preventDefault(); panel.replaceChildren(); load(1); });
  filter.querySelector("select").addEventListener("change", () => filter.requestSubmit());
  content.replaceChildren(
    h("p", { class: "muted" }, t("billing.verifications_intro")),
    filter, notice, panel, out);
  await load(1);
}

// A gateway's state: [key, short label, the sentence shown].
function gatewayState(gw) {
  if (gw.problem) return ["unusable", t("billing.gw_not_usable"), t("billing.gw_problem", { problem: gw.problem })];
  if (!gw.configured) return ["not-configured", t("billing.gw_not_configured"), t("billing.gw_not_configured_text", { gateway: gw.label })];
  if (!gw.enabled) return ["unusable", t("billing.gw_not_usable"), t("billing.gw_turned_off")];
  return ["ready", t("billing.gw_ready"), t("billing.gw_ready_text", { gateway: gw.label })];
}

// [class, catalogue key of the sentence].
const MODES = {
  sandbox: ["warning", "billing.mode_sandbox"],
  production: ["ok", "billing.mode_production"],
  custom: ["warning", "billing.mode_custom"],
};

function gatewayCard(gw) {
  const [key, short, sentence] = gatewayState(gw);
  const [modeClass, modeKey] = MODES[gw.mode] ?? ["", ""];
  const modeText = modeKey ? t(modeKey) : gw.mode ? t("billing.mode_other", { mode: gw.mode }) : "";
  const info = (label, value) => (value === null || value === undefined || value === "" ? [] : [h("dt", {}, label), h("dd", {}, value)]);
  return h("section", { class: "card gateway", "data-gateway": gw.name, "data-state": key, "data-mode": gw.mode ?? "" },
    h("h3", {}, `${gw.label} `, h("span", { class: `badge ${key}` }, short)),
    h("p", { class: `gateway-state ${key === "ready" ? "ok" : key === "unusable" ? "form-error" : "muted"}` }, sentence),
    modeText ? h("p", { class: `gateway-mode ${gw.configured ? modeClass : "muted"}` }, modeText) : "",
    h("dl", { class: "info" },
      info(t("billing.gw_address"), gw.base_url ? h("span", { class: "mono" }, gw.base_url) : null),
      info(t("billing.gw_account"), gw.account ? h("span", { class: "mono" }, gw.account) : null),
      info(t("billing.gw_enabled"), gw.enabled ? t("billing.yes") : t("billing.no")),
      info(t("billing.gw_refunds"), gw.refunds ? t("billing.gw_refunds_panel") : t("billing.no"))),
    gw.name === "manual" ? h("p", { class: "muted" }, t("billing.manual_note_before"),
      h("a", { href: "#/billing/verifications" }, t("billing.manual_note_link")), t("billing.manual_note_after")) : "");
}

async function gatewaysView(content) {
  content.replaceChildren(h("p", {}, t("ui.loading")));
  await guarded(content, async () => {
    const { data: g } = await call("GET", "/api/v2/billing/gateways");
    const info = (label, value) => [h("dt", {}, label), h("dd", {}, value)];
    content.replaceChildren(
      g.public_url ? "" : h("p", { class: "warning", id: "public-url-warning" },
        t("billing.public_url_warning")),
      h("dl", { class: "info", id: "payment-settings" },
        info(t("billing.currency"), g.currency),
        info(t("billing.payment_expiry"), t("billing.payment_expiry_text", { minutes: num(g.pending_minutes) })),
        info(t("billing.status_check"), t("billing.status_check_text", { seconds: num(g.status_check_secs) })),
        info(t("billing.public_address"), g.public_url ? h("span", { class: "mono" }, g.public_url) : h("span", { class: "muted" }, t("billing.not_set")))),
      h("div", { class: "gateways", id: "gateways" }, g.gateways.map(gatewayCard)),
      h("p", { class: "muted", id: "gateway-config-note" },
        t("billing.config_note_1"), h("code", {}, "[payments.bkash]"),
        t("billing.config_note_2"), h("code", {}, "[payments.sslcommerz]"), t("billing.config_note_3"), h("code", {}, "*_file"),
        t("billing.config_note_4")));
  });
}

// [catalogue key of the tab's name, view].
const TABS = {
  bills: ["billing.tab_bills", billingDocViews.billsView],
  invoices: ["billing.tab_invoices", billingDocViews.invoicesView],
  payments: ["billing.tab_payments", billingDocViews.paymentsView],
  cards: ["billing.tab_cards", billingDocViews.cardsView],
  verifications: ["billing.tab_verifications", verificationsView],
  "online-payments": ["billing.tab_online_payments", onlinePaymentsView],
  gateways: ["billing.tab_gateways", gatewaysView],
  // The ISP's own run: not for a reseller's staff (the API refuses them).
  run: ["billing.tab_run", billingRunView, () => user()?.role !== "operator_staff"],
};

export function billingView(content, tab) {
  const shown = Object.entries(TABS).filter(([, [, , when]]) => !when || when());
  const name = shown.some(([key]) => key === tab) ? tab : "bills";
  const inner = h("div", { id: "content-inner" });
  content.replaceChildren(h("h2", {}, t("billing.title")),
    h("nav", { class: "tabs", "aria-label": t("billing.tabs") }, shown.map(([key, [label]]) =>
      h("a", { href: `#/billing/${key}`, class: "tab", "aria-current": key === name ? "page" : "false" }, t(label)))),
    inner);
  return TABS[name][1](inner);
}
