// The account's lists and forms: bills (each open one payable with bKash or
// SSLCommerz, or claimed as sent by Send Money), the Send Money claim form,
// payments (each with its receipt) and online payments with their state,
// invoices, usage, complaints and the portal password. Each view is
// `(token, ctx)`; `ctx.show(view, ...nodes)` puts it on the page.
import { api, h, tokens, explain, field, formError, notice, busy } from "./api.js";
import { t, money, date, dateTime, month, bytes, duration, word, digits } from "./i18n.js";
import { payButtons, payOptions, nothingOffered, notOffered, choices } from "./pay.js";
import { sendMoneyMethods, sendMoneyNumbers, sendMoneyForm } from "./sendmoney.js";

const PER_PAGE = 20;

/** A paged list: fetches `path` page by page into `list`, `item(row)` each. */
function pagedList(token, path, list, item, empty) {
  let page = 0;
  const more = h("button", { type: "button", class: "secondary more" }, t("more"));
  const box = h("div", { class: "list" }, list, more);
  const load = async () => {
    page += 1;
    const sep = path.includes("?") ? "&" : "?";
    const answer = await api("GET", `${path}${sep}page=${page}&per_page=${PER_PAGE}`, { token });
    list.append(...answer.data.map(item));
    more.hidden = page >= (answer.meta?.last_page ?? 1);
    if (page === 1 && answer.data.length === 0) box.replaceChildren(notice("info", t(empty), { id: `${list.id}-empty` }));
  };
  more.addEventListener("click", () => busy(more, () => load().catch((err) => more.after(notice("error", explain(err))))));
  return { box, load };
}

const amountRow = (label, value, attrs = {}) => h("div", { class: "kv", ...attrs }, h("span", {}, label), h("strong", {}, value));

// ---- Bills ----

const openLeft = (b) => Math.max(0, Math.round((b.amount - b.paid_amount) * 100) / 100);
const isOpen = (b) => b.status === "unpaid" || b.status === "partial";

export async function billsView(token, ctx) {
  const list = h("ul", { class: "items", id: "bills-list" });
  const status = h("div", { id: "pay-status" });
  const offer = await payOptions();
  const item = (b) => {
    const open = isOpen(b);
    const left = openLeft(b);
    return h("li", { class: `item bill ${b.status}`, "data-bill-id": String(b.id), "data-status": b.status, "data-testid": `bill-${b.id}` },
      h("div", { class: "item-head" },
        h("strong", {}, b.description || t("bill", { id: digits(b.id) })),
        h("span", { class: `badge ${b.status}` }, word("bill_", b.status))),
      b.period_start && b.period_end ? h("p", { class: "muted" }, `${t("period")}: ${date(b.period_start)} – ${date(b.period_end)}`) : null,
      amountRow(t("amount"), money(b.amount, b.currency)),
      b.paid_amount > 0 ? amountRow(t("paid"), money(b.paid_amount, b.currency)) : null,
      open ? amountRow(t("left_to_pay"), money(left, b.currency), { class: "kv owed" }) : null,
      amountRow(t("due_date"), date(b.due_date)),
      open ? choices(payButtons(offer, { token: tokens.full, what: { billId: b.id }, status, quiet: true,
        bkash: [`${t("pay_now")} · ${money(left, b.currency)}`,
          { class: "pay bkash pay-bill", "data-bill-id": String(b.id), "data-testid": `pay-bill-${b.id}` }],
        card: [t("pay_card"),
          { class: "pay card pay-bill", "data-bill-id": String(b.id), "data-testid": `pay-bill-card-${b.id}` }] }),
      offer.sendMoney.length ? h("a", { href: `#/sent/${b.id}`, class: "button secondary sent-money",
        "data-bill-id": String(b.id), "data-testid": `sent-money-bill-${b.id}` }, t("sent_money_bill")) : null) : null);
  };
  const { box, load } = pagedList(token, "/api/v2/me/bills", list, item, "no_bills");
  await load();
  ctx.show("bills", h("h1", {}, t("bills_title")), nothingOffered(offer) ? notOffered() : null, status, box);
}

// ---- Money sent by Send Money (#/sent, #/sent/<bill>) ----

export async function sentView(token, ctx, billId) {
  const offer = await payOptions();
  const back = h("p", {}, h("a", { href: billId ? "#/bills" : "#/", class: "button secondary", id: "sent-back" }, t("back")));
  if (!offer.sendMoney.length) {
    return ctx.show("sent", h("h1", {}, t("bills_title")), notice("info", t("sent_none"), { id: "sent-none" }), back);
  }
  let amount = 0;
  let billLabel = null;
  if (billId) {
    const bills = (await api("GET", "/api/v2/me/bills?per_page=100", { token })).data;
    const bill = bills.find((b) => b.id === billId && isOpen(b));
    if (!bill) {
      return ctx.show("sent", h("h1", {}, t("bills_title")), notice("error", t("claim_err_bill"), { id: "sent-no-bill" }), back);
    }
    amount = openLeft(bill);
    billLabel = `${bill.description || t("bill", { id: digits(bill.id) })} · ${money(amount, bill.currency)}`;
  } else {
    amount = (await api("GET", "/api/v2/me", { token })).data.due;
  }
  return ctx.show("sent", h("h1", { id: "send-money-title" }, t("sent_money_button", { methods: sendMoneyMethods(offer.sendMoney) })),
    h("section", { class: "card send-money open", id: "send-money" },
      h("p", { class: "muted", id: "send-money-how" }, t("sent_how")),
      sendMoneyNumbers(offer.sendMoney),
      sendMoneyForm({ token: tokens.full, sendMoney: offer.sendMoney, amount, billId, billLabel })),
    back);
}

// ---- Payments ----

/** An online payment's state as shown: a manual claim still pending is waiting for staff. */
const onlineState = (p) => (p.gateway === "manual" && p.state === "pending" ? "waiting" : p.state);
/** How it was paid: "bKash", "Card / mobile banking", "Nagad (Send Money)". */
const onlineVia = (p) => (p.gateway === "manual"
  ? t("via_send_money", { method: word("method_", p.manual_method ?? "") }) : word("method_", p.gateway));
/** The transaction id as the customer knows it (a manual one is kept as `<method>:<id>`). */
const onlineTrx = (p) => (p.gateway === "manual" && p.gateway_trx_id?.includes(":")
  ? p.gateway_trx_id.slice(p.gateway_trx_id.indexOf(":") + 1) : p.gateway_trx_id);

function onlineItem(p) {
  const state = onlineState(p);
  const trx = onlineTrx(p);
  const ended = p.state === "rejected" || p.state === "failed";
  return h("li", { class: `item online-payment ${state}`, "data-reference": p.reference, "data-state": p.state,
    "data-gateway": p.gateway, "data-testid": `online-payment-${p.reference}` },
  h("div", { class: "item-head" },
    h("strong", { class: "amount" }, money(p.amount, p.currency)),
    h("span", { class: `badge ${state}` }, word("onl_", state))),
  amountRow(t("sent_with"), onlineVia(p)),
  trx ? amountRow(t("trx_id"), trx) : null,
  amountRow(t("date"), dateTime(p.created_at)),
  amountRow(t("reference"), p.reference),
  ended && p.detail ? h("p", { class: "muted detail" }, t("reason", { reason: p.detail })) : null,
  p.state === "pending" && p.gateway !== "manual" ? h("a", { href: `/portal/result.html?ref=${encodeURIComponent(p.reference)}`,
    class: "button secondary check-online" }, t("check_again")) : null);
}

export async function paymentsView(token, ctx) {
  const list = h("ul", { class: "items", id: "payments-list" });
  const item = (p) => h("li", { class: "item payment", "data-payment-id": String(p.id), "data-testid": `payment-${p.id}` },
    h("div", { class: "item-head" },
      h("strong", { class: "amount" }, money(p.amount, p.currency)),
      h("span", { class: "muted" }, dateTime(p.received_at))),
    amountRow(t("method"), word("method_", p.method)),
    p.transaction_id ? amountRow(t("trx_id"), p.transaction_id) : null,
    h("a", { href: `#/receipt/${p.id}`, class: "button secondary receipt", "data-testid": `receipt-${p.id}` }, t("receipt")));
  const { box, load } = pagedList(token, "/api/v2/me/payments", list, item, "no_payments");
  const online = pagedList(token, "/api/v2/me/online-payments", h("ul", { class: "items", id: "online-payments-list" }),
    onlineItem, "no_online");
  await Promise.all([load(), online.load()]);
  ctx.show("payments", h("h1", {}, t("payments_title")), box,
    h("h2", { id: "online-payments-title" }, t("online_title")), h("p", { class: "muted small" }, t("online_note")), online.box);
}

// ---- Invoices ----

export async function invoicesView(token, ctx) {
  const list = h("ul", { class: "items", id: "invoices-list" });
  const item = (i) => h("li", { class: `item invoice ${i.status}`, "data-invoice-id": String(i.id),
    "data-bill-ids": i.bill_ids.join(","), "data-testid": `invoice-${i.id}` },
    h("div", { class: "item-head" },
      h("strong", {}, `${i.number} · ${month(i.period)}`),
      h("span", { class: `badge ${i.status}` }, word("invoice_", i.status))),
    amountRow(t("total"), money(i.total)),
    amountRow(t("paid"), money(i.paid)),
    i.due > 0 ? amountRow(t("due"), money(i.due), { class: "kv owed" }) : null,
    h("a", { href: `#/invoice/${i.id}`, class: "button secondary invoice-open", "data-testid": `open-invoice-${i.id}` }, t("view_print")));
  const { box, load } = pagedList(token, "/api/v2/me/invoices", list, item, "no_invoices");
  await load();
  ctx.show("invoices", h("h1", {}, t("invoices_title")), box);
}

// ---- Usage ----

export async function usageView(token, ctx) {
  const u = (await api("GET", "/api/v2/me/usage", { token })).data;
  const live = u.radius_sessions.find((s) => s.active);
  const online = live ? true : u.current ? u.current.online : null;
  const parts = [h("h1", {}, t("usage_title"))];
  if (online === null && u.radius_sessions.length === 0) {
    parts.push(notice("info", t("no_usage"), { id: "usage-empty" }));
    return ctx.show("usage", ...parts);
  }
  const now = h("section", { class: "card", id: "usage-now", "data-online": String(Boolean(online)) },
    h("p", {}, h("span", { class: `badge ${online ? "active" : "inactive"}` }, t(online ? "online_now" : "offline_now"))));
  if (live) {
    now.append(amountRow(t("ip_address"), live.framed_ip ?? "—"), amountRow(t("uptime"), duration(live.session_time)),
      amountRow(t("downloaded"), bytes(live.output_octets)), amountRow(t("uploaded"), bytes(live.input_octets)));
  } else if (u.current) {
    const c = u.current;
    if (c.address) now.append(amountRow(t("ip_address"), c.address));
    if (c.session_uptime) now.append(amountRow(t("uptime"), c.session_uptime));
    if (c.bytes_in !== null) now.append(amountRow(t("downloaded"), bytes(c.bytes_in)));
    if (c.bytes_out !== null) now.append(amountRow(t("uploaded"), bytes(c.bytes_out)));
    now.append(h("p", { class: "muted" }, t("last_seen", { time: dateTime(c.sampled_at) })));
  }
  parts.push(now);
  if (u.radius_sessions.length) {
    parts.push(h("h2", {}, t("sessions")), h("ul", { class: "items", id: "sessions-list" },
      ...u.radius_sessions.slice(0, 10).map((s) => h("li", { class: "item", "data-session": s.session_id },
        h("div", { class: "item-head" }, h("strong", {}, dateTime(s.started_at)),
          h("span", { class: `badge ${s.active ? "active" : "inactive"}` }, t(s.active ? "active_session" : "ended"))),
        amountRow(t("duration"), duration(s.session_time)),
        amountRow(t("downloaded"), bytes(s.output_octets)),
        amountRow(t("uploaded"), bytes(s.input_octets))))));
  }
  return ctx.show("usage", ...parts);
}

// ---- Complaints ----

export async function complaintsView(token, ctx) {
  const form = h("form", { id: "complaint-form", class: "card" },
    h("h2", {}, t("new_complaint")),
    ...field(t("subject"), "subject", "text", { required: true, maxlength: 200 }),
    ...field(t("details"), "body", "textarea", { maxlength: 5000 }),
    h("button", { type: "submit", class: "primary" }, t("send")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { subject: form.subject.value.trim() };
    if (form.body.value.trim()) body.body = form.body.value.trim();
    await busy(form.querySelector("button"), async () => {
      try {
        await api("POST", "/api/v2/me/complaints", { token, body });
        await complaintsView(token, ctx);
        document.getElementById("complaint-form").prepend(notice("ok", t("complaint_sent"), { id: "complaint-sent" }));
      } catch (err) { formError(form, explain(err)); }
    });
  });
  const list = h("ul", { class: "items", id: "complaints-list" });
  const item = (c) => h("li", { class: "item complaint", "data-complaint-id": String(c.id) },
    h("div", { class: "item-head" }, h("strong", {}, c.subject),
      h("span", { class: `badge ${c.status}` }, word("complaint_", c.status))),
    c.body ? h("p", { class: "prewrap" }, c.body) : null,
    h("p", { class: "muted" }, dateTime(c.created_at)));
  const { box, load } = pagedList(token, "/api/v2/me/complaints", list, item, "no_complaints");
  await load();
  ctx.show("complaints", h("h1", {}, t("complaints_title")), form, h("h2", {}, t("your_complaints")), box);
}

// ---- Password ----

export async function passwordView(token, ctx) {
  const form = h("form", { id: "password-form", class: "card narrow" },
    h("p", { class: "muted" }, t("password_note")),
    ...field(t("current_password"), "current_password", "password", { autocomplete: "current-password", required: true }),
    ...field(t("new_password"), "new_password", "password", { autocomplete: "new-password", required: true, minlength: 8, maxlength: 128 }),
    ...field(t("repeat_password"), "repeat_password", "password", { autocomplete: "new-password", required: true }),
    h("button", { type: "submit", class: "primary" }, t("save")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const [current, next, again] = [form.current_password.value, form.new_password.value, form.repeat_password.value];
    if (next !== again) return formError(form, t("password_mismatch"));
    if ([...next].length < 8) return formError(form, t("password_short"));
    return busy(form.querySelector("button"), async () => {
      try {
        const answer = await api("PUT", "/api/v2/me/password", { token: tokens.full(), body: { current_password: current, new_password: next } });
        tokens.setFull(answer.access_token);
        form.reset();
        form.querySelector(".notice")?.remove();
        form.prepend(notice("ok", t("password_changed"), { id: "password-changed" }));
      } catch (err) {
        const wrong = err.status === 422 && err.details?.current_password;
        formError(form, wrong ? t("password_wrong") : err.status === 422 && err.details?.new_password ? t("password_short") : explain(err));
      }
    });
  });
  ctx.show("password", h("h1", {}, t("password_title")), form);
}
