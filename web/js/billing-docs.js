// Billing's paper side: bills, invoices and payments lists with their
// filters, a printable invoice and payment receipt (the ISP's logo, name,
// address and phone from [isp]; print styles leave only the paper), and recharge
// cards: generate a batch, issue it to an operator, and print the batch as an
// A4 sheet of cards while its PINs are shown (once) (v2/v1 API; billing:read,
// cards:write to generate).

import { h, call, field, select, formBody, table, money, when, badge, pager, guarded, clearErrors, randomKey, localToUtc, csvButton } from "./ui.js";
import { can, isp } from "./session.js";
import { t, word, digits } from "./i18n.js";

const BILL_STATUSES = ["unpaid", "partial", "paid"];
const localDate = (ts) => when(ts).slice(0, 10);
const cols = (keys) => keys.map((k) => (k ? t(`billing.col_${k}`) : ""));
const idLink = (path, id) => h("a", { href: `#/${path}/${id}` }, `#${digits(id)}`);

function ispHeader() {
  const i = isp();
  return h("div", { class: "isp" }, i.logo ? h("img", { id: "print-isp-logo", src: "/branding/logo", alt: "" }) : "",
    h("h1", { id: "print-isp-name" }, i.name),
    i.address ? h("div", {}, i.address) : "", i.phone ? h("div", {}, i.phone) : "");
}

// A paper in the page: Print and Close above it (not printed).
function showPaper(holder, paper) {
  holder.replaceChildren(h("p", { class: "no-print" },
    h("button", { type: "button", id: "print-button", onclick: () => window.print() }, t("billing.print")), " ",
    h("button", { type: "button", onclick: () => holder.replaceChildren() }, t("billing.close"))), paper);
  holder.scrollIntoView();
}

const customerCache = new Map();
async function customerOf(id) {
  if (!customerCache.has(id)) customerCache.set(id, call("GET", `/api/v2/customers/${id}`).then((r) => r.data));
  return customerCache.get(id);
}
const customerLines = (c) => h("address", { id: "print-customer" }, h("strong", {}, c.name), h("br"),
  c.address ? [c.address, h("br")] : "", c.phone, c.username ? [h("br"), t("billing.paper_username", { username: c.username })] : "", h("br"),
  t("billing.paper_customer_no", { id: digits(c.id) }));

async function invoicePaper(inv) {
  const [c, bills, payments] = await Promise.all([
    customerOf(inv.customer_id),
    Promise.all(inv.bill_ids.map((id) => call("GET", `/api/v2/billing/bills/${id}`).then((r) => r.data))),
    inv.payment_ids.length ? call("GET", `/api/v2/customers/${inv.customer_id}/payments?per_page=100`).then((r) => r.data.filter((p) => inv.payment_ids.includes(p.id))) : [],
  ]);
  return h("article", { class: "printout", id: "invoice-paper" }, ispHeader(),
    h("h2", {}, t("billing.invoice_title", { number: inv.number })),
    h("p", {}, `${t("billing.invoice_period", { period: digits(inv.period), date: localDate(inv.created_at) })} `, badge(inv.status)),
    customerLines(c),
    h("table", { id: "invoice-lines" }, h("thead", {}, h("tr", {}, cols(["bill", "period", "due", "amount", "paid"]).map((text, i) => h("th", { scope: "col", class: i > 2 ? "num" : "" }, text)))),
      h("tbody", {}, bills.map((b) => h("tr", {}, h("td", {}, `#${digits(b.id)} ${b.description ?? ""}`),
        h("td", {}, b.period_start && b.period_end ? t("billing.period_range", { start: digits(b.period_start), end: digits(b.period_end) }) : ""),
        h("td", {}, digits(b.due_date)),
        h("td", { class: "num" }, money(b.amount, b.currency)), h("td", { class: "num" }, money(b.paid_amount, b.currency))))),
      h("tfoot", {}, h("tr", { class: "total" }, h("td", { colspan: 3 }, t("billing.invoice_total")),
        h("td", { class: "num" }, money(inv.total)), h("td", { class: "num", id: "invoice-due" }, `${money(inv.paid)} / ${money(inv.due)}`)))),
    payments.length ? [h("h3", {}, t("billing.invoice_payments")), h("ul", { class: "plain" }, payments.map((p) =>
      h("li", {}, t(p.transaction_id ? "billing.invoice_payment_trx" : "billing.invoice_payment", {
        when: when(p.received_at), amount: money(p.amount, p.currency), method: word("billing.method_", p.method), trx: p.transaction_id }))))] : "");
}

async function receiptPaper(p) {
  const c = await customerOf(p.customer_id);
  return h("article", { class: "printout", id: "receipt-paper" }, ispHeader(),
    h("h2", {}, t("billing.receipt_title", { id: digits(p.id) })), h("p", {}, when(p.received_at)),
    customerLines(c),
    h("p", { class: "total" }, h("strong", { id: "receipt-amount" }, money(p.amount, p.currency)),
      ` ${t("billing.receipt_received", { method: word("billing.method_", p.method) })}`,
      p.transaction_id ? ` ${t("billing.receipt_trx", { trx: p.transaction_id })}` : "",
      p.bill_id ? ` ${t("billing.receipt_bill", { bill: digits(p.bill_id) })}` : "", t("billing.receipt_end")),
    h("p", {}, t("billing.receipt_thanks")));
}

async function billsView(content) {
  const filter = h("form", { class: "card filters", id: "bill-filter" },
    h("div", {}, ...select(t("billing.status"), "status", [["", t("billing.all")], ...BILL_STATUSES.map((s) => [s, word("status.", s)])], { id: "bill-status" })),
    h("div", {}, ...field(t("billing.customer_no"), "customer_id", "number", { id: "bill-customer", min: 1 })),
    h("div", {}, ...field(t("billing.created_from"), "from", "date", { id: "bill-from" })),
    h("div", {}, ...field(t("billing.created_to"), "to", "date", { id: "bill-to" })),
    h("p", {}, h("button", { type: "submit" }, t("billing.show")), " ",
      csvButton("bills-export", "/api/v2/exports/bills", "bills.csv", () => billQuery({}))));
  const out = h("div");
  // The filters as the API takes them: local dates as UTC bounds.
  const billQuery = (extra) => {
    const q = new URLSearchParams(extra);
    for (const [k, v] of Object.entries(formBody(filter))) q.set(k, k === "from" ? localToUtc(v) : k === "to" ? localToUtc(v, true) : v);
    return q;
  };
  async function load(page = 1) {
    const q = billQuery({ page, per_page: 25 });
    await guarded(out, async () => {
      const r = await call("GET", `/api/v2/billing/bills?${q}`);
      out.replaceChildren(table("bills", cols(["bill", "customer", "description", "due", "amount", "paid", "status"]),
        r.data.map((b) => h("tr", { "data-bill": b.id }, h("td", {}, `#${digits(b.id)}`),
          h("td", {}, idLink("customers", b.customer_id)), h("td", {}, b.description ?? ""),
          h("td", { class: "nowrap" }, digits(b.due_date)), h("td", { class: "num" }, money(b.amount, b.currency)),
          h("td", { class: "num" }, money(b.paid_amount, b.currency)), h("td", {}, badge(b.status)))), t("billing.bills_none")), pager(r.meta, load));
    });
  }
  filter.addEventListener("submit", (e) => { e.preventDefault(); load(); });
  content.replaceChildren(filter, out);
  await load();
}

async function invoicesView(content) {
  const filter = h("form", { class: "card filters", id: "invoice-filter" },
    h("div", {}, ...field(t("billing.customer_no"), "customer_id", "number", { id: "invoice-customer", min: 1 })),
    h("p", {}, h("button", { type: "submit" }, t("billing.show"))));
  const out = h("div");
  const paper = h("div", { id: "paper-holder" });
  async function load(page = 1) {
    await guarded(out, async () => {
      const r = await call("GET", `/api/v1/invoices?${new URLSearchParams({ ...formBody(filter), page, per_page: 25 })}`);
      out.replaceChildren(table("invoices", cols(["number", "customer", "period", "total", "due", "status", ""]),
        r.data.map((inv) => h("tr", { "data-invoice": inv.id }, h("td", { class: "mono" }, inv.number),
          h("td", {}, idLink("customers", inv.customer_id)), h("td", {}, digits(inv.period)),
          h("td", { class: "num" }, money(inv.total)), h("td", { class: "num" }, money(inv.due)), h("td", {}, badge(inv.status)),
          h("td", {}, h("button", { type: "button", class: "invoice-print", onclick: () => guarded(paper, async () => showPaper(paper, await invoicePaper(inv))) }, t("billing.printable_invoice"))))),
        t("billing.invoices_none")), pager(r.meta, load));
    });
  }
  filter.addEventListener("submit", (e) => { e.preventDefault(); load(); });
  content.replaceChildren(filter, out, paper);
  await load();
}

async function paymentsView(content) {
  const filter = h("form", { class: "card filters", id: "payment-filter" },
    h("div", {}, ...field(t("billing.customer_no"), "customer_id", "number", { id: "payment-customer", min: 1 })),
    h("p", {}, h("button", { type: "submit" }, t("billing.show")), " ",
      csvButton("payments-export", "/api/v2/exports/payments", "payments.csv", () => new URLSearchParams(formBody(filter)))));
  const out = h("div");
  const paper = h("div", { id: "paper-holder" });
  async function load(page = 1) {
    await guarded(out, async () => {
      const r = await call("GET", `/api/v2/billing/payments?${new URLSearchParams({ ...formBody(filter), page, per_page: 25 })}`);
      out.replaceChildren(table("payments", cols(["no", "received", "customer", "amount", "method", "transaction", ""]),
        r.data.map((p) => h("tr", { "data-payment": p.id }, h("td", {}, `#${digits(p.id)}`), h("td", { class: "nowrap" }, when(p.received_at)),
          h("td", {}, idLink("customers", p.customer_id)), h("td", { class: "num" }, money(p.amount, p.currency)),
          h("td", {}, word("billing.method_", p.method)), h("td", { class: "mono" }, p.transaction_id ?? ""),
          h("td", {}, h("button", { type: "button", class: "receipt-print", onclick: () => guarded(paper, async () => showPaper(paper, await receiptPaper(p))) }, t("billing.receipt"))))),
        t("billing.payments_none")), pager(r.meta, load));
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
    h("p", { class: "no-print warning" }, t("billing.card_sheet_warning")),
    h("div", { class: "card-sheet" }, batch.cards.map((c) => h("div", { class: "rc", "data-serial": c.serial },
      h("strong", {}, i.name), h("div", {}, t("billing.card_value", { amount: money(value) })),
      h("div", {}, `${t("billing.card_pin")} `, h("span", { class: "pin" }, c.pin)), h("div", {}, t("billing.card_serial", { serial: c.serial })),
      h("div", { class: "muted" }, validity), i.phone ? h("div", { class: "muted" }, i.phone) : ""))));
}

async function cardsView(content) {
  const operators = can("operators:read") ? await call("GET", "/api/v1/operators?per_page=100").then((r) => r.data).catch(() => []) : [];
  const packages = await call("GET", "/api/v2/packages?per_page=100").then((r) => r.data).catch(() => []);
  const sheet = h("div", { id: "card-sheet-holder" });
  const out = h("div");
  const form = can("cards:write") ? h("form", { class: "card grid", id: "card-batch-form" },
    h("h3", { class: "wide" }, t("billing.card_generate_title")),
    h("div", {}, ...field(t("billing.card_count"), "count", "number", { id: "card-count", min: 1, max: 1000, required: true })),
    h("div", {}, ...field(t("billing.card_value_each"), "value", "number", { id: "card-value", min: 1, step: "0.01", required: true })),
    h("div", {}, ...field(t("billing.card_batch_name"), "batch", "text", { id: "card-batch", pattern: "[A-Za-z0-9-]+" })),
    operators.length ? h("div", {}, ...select(t("billing.card_operator"), "operator_id", [["", t("billing.card_operator_isp")], ...operators.map((o) => [o.id, o.name])], { id: "card-operator" })) : "",
    h("div", {}, ...select(t("billing.card_package"), "package_id", [["", t("billing.card_package_none")], ...packages.map((p) => [p.id, p.name])], { id: "card-package" })),
    h("p", { class: "wide" }, h("button", { type: "submit" }, t("billing.card_generate")))) : "";
  if (form) {
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      clearErrors(form);
      await guarded(form, async () => {
        const body = formBody(form, ["count", "value", "operator_id", "package_id"]);
        const r = await call("POST", "/api/v2/recharge-cards", body, { "Idempotency-Key": randomKey() });
        const pkg = packages.find((p) => p.id === body.package_id);
        const validity = pkg ? t("billing.card_hotspot", { package: pkg.name }) : t("billing.card_recharge");
        showPaper(sheet, cardSheet(r.data, body.value, validity));
        await load();
      });
    });
  }
  const filter = h("form", { class: "card filters", id: "card-filter" },
    h("div", {}, ...field(t("billing.batch"), "batch", "text", { id: "card-filter-batch" })),
    h("div", {}, ...select(t("billing.status"), "status", [["", t("billing.all")], ...["unused", "used", "void"].map((s) => [s, word("status.", s)])], { id: "card-filter-status" })),
    h("p", {}, h("button", { type: "submit" }, t("billing.show"))));
  async function load(page = 1) {
    await guarded(out, async () => {
      const r = await call("GET", `/api/v1/recharge-cards?${new URLSearchParams({ ...formBody(filter), page, per_page: 25 })}`);
      out.replaceChildren(table("cards", cols(["serial", "batch", "value", "operator", "status", "used_by", "created"]),
        r.data.map((c) => h("tr", { "data-card": c.id }, h("td", { class: "mono" }, c.serial), h("td", {}, c.batch),
          h("td", { class: "num" }, money(c.value, c.currency)),
          h("td", {}, c.operator_id ? operators.find((o) => o.id === c.operator_id)?.name ?? `#${digits(c.operator_id)}` : ""),
          h("td", {}, badge(c.status)), h("td", {}, c.used_by ? idLink("customers", c.used_by) : ""),
          h("td", { class: "nowrap" }, localDate(c.created_at)))), t("billing.cards_none")), pager(r.meta, load));
    });
  }
  filter.addEventListener("submit", (e) => { e.preventDefault(); load(); });
  // A batch's unused cards issued to an operator (a distributor), or back to the ISP.
  const issue = can("cards:write") && operators.length ? h("form", { class: "card filters", id: "card-issue-form" },
    h("div", {}, ...field(t("billing.batch"), "batch", "text", { id: "card-issue-batch", required: true, pattern: "[A-Za-z0-9-]+" })),
    h("div", {}, ...select(t("billing.card_issue_to"), "operator_id", [["", t("billing.card_operator_isp")], ...operators.map((o) => [o.id, o.name])], { id: "card-issue-operator" })),
    h("p", {}, h("button", { type: "submit" }, t("billing.card_issue"))),
    h("p", { id: "card-issue-result", role: "status" })) : "";
  if (issue) {
    issue.addEventListener("submit", async (e) => {
      e.preventDefault();
      clearErrors(issue);
      await guarded(issue, async () => {
        const { batch, operator_id: op } = formBody(issue, ["operator_id"]);
        const r = (await call("PUT", `/api/v2/recharge-cards/batches/${encodeURIComponent(batch)}`, { operator_id: op ?? null })).data;
        const who = r.operator_id ? operators.find((o) => o.id === r.operator_id)?.name ?? `#${digits(r.operator_id)}` : t("billing.card_operator_isp");
        issue.querySelector("#card-issue-result").textContent = t("billing.card_issued", { batch: r.batch, cards: digits(r.cards), who });
        await load();
      });
    });
  }
  content.replaceChildren(form, sheet, issue, filter, out);
  await load();
}

export const billingDocViews = { billsView, invoicesView, paymentsView, cardsView };
