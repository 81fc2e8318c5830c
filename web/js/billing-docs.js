// Billing's paper side: bills, invoices and payments lists with their
// filters, a printable invoice and payment receipt (the ISP's name, address
// and phone from [isp]; print styles leave only the paper), and recharge
// cards: generate a batch, issue it to an operator, and print the batch as an
// A4 sheet of cards while its PINs are shown (once) (v2/v1 API; billing:read,
// cards:write to generate).

import { h, call, field, select, formBody, table, money, when, badge, pager, guarded, clearErrors, randomKey, localToUtc } from "./ui.js";
import { can, isp } from "./session.js";

const BILL_STATUSES = ["unpaid", "partial", "paid"];
const localDate = (ts) => when(ts).slice(0, 10);

function ispHeader() {
  const i = isp();
  return h("div", { class: "isp" }, h("h1", { id: "print-isp-name" }, i.name),
    i.address ? h("div", {}, i.address) : "", i.phone ? h("div", {}, i.phone) : "");
}

// A paper in the page: Print and Close above it (not printed).
function showPaper(holder, paper) {
  holder.replaceChildren(h("p", { class: "no-print" },
    h("button", { type: "button", id: "print-button", onclick: () => window.print() }, "Print"), " ",
    h("button", { type: "button", onclick: () => holder.replaceChildren() }, "Close")), paper);
  holder.scrollIntoView();
}

const customerCache = new Map();
async function customerOf(id) {
  if (!customerCache.has(id)) customerCache.set(id, call("GET", `/api/v2/customers/${id}`).then((r) => r.data));
  return customerCache.get(id);
}
const customerLines = (c) => h("address", { id: "print-customer" }, h("strong", {}, c.name), h("br"),
  c.address ? [c.address, h("br")] : "", c.phone, c.username ? [h("br"), `Username: ${c.username}`] : "", h("br"), `Customer no. ${c.id}`);

async function invoicePaper(inv) {
  const [c, bills, payments] = await Promise.all([
    customerOf(inv.customer_id),
    Promise.all(inv.bill_ids.map((id) => call("GET", `/api/v2/billing/bills/${id}`).then((r) => r.data))),
    inv.payment_ids.length ? call("GET", `/api/v2/customers/${inv.customer_id}/payments?per_page=100`).then((r) => r.data.filter((p) => inv.payment_ids.includes(p.id))) : [],
  ]);
  return h("article", { class: "printout", id: "invoice-paper" }, ispHeader(),
    h("h2", {}, `Invoice ${inv.number}`), h("p", {}, `Period ${inv.period} · issued ${localDate(inv.created_at)} · `, badge(inv.status)),
    customerLines(c),
    h("table", { id: "invoice-lines" }, h("thead", {}, h("tr", {}, ["Bill", "Period", "Due", "Amount", "Paid"].map((t, i) => h("th", { scope: "col", class: i > 2 ? "num" : "" }, t)))),
      h("tbody", {}, bills.map((b) => h("tr", {}, h("td", {}, `#${b.id} ${b.description ?? ""}`),
        h("td", {}, b.period_start && b.period_end ? `${b.period_start} – ${b.period_end}` : ""), h("td", {}, b.due_date),
        h("td", { class: "num" }, money(b.amount, b.currency)), h("td", { class: "num" }, money(b.paid_amount, b.currency))))),
      h("tfoot", {}, h("tr", { class: "total" }, h("td", { colspan: 3 }, "Total / paid / due"),
        h("td", { class: "num" }, money(inv.total)), h("td", { class: "num", id: "invoice-due" }, `${money(inv.paid)} / ${money(inv.due)}`)))),
    payments.length ? [h("h3", {}, "Payments"), h("ul", { class: "plain" }, payments.map((p) =>
      h("li", {}, `${when(p.received_at)}: ${money(p.amount, p.currency)} by ${p.method}${p.transaction_id ? ` (${p.transaction_id})` : ""}`)))] : "");
}

async function receiptPaper(p) {
  const c = await customerOf(p.customer_id);
  return h("article", { class: "printout", id: "receipt-paper" }, ispHeader(),
    h("h2", {}, `Payment receipt no. ${p.id}`), h("p", {}, when(p.received_at)),
    customerLines(c),
    h("p", { class: "total" }, h("strong", { id: "receipt-amount" }, money(p.amount, p.currency)), ` received by ${p.method}`,
      p.transaction_id ? ` (transaction ${p.transaction_id})` : "", p.bill_id ? ` for bill #${p.bill_id}` : "", "."),
    h("p", {}, "Received with thanks."));
}

async function billsView(content) {
  const filter = h("form", { class: "card filters", id: "bill-filter" },
    h("div", {}, ...select("Status", "status", [["", "All"], ...BILL_STATUSES.map((s) => [s, s])], { id: "bill-status" })),
    h("div", {}, ...field("Customer no.", "customer_id", "number", { id: "bill-customer", min: 1 })),
    h("div", {}, ...field("Created from (local date)", "from", "date", { id: "bill-from" })),
    h("div", {}, ...field("Created to (local date)", "to", "date", { id: "bill-to" })),
    h("p", {}, h("button", { type: "submit" }, "Show")));
  const out = h("div");
  async function load(page = 1) {
    const q = new URLSearchParams({ page, per_page: 25 });
    for (const [k, v] of Object.entries(formBody(filter))) q.set(k, k === "from" ? localToUtc(v) : k === "to" ? localToUtc(v, true) : v);
    await guarded(out, async () => {
      const r = await call("GET", `/api/v2/billing/bills?${q}`);
      out.replaceChildren(table("bills", ["Bill", "Customer", "Description", "Due", "Amount", "Paid", "Status"],
        r.data.map((b) => h("tr", { "data-bill": b.id }, h("td", {}, `#${b.id}`),
          h("td", {}, h("a", { href: `#/customers/${b.customer_id}` }, `#${b.customer_id}`)), h("td", {}, b.description ?? ""),
          h("td", { class: "nowrap" }, b.due_date), h("td", { class: "num" }, money(b.amount, b.currency)),
          h("td", { class: "num" }, money(b.paid_amount, b.currency)), h("td", {}, badge(b.status)))), "No bills match."), pager(r.meta, load));
    });
  }
  filter.addEventListener("submit", (e) => { e.preventDefault(); load(); });
  content.replaceChildren(filter, out);
  await load();
}

async function invoicesView(content) {
  const filter = h("form", { class: "card filters", id: "invoice-filter" },
    h("div", {}, ...field("Customer no.", "customer_id", "number", { id: "invoice-customer", min: 1 })),
    h("p", {}, h("button", { type: "submit" }, "Show")));
  const out = h("div");
  const paper = h("div", { id: "paper-holder" });
  async function load(page = 1) {
    await guarded(out, async () => {
      const r = await call("GET", `/api/v1/invoices?${new URLSearchParams({ ...formBody(filter), page, per_page: 25 })}`);
      out.replaceChildren(table("invoices", ["Number", "Customer", "Period", "Total", "Due", "Status", ""],
        r.data.map((inv) => h("tr", { "data-invoice": inv.id }, h("td", { class: "mono" }, inv.number),
          h("td", {}, h("a", { href: `#/customers/${inv.customer_id}` }, `#${inv.customer_id}`)), h("td", {}, inv.period),
          h("td", { class: "num" }, money(inv.total)), h("td", { class: "num" }, money(inv.due)), h("td", {}, badge(inv.status)),
          h("td", {}, h("button", { type: "button", class: "invoice-print", onclick: () => guarded(paper, async () => showPaper(paper, await invoicePaper(inv))) }, "Printable invoice")))),
        "No invoices yet: the billing run makes one per customer and month."), pager(r.meta, load));
    });
  }
  filter.addEventListener("submit", (e) => { e.preventDefault(); load(); });
  content.replaceChildren(filter, out, paper);
  await load();
}

async function paymentsView(content) {
  const filter = h("form", { class: "card filters", id: "payment-filter" },
    h("div", {}, ...field("Customer no.", "customer_id", "number", { id: "payment-customer", min: 1 })),
    h("p", {}, h("button", { type: "submit" }, "Show")));
  const out = h("div");
  const paper = h("div", { id: "paper-holder" });
  async function load(page = 1) {
    await guarded(out, async () => {
      const r = await call("GET", `/api/v2/billing/payments?${new URLSearchParams({ ...formBody(filter), page, per_page: 25 })}`);
      out.replaceChildren(table("payments", ["No.", "Received", "Customer", "Amount", "Method", "Transaction", ""],
        r.data.map((p) => h("tr", { "data-payment": p.id }, h("td", {}, `#${p.id}`), h("td", { class: "nowrap" }, when(p.received_at)),
          h("td", {}, h("a", { href: `#/customers/${p.customer_id}` }, `#${p.customer_id}`)), h("td", { class: "num" }, money(p.amount, p.currency)),
          h("td", {}, p.method), h("td", { class: "mono" }, p.transaction_id ?? ""),
          h("td", {}, h("button", { type: "button", class: "receipt-print", onclick: () => guarded(paper, async () => showPaper(paper, await receiptPaper(p))) }, "Receipt")))),
        "No payments match."), pager(r.meta, load));
    });
  }
  filter.addEventListener("submit", (e) => { e.preventDefault(); load(); });
  content.replaceChildren(filter, out, paper);
  await load();
}

// An A4 sheet of a new batch's cards: serial, PIN, value, validity.
function cardSheet(batch, value, validity) {
  const i = isp();
  return h("article", { class: "printout", id: "card-sheet" },
    h("p", { class: "no-print warning" }, "The PINs are shown only now: print the sheet before leaving this page."),
    h("div", { class: "card-sheet" }, batch.cards.map((c) => h("div", { class: "rc", "data-serial": c.serial },
      h("strong", {}, i.name), h("div", {}, `Value ${money(value)}`),
      h("div", {}, "PIN ", h("span", { class: "pin" }, c.pin)), h("div", {}, `Serial ${c.serial}`),
      h("div", { class: "muted" }, validity), i.phone ? h("div", { class: "muted" }, i.phone) : ""))));
}

async function cardsView(content) {
  const operators = can("operators:read") ? await call("GET", "/api/v1/operators?per_page=100").then((r) => r.data).catch(() => []) : [];
  const packages = await call("GET", "/api/v2/packages?per_page=100").then((r) => r.data).catch(() => []);
  const sheet = h("div", { id: "card-sheet-holder" });
  const out = h("div");
  const form = can("cards:write") ? h("form", { class: "card grid", id: "card-batch-form" },
    h("h3", { class: "wide" }, "Generate a batch"),
    h("div", {}, ...field("Number of cards", "count", "number", { id: "card-count", min: 1, max: 1000, required: true })),
    h("div", {}, ...field("Value of each card (BDT)", "value", "number", { id: "card-value", min: 1, step: "0.01", required: true })),
    h("div", {}, ...field("Batch name (blank: from the date)", "batch", "text", { id: "card-batch", pattern: "[A-Za-z0-9-]+" })),
    operators.length ? h("div", {}, ...select("Issue to operator", "operator_id", [["", "— the ISP —"], ...operators.map((o) => [o.id, o.name])], { id: "card-operator" })) : "",
    h("div", {}, ...select("Hotspot voucher of package", "package_id", [["", "— recharge only —"], ...packages.map((p) => [p.id, p.name])], { id: "card-package" })),
    h("p", { class: "wide" }, h("button", { type: "submit" }, "Generate"))) : "";
  if (form) {
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      clearErrors(form);
      await guarded(form, async () => {
        const body = formBody(form, ["count", "value", "operator_id", "package_id"]);
        const r = await call("POST", "/api/v2/recharge-cards", body, { "Idempotency-Key": randomKey() });
        const pkg = packages.find((p) => p.id === body.package_id);
        const validity = pkg ? `Hotspot: ${pkg.name}` : "Recharge card: add the value to your account";
        showPaper(sheet, cardSheet(r.data, body.value, validity));
        await load();
      });
    });
  }
  const filter = h("form", { class: "card filters", id: "card-filter" },
    h("div", {}, ...field("Batch", "batch", "text", { id: "card-filter-batch" })),
    h("div", {}, ...select("Status", "status", [["", "All"], ["unused", "unused"], ["used", "used"], ["void", "void"]], { id: "card-filter-status" })),
    h("p", {}, h("button", { type: "submit" }, "Show")));
  async function load(page = 1) {
    await guarded(out, async () => {
      const r = await call("GET", `/api/v1/recharge-cards?${new URLSearchParams({ ...formBody(filter), page, per_page: 25 })}`);
      out.replaceChildren(table("cards", ["Serial", "Batch", "Value", "Operator", "Status", "Used by", "Created"],
        r.data.map((c) => h("tr", { "data-card": c.id }, h("td", { class: "mono" }, c.serial), h("td", {}, c.batch),
          h("td", { class: "num" }, money(c.value, c.currency)),
          h("td", {}, c.operator_id ? operators.find((o) => o.id === c.operator_id)?.name ?? `#${c.operator_id}` : ""),
          h("td", {}, badge(c.status)), h("td", {}, c.used_by ? h("a", { href: `#/customers/${c.used_by}` }, `#${c.used_by}`) : ""),
          h("td", { class: "nowrap" }, localDate(c.created_at)))), "No cards yet."), pager(r.meta, load));
    });
  }
  filter.addEventListener("submit", (e) => { e.preventDefault(); load(); });
  content.replaceChildren(form, sheet, filter, out);
  await load();
}

export const billingDocViews = { billsView, invoicesView, paymentsView, cardsView };
