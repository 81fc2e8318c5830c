// Printable papers: an invoice (its bills and payments) and a payment's
// receipt. The page's print styles leave only the paper (portal.css).
import { api, h, ApiError } from "./api.js";
import { t, money, date, dateTime, month, word, digits } from "./i18n.js";

const actions = (back) => h("p", { class: "actions no-print" },
  h("button", { type: "button", class: "primary", id: "print-button", "data-testid": "print", onclick: () => window.print() }, t("print")),
  h("a", { href: back, class: "button secondary", id: "back-button" }, t("back")));

const party = (d) => h("address", { class: "party" },
  h("strong", {}, d.customer_name), h("br"),
  d.customer_address ? [d.customer_address, h("br")] : null,
  digits(d.customer_phone),
  d.username ? [h("br"), `${t("username_label")}: ${d.username}`] : null);

const kv = (label, value, attrs = {}) => h("div", { class: "kv", ...attrs }, h("span", {}, label), h("strong", {}, value));

export async function invoiceView(ctx, id) {
  const d = (await api("GET", `/api/v2/me/invoices/${id}`, { token: ctx.token })).data;
  const inv = d.invoice;
  const bills = h("table", { class: "lines", id: "invoice-bills" },
    h("thead", {}, h("tr", {}, h("th", {}, t("description")), h("th", { class: "num" }, t("amount")), h("th", { class: "num" }, t("paid")))),
    h("tbody", {}, ...d.bills.map((b) => h("tr", { "data-bill-id": String(b.id), "data-status": b.status },
      h("td", {}, b.description || t("bill", { id: digits(b.id) }),
        h("small", {}, [
          b.period_start && b.period_end ? `${date(b.period_start)} – ${date(b.period_end)}` : null,
          `${t("due_date")}: ${date(b.due_date)}`,
          word("bill_", b.status),
        ].filter(Boolean).join(" · "))),
      h("td", { class: "num" }, money(b.amount, b.currency)),
      h("td", { class: "num" }, money(b.paid_amount, b.currency))))));
  const payments = d.payments.length ? [h("h2", {}, t("payments_title")), h("table", { class: "lines", id: "invoice-payments" },
    h("thead", {}, h("tr", {}, h("th", {}, t("date")), h("th", { class: "num" }, t("amount")))),
    h("tbody", {}, ...d.payments.map((p) => h("tr", { "data-payment-id": String(p.id) },
      h("td", {}, dateTime(p.received_at), h("small", {},
        [word("method_", p.method), p.transaction_id ? `${t("trx_id")}: ${p.transaction_id}` : null].filter(Boolean).join(" · "))),
      h("td", { class: "num" }, money(p.amount, p.currency))))))] : [];
  const paper = h("article", { class: "paper", id: "invoice", "data-status": inv.status },
    h("header", { class: "paper-head" },
      h("div", {}, h("h1", { id: "isp-name" }, d.isp_name), h("p", { class: "muted" }, t("app_name"))),
      h("div", { class: "paper-title" }, h("h2", {}, t("invoice")), h("p", { id: "invoice-number" }, inv.number),
        h("p", {}, month(inv.period)), h("span", { class: `stamp ${inv.status}`, id: "invoice-status" }, word("invoice_", inv.status)))),
    h("section", {}, h("h3", {}, t("billed_to")), party(d)),
    bills,
    ...payments,
    h("section", { class: "totals", id: "invoice-totals" },
      kv(t("total"), money(inv.total)), kv(t("paid"), money(inv.paid)),
      kv(t("due"), money(inv.due), { class: inv.due > 0 ? "kv owed" : "kv", id: "invoice-due", "data-amount": String(inv.due) })),
    h("p", { class: "muted small" }, dateTime(inv.created_at)));
  ctx.show("invoice", actions("#/invoices"), paper);
  document.title = `${inv.number} — ${d.isp_name}`;
}

/** The invoice holding payment `id`, with the ISP's and customer's details; or the bare payment. */
async function findPayment(token, id) {
  const invoices = (await api("GET", "/api/v2/me/invoices?per_page=100", { token })).data;
  const holder = invoices.find((i) => i.payment_ids.includes(id));
  if (holder) {
    const d = (await api("GET", `/api/v2/me/invoices/${holder.id}`, { token })).data;
    const p = d.payments.find((x) => x.id === id);
    if (p) return { p, d };
  }
  const payments = (await api("GET", "/api/v2/me/payments?per_page=100", { token })).data;
  const p = payments.find((x) => x.id === id);
  if (!p) throw new ApiError(404, "NOT_FOUND", t("not_found"));
  const me = (await api("GET", "/api/v2/me", { token })).data;
  return { p, d: { isp_name: "", customer_name: me.name, customer_address: me.address, customer_phone: me.phone, username: me.username } };
}

export async function receiptView(ctx, id) {
  const { p, d } = await findPayment(ctx.token, id);
  const paper = h("article", { class: "paper receipt", id: "receipt", "data-payment-id": String(p.id) },
    h("header", { class: "paper-head" },
      h("div", {}, d.isp_name ? h("h1", { id: "isp-name" }, d.isp_name) : null, h("p", { class: "muted" }, t("app_name"))),
      h("div", { class: "paper-title" }, h("h2", {}, t("receipt_title")), h("p", { id: "receipt-number" }, t("receipt_no", { id: digits(p.id) })),
        h("p", {}, dateTime(p.received_at)))),
    h("section", {}, party(d)),
    h("p", { class: "big-amount", id: "receipt-amount" }, money(p.amount, p.currency)),
    kv(t("method"), word("method_", p.method)),
    p.transaction_id ? kv(t("trx_id"), p.transaction_id, { id: "receipt-trx" }) : null,
    d.invoice ? kv(t("for_invoice"), d.invoice.number) : null,
    h("p", { class: "thanks" }, t("received_with_thanks")));
  ctx.show("receipt", actions("#/payments"), paper);
  document.title = `${t("receipt_title")} ${p.id}`;
}
