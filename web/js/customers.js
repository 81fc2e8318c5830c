// Customers: search and list, create, edit, suspend/activate, and one
// customer's bills and payments with "Record payment". Everything goes through
// the public API (v2, and v1 for actions) with the panel session.

import { h, call, showErrors, clearErrors, field, select, formBody, table, money, when, badge, pager, guarded, randomKey, bytes, duration, sessionSeconds } from "./ui.js";
import { can } from "./session.js";

const STATUSES = ["active", "suspended", "inactive", "expired"];
const CONNECTIONS = ["pppoe", "hotspot", "static", "fiber", "wireless"];
const METHODS = ["cash", "bkash", "nagad", "rocket", "bank", "card"];
const EDITABLE = ["name", "phone", "email", "address", "package_id", "connection_type", "username", "password", "router_id", "operator_id", "onu_mac"];
const NUMERIC = ["package_id", "router_id", "operator_id"];

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
    [["", "— none —"], ...list.map((x) => [x.id, text(x)])]));
  const form = h("form", { class: "card grid", id },
    h("h3", { class: "wide" }, title),
    h("div", {}, ...field("Name", "name", "text", { required: !c, value: v("name") })),
    h("div", {}, ...field("Phone", "phone", "tel", { required: !c, placeholder: "01712345678", value: v("phone") })),
    h("div", {}, ...field("Email", "email", "email", { value: v("email") })),
    h("div", {}, ...field("Address", "address", "text", { value: v("address") })),
    pick("Package", "package_id", opts.packages, (p) => `${p.name} — ${money(p.price, p.currency)}`),
    h("div", {}, ...select("Connection", "connection_type", CONNECTIONS.map((t) => [t, t]))),
    h("div", {}, ...field("PPPoE / hotspot username", "username", "text", { autocomplete: "off", value: v("username") })),
    h("div", {}, ...field(c ? "New router password (blank: unchanged)" : "Router password", "password", "password", { autocomplete: "new-password" })),
    opts.routers.length ? pick("Router", "router_id", opts.routers, (r) => `${r.name} (${r.host})`) : "",
    opts.operators.length ? pick("Operator", "operator_id", opts.operators, (o) => o.name) : "",
    h("div", {}, ...field("ONU MAC (fiber)", "onu_mac", "text", { placeholder: "AA:BB:CC:DD:EE:FF", value: v("onu_mac") })),
    h("p", { class: "wide" }, h("button", { type: "submit" }, c ? "Save changes" : "Create customer")));
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
    h("div", {}, ...field("Search name, phone, email or username", "search", "search")),
    h("div", {}, ...select("Status", "status", [["", "All"], ...STATUSES.map((s) => [s, s])])),
    h("p", {}, h("button", { type: "submit" }, "Search")));
  const out = h("div");
  const formHolder = h("div");
  async function load(page = 1) {
    const q = new URLSearchParams({ ...formBody(filter), page, per_page: 25 });
    await guarded(out, async () => {
      const r = await call("GET", `/api/v2/customers?${q}`);
      out.replaceChildren(table("customers", ["ID", "Name", "Phone", "Package", "Status", "Balance", "Expires"],
        r.data.map((c) => h("tr", { "data-customer": c.id },
          h("td", {}, c.id), h("td", {}, h("a", { href: `#/customers/${c.id}` }, c.name)), h("td", {}, c.phone),
          h("td", {}, c.package?.name ?? ""), h("td", {}, badge(c.status)), h("td", {}, money(c.balance)),
          h("td", {}, when(c.expires_at)))), "No customers match."), pager(r.meta, load));
    });
  }
  filter.addEventListener("submit", (e) => { e.preventDefault(); load(); });
  const newButton = can("customers:write") ? h("button", { type: "button", id: "new-customer", onclick: () => {
    const form = customerForm("customer-form", "New customer", opts);
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
  } }, "New customer") : "";
  content.replaceChildren(h("div", { class: "title-row" }, h("h2", {}, "Customers"), newButton), formHolder, filter, out);
  await load();
}

function paymentForm(c, bills, done) {
  let key = randomKey();
  const open = bills.filter((b) => b.status === "unpaid" || b.status === "partial");
  const form = h("form", { class: "card grid", id: "payment-form" },
    h("h3", { class: "wide" }, "Record payment"),
    h("div", {}, ...field("Amount (BDT)", "amount", "number", { min: "0.01", step: "0.01", required: true })),
    h("div", {}, ...select("Method", "method", METHODS.map((m) => [m, m]))),
    h("div", {}, ...field("Transaction id (bKash, Nagad, bank…)", "transaction_id")),
    h("div", {}, ...select("Settle bill", "bill_id", [["", "Oldest unpaid first"],
      ...open.map((b) => [b.id, `#${b.id} ${b.description ?? ""} — ${money(b.amount - b.paid_amount, b.currency)} due ${b.due_date}`])])),
    h("p", { class: "wide" }, h("button", { type: "submit" }, "Record payment")));
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
  return table("customer-sessions", ["Started", "Stopped", "Duration", "IP", "MAC", "Download", "Upload", "Router", "Ended because"],
    (usage.radius_sessions ?? []).map((s) => h("tr", { "data-session": s.id },
      h("td", {}, when(s.started_at)), h("td", {}, s.active ? badge("online") : when(s.stopped_at)),
      h("td", { class: "num nowrap" }, duration(sessionSeconds(s))), h("td", {}, s.framed_ip ?? ""),
      h("td", { class: "mono" }, s.calling_station_id ?? ""),
      h("td", { class: "num nowrap" }, bytes(s.output_octets)), h("td", { class: "num nowrap" }, bytes(s.input_octets)),
      h("td", {}, s.router_name ?? ""), h("td", {}, s.terminate_cause ?? ""))),
    "No RADIUS sessions.");
}

export async function customerView(content, id) {
  content.replaceChildren(h("p", {}, "Loading…"));
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
    const action = (label, name) => h("button", { type: "button", id: `action-${name}`, onclick: () => {
      const form = h("form", { class: "card", id: "action-form" },
        h("h3", {}, `${label} ${c.name}`),
        ...field("Reason (kept with the event)", "reason"),
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
        const form = customerForm("customer-edit-form", `Edit ${c.name}`, opts, c);
        form.addEventListener("submit", async (e) => {
          e.preventDefault();
          clearErrors(form);
          const body = changes(form, c);
          if (!Object.keys(body).length) { showErrors(form, new Error("Nothing changed.")); return; }
          await guarded(form, async () => { await call("PUT", `/api/v2/customers/${id}`, body); await reload(); });
        });
        holder.replaceChildren(form);
      } }, "Edit") : "", " ",
      write && c.status !== "suspended" ? action("Suspend", "suspend") : "", " ",
      write && c.status !== "active" ? action("Activate", "activate") : "");
    const info = (label, value) => [h("dt", {}, label), h("dd", {}, value ?? "")];
    const pay = can("billing:write") ? paymentForm(c, bills, async (r) => {
      await reload();
      const credit = r.credit ? ` ${money(r.credit, r.data.currency)} kept as credit.` : "";
      document.getElementById("customer-notice")?.replaceChildren(h("p", { class: "ok", role: "status" },
        `Payment #${r.data.id} of ${money(r.data.amount, r.data.currency)} recorded.${credit}`));
    }) : "";
    content.replaceChildren(
      h("p", {}, h("a", { href: "#/customers" }, "← Customers")),
      h("h2", { id: "customer-name" }, c.name, " ", badge(c.status)),
      notice,
      h("dl", { class: "info", id: "customer-info" },
        info("ID", c.id), info("Phone", c.phone), info("Email", c.email), info("Address", c.address),
        info("Package", c.package?.name), info("Connection", c.connection_type), info("Username", c.username),
        info("Credit", money(c.balance)), info("Expires", when(c.expires_at)), info("Customer since", when(c.created_at))),
      buttons, holder, pay,
      h("h3", {}, "Bills"),
      table("customer-bills", ["Bill", "Description", "Amount", "Paid", "Status", "Due"], bills.map((b) => h("tr", { "data-bill": b.id },
        h("td", {}, `#${b.id}`), h("td", {}, b.description ?? ""), h("td", {}, money(b.amount, b.currency)),
        h("td", {}, money(b.paid_amount, b.currency)), h("td", {}, badge(b.status)), h("td", {}, b.due_date))), "No bills."),
      h("h3", {}, "Payments"),
      table("customer-payments", ["Payment", "Amount", "Method", "Transaction", "Bill", "Received"], payments.map((p) => h("tr", { "data-payment": p.id },
        h("td", {}, `#${p.id}`), h("td", {}, money(p.amount, p.currency)), h("td", {}, p.method),
        h("td", {}, p.transaction_id ?? ""), h("td", {}, p.bill_id ? `#${p.bill_id}` : ""), h("td", {}, when(p.received_at)))), "No payments."),
      h("h3", {}, "RADIUS sessions"),
      radiusSessions(usage));
  });
}
