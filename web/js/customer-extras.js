// The rest of a customer's page: usage over time (the router's session
// counters as a chart), the customer's complaints (with a new one), an SMS
// to the customer with its history, and the customer's VPN accounts (create,
// download the client config). Each part shows only what the role may read,
// and offers only what it may do.

import { h, call, field, select, formBody, table, when, badge, guarded, clearErrors, bytes, downloadFrom } from "./ui.js";
import { can } from "./session.js";
import { t, word, digits } from "./i18n.js";
import { lineChart } from "./chart.js";
import { complaintRows, complaintHeadings, PRIORITIES } from "./complaints.js";
import { sendOneForm } from "./sms.js";

// The router's samples of the customer's session: bytes down and up.
export function usageChart(usage) {
  const samples = (usage.samples ?? []).filter((s) => s.bytes_in !== null && s.bytes_in !== undefined);
  const chart = samples.length ? lineChart({
    id: "customer-usage-chart",
    title: t("extras.usage_title"),
    series: [
      { label: t("extras.usage_down"), points: samples.map((s) => [s.sampled_at, s.bytes_in]) },
      { label: t("extras.usage_up"), cls: "second", points: samples.map((s) => [s.sampled_at, s.bytes_out ?? 0]) },
    ],
    format: bytes,
  }) : null;
  return h("section", { id: "customer-usage" }, h("h3", {}, t("extras.usage_title")),
    chart ?? h("p", { class: "muted", id: "customer-usage-empty" }, t("extras.usage_none")));
}

// The customer's complaints, the same rows as the Complaints screen, and a
// new one for this customer.
export async function customerComplaints(c, reload) {
  const box = h("section", { id: "customer-complaints" }, h("h3", {}, t("extras.complaints_title")));
  const list = h("div");
  const load = () => guarded(list, async () => {
    const r = await call("GET", `/api/v2/complaints?customer_id=${c.id}&per_page=50`);
    list.replaceChildren(table("customer-complaint-list", complaintHeadings(),
      complaintRows(r.data, [], new Map([[c.id, c.name]]), load), t("extras.complaints_none")));
  });
  box.append(list);
  if (can("customers:write")) {
    const form = h("form", { class: "card grid", id: "customer-complaint-form" },
      h("div", {}, ...field(t("extras.complaint_subject"), "subject", "text", { id: "customer-complaint-subject", required: true, maxlength: 200 })),
      h("div", {}, ...select(t("extras.complaint_priority"), "priority", PRIORITIES.map((p) => [p, word("complaints.priority_", p)]), { id: "customer-complaint-priority" })),
      h("div", { class: "wide" }, h("label", { for: "customer-complaint-body" }, t("extras.complaint_body")),
        h("textarea", { id: "customer-complaint-body", name: "body", rows: 3, maxlength: 5000 })),
      h("p", { class: "wide" }, h("button", { type: "submit" }, t("extras.complaint_open"))));
    form.querySelector("[name=priority]").value = "medium";
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      clearErrors(form);
      await guarded(form, async () => {
        await call("POST", "/api/v2/complaints", { customer_id: c.id, ...formBody(form) });
        form.reset();
        await load();
      });
    });
    box.append(h("details", {}, h("summary", {}, t("extras.complaint_new")), form));
  }
  await load();
  return box;
}

// An SMS to the customer's phone, and the messages sent to it.
export async function customerSms(c) {
  const box = h("section", { id: "customer-sms" }, h("h3", {}, t("extras.sms_title")));
  const history = h("div");
  const load = () => guarded(history, async () => {
    const r = await call("GET", `/api/v2/sms/history?${new URLSearchParams({ phone: c.phone, per_page: 20 })}`);
    history.replaceChildren(table("customer-sms-history", [t("extras.sms_col_sent"), t("extras.sms_col_message"), t("extras.sms_col_status")],
      r.data.map((m) => h("tr", { "data-sms": m.id ?? m.message_id },
        h("td", { class: "nowrap" }, when(m.sent_at ?? m.created_at)), h("td", {}, m.message ?? m.body ?? ""), h("td", {}, badge(m.status)))),
      t("extras.sms_none")));
  });
  if (can("sms:send") && c.phone) box.append(sendOneForm(load, { phone: c.phone, prefix: "customer-sms" }));
  box.append(history);
  await load();
  return box;
}

// The customer's VPN accounts: download each client config; create one
// (network:write).
export async function customerVpn(c) {
  const box = h("section", { id: "customer-vpn" }, h("h3", {}, t("extras.vpn_title")));
  const list = h("div");
  const status = h("p", { id: "customer-vpn-status", role: "status" });
  const load = () => guarded(list, async () => {
    const r = await call("GET", `/api/v2/vpn/accounts?customer_id=${c.id}&per_page=50`);
    list.replaceChildren(table("customer-vpn-accounts", [t("extras.vpn_col_name"), t("extras.vpn_col_protocol"), t("extras.vpn_col_addresses"),
      t("extras.vpn_col_state"), t("extras.vpn_col_config")],
      r.data.map((a) => h("tr", { "data-vpn": a.id },
        h("td", {}, a.name), h("td", {}, word("extras.vpn_protocol_", a.protocol)), h("td", { class: "mono" }, a.addresses ?? ""),
        h("td", {}, badge(a.enabled ? "active" : "disabled")),
        h("td", {}, h("button", { type: "button", class: "vpn-config", onclick: () => guarded(status, async () => {
          const name = await downloadFrom(`/api/v2/vpn/accounts/${a.id}/config`, `${a.name}.conf`);
          status.textContent = t("extras.vpn_downloaded", { name });
        }) }, t("extras.vpn_download"))))),
      t("extras.vpn_none")));
  });
  box.append(list, status);
  if (can("network:write")) {
    const form = h("form", { class: "card grid", id: "customer-vpn-form" },
      h("div", {}, ...field(t("extras.vpn_col_name"), "name", "text", { id: "vpn-name", required: true, maxlength: 100 })),
      h("div", {}, ...select(t("extras.vpn_col_protocol"), "protocol", ["wireguard", "openvpn", "l2tp"].map((p) => [p, word("extras.vpn_protocol_", p)]), { id: "vpn-protocol" })),
      h("div", {}, ...field(t("extras.vpn_col_addresses"), "addresses", "text", { id: "vpn-addresses", placeholder: "10.66.0.2/32" })),
      h("div", {}, ...field(t("extras.vpn_username"), "username", "text", { id: "vpn-username", autocomplete: "off" })),
      h("div", {}, ...field(t("extras.vpn_password"), "password", "password", { id: "vpn-password", autocomplete: "new-password" })),
      h("p", { class: "wide muted" }, t("extras.vpn_hint")),
      h("p", { class: "wide" }, h("button", { type: "submit" }, t("extras.vpn_create"))));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      clearErrors(form);
      await guarded(form, async () => {
        const r = await call("POST", "/api/v2/vpn/accounts", { customer_id: c.id, ...formBody(form) });
        status.textContent = t("extras.vpn_created", { name: r.data.name, id: digits(r.data.id) });
        form.reset();
        await load();
      });
    });
    box.append(h("details", {}, h("summary", {}, t("extras.vpn_new")), form));
  }
  await load();
  return box;
}
