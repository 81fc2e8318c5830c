// Customers: search and list, create, edit, suspend/activate/disconnect, and
// one customer's bills and payments with "Record payment", sessions and usage,
// complaints, SMS and VPN accounts (customer-extras.js). Everything goes through
// the public API (v2, and v1 for actions) with the panel session.

import { h, call, showErrors, clearErrors, field, select, formBody, table, money, when, badge, pager, guarded, randomKey, bytes, duration, sessionSeconds, csvButton } from "./ui.js";
import { can } from "./session.js";
import { t, word, digits } from "./i18n.js";
import { usageChart, customerComplaints, customerSms, customerVpn } from "./customer-extras.js";
import { customerHistory } from "./audit.js";

const STATUSES = ["active", "suspended", "inactive", "expired"];
const CONNECTIONS = ["pppoe", "hotspot", "static", "fiber", "wireless"];
const METHODS = ["cash", "bkash", "nagad", "rocket", "bank", "card"];
const EDITABLE = ["name", "phone", "email", "address", "package_id", "connection_type", "username", "password", "router_id", "operator_id", "onu_mac"];
const NUMERIC = ["package_id", "router_id", "operator_id"];

// Why a RADIUS session ended (Acct-Terminate-Cause, e.g. "User-Request") in
// words: "customers.cause_user_request", else the router's own text.
function endedBecause(cause) {
  if (!cause) return "";
  const name = String(cause).toLowerCase().replace(/-/g, "_");
  const text = word("customers.cause_", name);
  return text === name ? String(cause) : text;
}

// Packages, routers and operators for the selects (each only if the role may read it).
async function choices() {
  const get = (path) => call("GET", path).then((r) => r.data).catch(() => []);
  const [packages, routers, operators] = await Promise.all([
    get("/api/v2/packages?per_page=100"),
    can("network:read") ? get("/api/v2/network/routers?per_page=100") : [],
    can("operators:write") ? get("/api/v1/operators?per_page=100") : [],
  ]);
  return { packages, routers, operators };
}

function customerForm(id, title, opts, c = null) {
  const v = (k) => (c ? (k === "package_id" ? c.package?.id : c[k]) ?? "" : "");
  const pick = (label, name, list, text) => h("div", {}, ...select(label, name,
    [["", t("customers.none")], ...list.map((x) => [x.id, text(x)])]));
  const form = h("form", { class: "card grid", id },
    h("h3", { class: "wide" }, title),
    h("div", {}, ...field(t("customers.name"), "name", "text", { required: !c, value: v("name") })),
    h("div", {}, ...field(t("customers.phone"), "phone", "tel", { required: !c, placeholder: "01712345678", value: v("phone") })),
    h("div", {}, ...field(t("customers.email"), "email", "email", { value: v("email") })),
    h("div", {}, ...field(t("customers.address"), "address", "text", { value: v("address") })),
    pick(t("customers.package"), "package_id", opts.packages, (p) => `${p.name} — ${money(p.price, p.currency)}`),
    h("div", {}, ...select(t("customers.connection"), "connection_type", CONNECTIONS.map((ct) => [ct, word("customers.connection_", ct)]))),
    h("div", {}, ...field(t("customers.username_label"), "username", "text", { autocomplete: "off", value: v("username") })),
    h("div", {}, ...field(c ? t("customers.new_router_password") : t("customers.router_password"), "password", "password", { autocomplete: "new-password" })),
    opts.routers.length ? pick(t("customers.router"), "router_id", opts.routers, (r) => `${r.name} (${r.host})`) : "",
    opts.operators.length ? pick(t("customers.operator"), "operator_id", opts.operators, (o) => o.name) : "",
    h("div", {}, ...field(t("customers.onu_mac"), "onu_mac", "text", { placeholder: "AA:BB:CC:DD:EE:FF", value: v("onu_mac") })),
    h("p", { class: "wide" }, h("button", { type: "submit" }, c ? t("customers.save_changes") : t("customers.create"))));
  for (const name of ["package_id", "connection_type", "router_id", "operator_id"]) {
    const el = form.querySelector(`[name=${name}]`);
    if (el && c) el.value = String(v(name) ?? "");
  }
  return form;
}

// What an edit changes: only fields that differ; a cleared field becomes null.
function changes(form, c) {
  const out = {};
  for (const name of EDITABLE) {
    const el = form.querySelector(`[name=${name}]`);
    if (!el) continue;
    const now = el.value.trim();
    const before = String((name === "package_id" ? c.package?.id : c[name]) ?? "");
    if (name === "password") { if (now) out.password = now; continue; }
    if (now === before) continue;
    out[name] = now === "" ? null : NUMERIC.includes(name) ? Number(now) : now;
  }
  return out;
}

export async function customersView(content) {
  const opts = await choices();
  const filter = h("form", { class: "card filters", id: "customer-filter" },
    h("div", {}, ...field(t("customers.search_label"), "search", "search")),
    h("div", {}, ...select(t("customers.status"), "status", [["", t("customers.all")], ...STATUSES.map((s) => [s, word("status.", s)])])),
    h("p", {}, h("button", { type: "submit" }, t("customers.search")), " ",
      csvButton("customers-export", "/api/v2/exports/customers", "customers.csv", () => new URLSearchParams(formBody(filter)))));
  const out = h("div");
  const formHolder = h("div");
  async function load(page = 1) {
    const q = new URLSearchParams({ ...formBody(filter), page, per_page: 25 });
    await guarded(out, async () => {
      const r = await call("GET", `/api/v2/customers?${q}`);
      out.replaceChildren(table("customers", [t("customers.id"), t("customers.name"), t("customers.phone"), t("customers.package"),
        t("customers.status"), t("customers.col_balance"), t("customers.expires")],
        r.data.map((c) => h("tr", { "data-customer": c.id },
          h("td", {}, digits(c.id)), h("td", {}, h("a", { href: `#/customers/${c.id}` }, c.name)), h("td", {}, c.phone),
          h("td", {}, c.package?.name ?? ""), h("td", {}, badge(c.status)), h("td", {}, money(c.balance)),
          h("td", {}, when(c.expires_at)))), t("customers.none_match")), pager(r.meta, load));
    });
  }
  filter.addEventListener("submit", (e) => { e.preventDefault(); load(); });
  const newButton = can("customers:write") ? h("button", { type: "button", id: "new-customer", onclick: () => {
    const form = customerForm("customer-form", t("customers.new"), opts);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      clearErrors(form);
      await guarded(form, async () => {
        const r = await call("POST", "/api/v2/customers", formBody(form, NUMERIC));
        location.hash = `#/customers/${r.data.id}`;
      });
    });
    formHolder.replaceChildren(form);
    form.querySelector("[name=name]").focus();
  } }, t("customers.new")) : "";
  content.replaceChildren(h("div", { class: "title-row" }, h("h2", {}, t("customers.title")), newButton), formHolder, filter, out);
  await load();
}

function paymentForm(c, bills, done) {
  let key = randomKey();
  const open = bills.filter((b) => b.status === "unpaid" || b.status === "partial");
  const form = h("form", { class: "card grid", id: "payment-form" },
    h("h3", { class: "wide" }, t("customers.record_payment")),
    h("div", {}, ...field(t("customers.amount_bdt"), "amount", "number", { min: "0.01", step: "0.01", required: true })),
    h("div", {}, ...select(t("customers.method"), "method", METHODS.map((m) => [m, word("customers.method_", m)]))),
    h("div", {}, ...field(t("customers.transaction_id"), "transaction_id")),
    h("div", {}, ...select(t("customers.settle_bill"), "bill_id", [["", t("customers.oldest_unpaid_first")],
      ...open.map((b) => [b.id, t("customers.bill_option", { id: digits(b.id), description: b.description ?? "",
        amount: money(b.amount - b.paid_amount, b.currency), due: digits(b.due_date) })])])),
    h("p", { class: "wide" }, h("button", { type: "submit" }, t("customers.record_payment"))));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    await guarded(form, async () => {
      const body = { customer_id: c.id, ...formBody(form, ["amount", "bill_id"]) };
      // The key makes a double click (or a retry after a lost answer) record it once.
      const r = await call("POST", "/api/v2/billing/payments", body, { "Idempotency-Key": key });
      key = randomKey();
      await done(r);
    });
  });
  return form;
}

// The customer's RADIUS sessions as the routers' accounting reported them
// (the latest 50, newest first; download = what the router sent them).
function radiusSessions(usage) {
  if (usage.error) return h("p", { class: "muted", id: "customer-sessions-error" }, usage.error);
  return table("customer-sessions", [t("customers.col_started"), t("customers.col_stopped"), t("customers.col_duration"), t("customers.col_ip"), t("customers.col_mac"),
    t("customers.col_download"), t("customers.col_upload"), t("customers.router"), t("customers.col_ended_because")],
    (usage.radius_sessions ?? []).map((s) => h("tr", { "data-session": s.id },
      h("td", {}, when(s.started_at)), h("td", {}, s.active ? badge("online") : when(s.stopped_at)),
      h("td", { class: "num nowrap" }, duration(sessionSeconds(s))), h("td", {}, s.framed_ip ?? ""),
      h("td", { class: "mono" }, s.calling_station_id ?? ""),
      h("td", { class: "num nowrap" }, bytes(s.output_octets)), h("td", { class: "num nowrap" }, bytes(s.input_octets)),
      h("td", {}, s.router_name ?? ""), h("td", {}, endedBecause(s.terminate_cause)))),
    t("customers.no_sessions"));
}

export async function customerView(content, id) {
  content.replaceChildren(h("p", {}, t("ui.loading")));
  await guarded(content, async () => {
    const [c, bills, payments, opts, usage] = await Promise.all([
      call("GET", `/api/v2/customers/${id}`).then((r) => r.data),
      call("GET", `/api/v2/customers/${id}/bills?per_page=100`).then((r) => r.data),
      call("GET", `/api/v2/customers/${id}/payments?per_page=100`).then((r) => r.data),
      choices(),
      call("GET", `/api/v2/customers/${id}/usage`).then((r) => r.data).catch((err) => ({ error: err.message })),
    ]);
    const notice = h("div", { id: "customer-notice" });
    const holder = h("div");
    const reload = () => customerView(content, id);
    const action = (label, name, title) => h("button", { type: "button", id: `action-${name}`, onclick: () => {
      const form = h("form", { class: "card", id: "action-form" },
        h("h3", {}, title),
        ...field(t("customers.reason"), "reason"),
        h("p", {}, h("button", { type: "submit" }, label)));
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        await guarded(form, async () => {
          await call("POST", `/api/v1/customers/${id}/action`, { action: name, ...formBody(form) });
          await reload();
        });
      });
      holder.replaceChildren(form);
    } }, label);
    const write = can("customers:write");
    const buttons = h("p", { class: "actions" },
      write ? h("button", { type: "button", id: "edit-customer", onclick: () => {
        const form = customerForm("customer-edit-form", t("customers.edit_title", { name: c.name }), opts, c);
        form.addEventListener("submit", async (e) => {
          e.preventDefault();
          clearErrors(form);
          const body = changes(form, c);
          if (!Object.keys(body).length) { showErrors(form, new Error(t("customers.nothing_changed"))); return; }
          await guarded(form, async () => { await call("PUT", `/api/v2/customers/${id}`, body); await reload(); });
        });
        holder.replaceChildren(form);
      } }, t("customers.edit")) : "", " ",
      write && c.status !== "suspended" ? action(t("customers.suspend"), "suspend", t("customers.suspend_title", { name: c.name })) : "", " ",
      write && c.status !== "active" ? action(t("customers.activate"), "activate", t("customers.activate_title", { name: c.name })) : "", " ",
      write && c.status === "active" ? action(t("extras.disconnect"), "disconnect", t("extras.disconnect_title", { name: c.name })) : "");
    const info = (label, value) => [h("dt", {}, label), h("dd", {}, value ?? "")];
    const pay = can("billing:write") ? paymentForm(c, bills, async (r) => {
      await reload();
      const done = { id: digits(r.data.id), amount: money(r.data.amount, r.data.currency) };
      document.getElementById("customer-notice")?.replaceChildren(h("p", { class: "ok", role: "status" },
        r.credit ? t("customers.payment_recorded_credit", { ...done, credit: money(r.credit, r.data.currency) }) : t("customers.payment_recorded", done)));
    }) : "";
    content.replaceChildren(
      h("p", {}, h("a", { href: "#/customers" }, t("customers.back"))),
      h("h2", { id: "customer-name" }, c.name, " ", badge(c.status)),
      notice,
      h("dl", { class: "info", id: "customer-info" },
        info(t("customers.id"), digits(c.id)), info(t("customers.phone"), c.phone), info(t("customers.email"), c.email), info(t("customers.address"), c.address),
        info(t("customers.package"), c.package?.name), info(t("customers.connection"), word("customers.connection_", c.connection_type)),
        info(t("customers.username"), c.username), info(t("customers.credit"), money(c.balance)), info(t("customers.expires"), when(c.expires_at)),
        info(t("customers.since"), when(c.created_at))),
      buttons, holder, pay,
      h("h3", {}, t("customers.bills")),
      table("customer-bills", [t("customers.col_bill"), t("customers.col_description"), t("customers.col_amount"), t("customers.col_paid"),
        t("customers.status"), t("customers.col_due")], bills.map((b) => h("tr", { "data-bill": b.id },
        h("td", {}, `#${digits(b.id)}`), h("td", {}, b.description ?? ""), h("td", {}, money(b.amount, b.currency)),
        h("td", {}, money(b.paid_amount, b.currency)), h("td", {}, badge(b.status)), h("td", {}, digits(b.due_date)))), t("customers.no_bills")),
      h("h3", {}, t("customers.payments")),
      table("customer-payments", [t("customers.col_payment"), t("customers.col_amount"), t("customers.method"), t("customers.col_transaction"),
        t("customers.col_bill"), t("customers.col_received")], payments.map((p) => h("tr", { "data-payment": p.id },
        h("td", {}, `#${digits(p.id)}`), h("td", {}, money(p.amount, p.currency)), h("td", {}, word("customers.method_", p.method)),
        h("td", {}, p.transaction_id ?? ""), h("td", {}, p.bill_id ? `#${digits(p.bill_id)}` : ""), h("td", {}, when(p.received_at)))), t("customers.no_payments")),
      h("h3", {}, t("customers.radius_sessions")),
      radiusSessions(usage),
      usage.error ? "" : usageChart(usage));
    // The parts that load on their own: history, complaints, SMS, VPN accounts.
    const more = await Promise.all([
      customerHistory(c),
      customerComplaints(c),
      can("sms:read") ? customerSms(c) : "",
      can("vpn:read") ? customerVpn(c) : "",
    ]);
    content.append(...more);
  });
}
