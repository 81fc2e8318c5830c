// Billing (v2 API, billing:read): bills, invoices (printable), payments (a
// receipt each) and recharge cards (billing-docs.js); then online payments in
// three tabs: the
// verification queue of manual send-money claims (approve books the payment,
// reject says why; billing:write), every online payment with its refunds
// (billing-payments.js), and the payment gateways as the config file sets
// them (read-only).

import { h, call, clearErrors, field, select, table, money, when, badge, pager, guarded } from "./ui.js";
import { can } from "./session.js";
import { onlinePaymentsView, customerLink, fieldError } from "./billing-payments.js";
import { billingDocViews } from "./billing-docs.js";

const VERIFICATION_STATES = ["pending", "paid", "rejected"];

async function verificationsView(content) {
  const write = can("billing:write");
  const filter = h("form", { class: "card filters", id: "verification-filter" },
    h("div", {}, ...select("State", "state", VERIFICATION_STATES.map((s) => [s, s]), { id: "verification-state" })),
    h("p", {}, h("button", { type: "submit" }, "Show")));
  const notice = h("div", { id: "verification-notice", role: "status" });
  const panel = h("div", { id: "verification-panel" });
  const out = h("div");
  let page = 1;
  const what = (o) => `${money(o.amount, o.currency)} sent with ${o.manual_method ?? "?"} from ${o.manual_sender ?? "?"}, transaction ${o.gateway_trx_id ?? "?"}`;

  const approve = async (o) => {
    if (!confirm(`Approve ${o.reference}: ${what(o)}?\nCheck the wallet's statement first: it is booked as a payment of customer #${o.customer_id}.`)) return;
    panel.replaceChildren();
    notice.replaceChildren();
    await guarded(notice, async () => {
      const r = await call("POST", `/api/v2/billing/payment-verifications/${o.id}/approve`);
      notice.replaceChildren(h("p", { class: "ok" }, `${r.data.reference} approved: ${money(r.data.amount, r.data.currency)} booked`,
        r.data.payment_id ? ` as payment #${r.data.payment_id}` : "", ` for customer #${r.data.customer_id}.`));
    });
    await load();
  };

  const reject = (o) => {
    const form = h("form", { class: "card", id: "reject-form", "data-online-payment": o.id },
      h("h3", {}, `Reject ${o.reference}`),
      h("p", { class: "muted" }, `${what(o)}. Nothing is booked; the customer sees the reason.`),
      ...field("Reason", "reason", "text", { id: "reject-reason", required: true, maxlength: 500, autocomplete: "off",
        placeholder: "No such transaction in the merchant statement" }),
      h("p", {}, h("button", { type: "submit" }, "Reject payment"), " ",
        h("button", { type: "button", onclick: () => panel.replaceChildren() }, "Cancel")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      clearErrors(form);
      const reason = form.querySelector("[name=reason]").value.trim();
      if (!reason) { fieldError(form, "reason", "Give the reason (the customer sees it)."); return; }
      await guarded(form, async () => {
        const r = await call("POST", `/api/v2/billing/payment-verifications/${o.id}/reject`, { reason });
        panel.replaceChildren();
        notice.replaceChildren(h("p", { class: "ok" }, `${r.data.reference} rejected.`));
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
        [...(decide ? [""] : []), "Created", "Reference", "Customer", "Amount", "Method", "Sender", "Transaction", "Bill", "State", "Detail"],
        r.data.map((o) => h("tr", { "data-online-payment": o.id, "data-reference": o.reference, "data-state": o.state },
          decide ? h("td", { class: "actions nowrap" }, o.state === "pending" ? [
            h("button", { type: "button", class: "approve", onclick: () => approve(o) }, "Approve"), " ",
            h("button", { type: "button", class: "reject", onclick: () => reject(o) }, "Reject")] : "") : "",
          h("td", { class: "nowrap" }, when(o.created_at)), h("td", { class: "mono" }, o.reference),
          h("td", {}, customerLink(o.customer_id)), h("td", { class: "num nowrap" }, money(o.amount, o.currency)),
          h("td", {}, o.manual_method ?? ""), h("td", { class: "mono" }, o.manual_sender ?? ""),
          h("td", { class: "mono" }, o.gateway_trx_id ?? ""), h("td", {}, o.bill_id ? `#${o.bill_id}` : ""),
          h("td", {}, badge(o.state)), h("td", {}, o.detail ?? ""))),
        state === "pending" ? "No payments waiting for verification." : `No ${state} manual payments.`),
      pager(r.meta, load));
    });
  }
  filter.addEventListener("submit", (e) => { e.preventDefault(); panel.replaceChildren(); load(1); });
  filter.querySelector("select").addEventListener("change", () => filter.requestSubmit());
  content.replaceChildren(
    h("p", { class: "muted" }, "Customers who sent money to the ISP's bKash, Nagad or Rocket number themselves claim it here. ",
      "Compare each claim with the wallet's statement, then approve it (it is booked as a payment) or reject it."),
    filter, notice, panel, out);
  await load(1);
}

// A gateway's state: [key, short label, the sentence shown].
function gatewayState(gw) {
  if (gw.problem) return ["unusable", "Not usable", `Configured but not usable: ${gw.problem}`];
  if (!gw.configured) return ["not-configured", "Not configured", `Not configured: customers are not offered ${gw.label}.`];
  if (!gw.enabled) return ["unusable", "Not usable", "Configured but not usable: turned off (enabled = false)."];
  return ["ready", "Ready", `Ready: customers can pay with ${gw.label}.`];
}

const MODES = {
  sandbox: ["warning", "Sandbox: test mode, no real money."],
  production: ["ok", "Production: real payments."],
  custom: ["warning", "Custom address (neither the gateway's sandbox nor its production one): check it before taking real money."],
};

function gatewayCard(gw) {
  const [key, short, sentence] = gatewayState(gw);
  const [modeClass, modeText] = MODES[gw.mode] ?? ["", gw.mode ? `Mode: ${gw.mode}.` : ""];
  const info = (label, value) => (value === null || value === undefined || value === "" ? [] : [h("dt", {}, label), h("dd", {}, value)]);
  return h("section", { class: "card gateway", "data-gateway": gw.name, "data-state": key, "data-mode": gw.mode ?? "" },
    h("h3", {}, `${gw.label} `, h("span", { class: `badge ${key}` }, short)),
    h("p", { class: `gateway-state ${key === "ready" ? "ok" : key === "unusable" ? "form-error" : "muted"}` }, sentence),
    modeText ? h("p", { class: `gateway-mode ${gw.configured ? modeClass : "muted"}` }, modeText) : "",
    h("dl", { class: "info" },
      info("Address", gw.base_url ? h("span", { class: "mono" }, gw.base_url) : null),
      info("Account", gw.account ? h("span", { class: "mono" }, gw.account) : null),
      info("Enabled", gw.enabled ? "yes" : "no"),
      info("Refunds", gw.refunds ? "from the panel (Online payments)" : "no")),
    gw.name === "manual" ? h("p", { class: "muted" }, "Claims wait in the ",
      h("a", { href: "#/billing/verifications" }, "verification queue"), " until staff approve them.") : "");
}

async function gatewaysView(content) {
  content.replaceChildren(h("p", {}, "Loading…"));
  await guarded(content, async () => {
    const { data: g } = await call("GET", "/api/v2/billing/gateways");
    const info = (label, value) => [h("dt", {}, label), h("dd", {}, value)];
    content.replaceChildren(
      g.public_url ? "" : h("p", { class: "warning", id: "public-url-warning" },
        "[server] public_url is not set: set it to the address customers reach the appliance at (https://…). ",
        "Gateways send customers back there; without it the return address is taken from the request's Host header."),
      h("dl", { class: "info", id: "payment-settings" },
        info("Currency", g.currency),
        info("Payment expiry", `${g.pending_minutes} minutes after it is started`),
        info("Status check", `after ${g.status_check_secs} seconds without the gateway's answer`),
        info("Public address", g.public_url ? h("span", { class: "mono" }, g.public_url) : h("span", { class: "muted" }, "not set"))),
      h("div", { class: "gateways", id: "gateways" }, g.gateways.map(gatewayCard)),
      h("p", { class: "muted", id: "gateway-config-note" },
        "Gateways are set in the config file (/etc/ispbills/config.toml), sections ", h("code", {}, "[payments.bkash]"),
        " and ", h("code", {}, "[payments.sslcommerz]"), "; keep secrets in the ", h("code", {}, "*_file"),
        " keys (a file readable by the service only). Changes take effect after a restart of the service."));
  });
}

const TABS = {
  bills: ["Bills", billingDocViews.billsView],
  invoices: ["Invoices", billingDocViews.invoicesView],
  payments: ["Payments", billingDocViews.paymentsView],
  cards: ["Recharge cards", billingDocViews.cardsView],
  verifications: ["Verification queue", verificationsView],
  "online-payments": ["Online payments", onlinePaymentsView],
  gateways: ["Gateways", gatewaysView],
};

export function billingView(content, tab) {
  const name = TABS[tab] ? tab : "bills";
  const inner = h("div", { id: "content-inner" });
  content.replaceChildren(h("h2", {}, "Billing"),
    h("nav", { class: "tabs", "aria-label": "Billing" }, Object.entries(TABS).map(([key, [label]]) =>
      h("a", { href: `#/billing/${key}`, class: "tab", "aria-current": key === name ? "page" : "false" }, label))),
    inner);
  return TABS[name][1](inner);
}
