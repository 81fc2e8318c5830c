// SMS: the balance and the day's cap, a message to one number, a broadcast
// to a filtered set of customers (status, package, operator, who owe) with a preview
// of parts and credits before sending, and the history with filters (v2 API;
// sms:read to see, sms:send to send). The server counts what a message
// costs; the preview counts the same way (GSM-7: 160 characters in one part,
// 153 per part when longer, ^{}\[~]|€ count twice; anything else, Bangla
// included, is UCS-2: 70 in one part, 67 per part) and the send's answer says
// what was actually charged.

import { h, call, field, select, formBody, table, when, badge, pager, guarded, clearErrors, randomKey, localToUtc, allPages } from "./ui.js";
import { can } from "./session.js";
import { t, word, num } from "./i18n.js";

const STATUSES = ["queued", "sending", "sent", "failed"];
const CUSTOMER_STATUSES = ["active", "suspended", "inactive", "expired"];
const GSM_BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXTENSION = "\f^{}\\[~]|€";

// What a text costs: { encoding, units, parts }, as the server counts it.
export function smsParts(text) {
  const chars = [...text];
  const gsm = chars.every((c) => GSM_BASIC.includes(c) || GSM_EXTENSION.includes(c));
  const widths = chars.map((c) => (gsm ? (GSM_EXTENSION.includes(c) ? 2 : 1) : c.length));
  const units = widths.reduce((a, b) => a + b, 0);
  const [single, multi] = gsm ? [160, 153] : [70, 67];
  let parts = 1;
  if (units > single) {
    let used = 0;
    for (const w of widths) {
      if (used + w > multi) { parts += 1; used = 0; }
      used += w;
    }
  }
  return { encoding: gsm ? "GSM-7" : "UCS-2 (Unicode)", units, parts };
}

// "1 part", "2 parts": `name` is part, recipient, credit or found.
const count = (name, n) => t(`sms.count_${name}_${n === 1 ? "one" : "other"}`, { count: num(n) });

function balanceCard(b) {
  const stat = (id, label, value) => h("div", { class: "stat", id }, h("span", { class: "stat-label" }, label), h("strong", {}, value));
  return h("div", { class: "stats", id: "sms-balance" },
    b.credits_remaining === null || b.credits_remaining === undefined ? "" : stat("sms-credits", t("sms.credits_left"), num(b.credits_remaining)),
    stat("sms-used-today", t("sms.used_today"), num(b.used_today)),
    stat("sms-daily-limit", t("sms.daily_cap"), b.daily_limit === null || b.daily_limit === undefined ? t("sms.none") : num(b.daily_limit)),
    stat("sms-gateway", t("sms.gateway"), b.gateway ?? t("sms.none")));
}

// The message box with its live count of characters, parts and credits.
function messageBox(id, recipients) {
  const area = h("textarea", { id, name: "message", required: true, maxlength: 1600, rows: 4 });
  const preview = h("p", { class: "sms-preview muted", id: `${id}-preview`, "aria-live": "polite" });
  const update = () => {
    const n = recipients();
    const p = smsParts(area.value);
    const vars = { units: num(p.units), encoding: t(p.encoding === "GSM-7" ? "sms.encoding_gsm7" : "sms.encoding_ucs2"), parts: count("part", p.parts) };
    preview.textContent = n === null ? t("sms.preview", vars)
      : t("sms.preview_cost", { ...vars, recipients: count("recipient", n), credits: count("credit", p.parts * n) });
  };
  area.addEventListener("input", update);
  update();
  return { area, preview, update };
}

// Send to one number; with `phone` (a customer's page) the number is given.
export function sendOneForm(done, { phone = null, prefix = "sms-one" } = {}) {
  const box = messageBox(`${prefix}-message`, () => 1);
  const form = h("form", { class: "card", id: `${prefix}-form` },
    h("h3", {}, t("sms.send_one_title")),
    ...field(t("sms.phone"), "phone", "tel", { id: `${prefix}-phone`, required: true, placeholder: t("sms.phone_placeholder"), value: phone ?? undefined, readonly: Boolean(phone) }),
    h("label", { for: `${prefix}-message` }, t("sms.message")), box.area, box.preview,
    h("p", {}, h("button", { type: "submit" }, t("sms.send"))),
    h("p", { id: `${prefix}-result`, role: "status" }));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    await guarded(form, async () => {
      const r = await call("POST", "/api/v2/sms/send", formBody(form), { "Idempotency-Key": randomKey() });
      const m = r.data;
      form.querySelector(`#${prefix}-result`).textContent = t("sms.sent_one", { id: m.message_id, phone: m.phone, credits: count("credit", m.credits_used) });
      box.area.value = "";
      if (!phone) form.reset();
      box.update();
      await done();
    });
  });
  return form;
}

async function broadcastForm(done) {
  const get = (path) => call("GET", path).then((r) => r.data).catch(() => []);
  const [packages, operators] = await Promise.all([get("/api/v2/packages?per_page=100"),
    can("operators:write") ? get("/api/v1/operators?per_page=100") : []]);
  let phones = null;
  const box = messageBox("sms-bc-message", () => (phones ? new Set(phones).size : null));
  const found = h("p", { id: "sms-bc-found", role: "status" }, t("sms.choose_customers", { find: t("sms.find_customers") }));
  const sendButton = h("button", { type: "submit", disabled: true }, t("sms.send_to_these"));
  const form = h("form", { class: "card", id: "sms-bc-form" },
    h("h3", {}, t("sms.broadcast_title")),
    h("div", { class: "filters" },
      h("div", {}, ...select(t("sms.status"), "status", [["", t("sms.all")], ...CUSTOMER_STATUSES.map((s) => [s, word("status.", s)])], { id: "sms-bc-status" })),
      h("div", {}, ...select(t("sms.package"), "package_id", [["", t("sms.all")], ...packages.map((p) => [p.id, p.name])], { id: "sms-bc-package" })),
      operators.length ? h("div", {}, ...select(t("sms.operator"), "operator_id", [["", t("sms.all")], ...operators.map((o) => [o.id, o.name])], { id: "sms-bc-operator" })) : "",
      h("div", {}, ...select(t("sms.due"), "due", [["", t("sms.all")], ["true", t("sms.due_only")]], { id: "sms-bc-due" }))),
    h("p", {}, h("button", { type: "button", id: "sms-bc-find", onclick: async () => {
      clearErrors(form);
      await guarded(form, async () => {
        const filter = {};
        for (const k of ["status", "package_id", "operator_id", "due"]) {
          const v = form.querySelector(`[name=${k}]`)?.value;
          if (v) filter[k] = v;
        }
        const { rows, more } = await allPages("/api/v2/customers", filter, 1000);
        phones = rows.map((c) => c.phone).filter(Boolean);
        const distinct = new Set(phones).size;
        found.textContent = more ? t("sms.too_many", { max: num(1000) }) : count("found", distinct);
        sendButton.disabled = !distinct || more;
        box.update();
      });
    } }, t("sms.find_customers"))),
    found,
    h("label", { for: "sms-bc-message" }, t("sms.message")), box.area, box.preview,
    h("p", {}, sendButton),
    h("p", { id: "sms-bc-result", role: "status" }));
  form.querySelectorAll("select").forEach((s) => s.addEventListener("change", () => {
    phones = null;
    sendButton.disabled = true;
    found.textContent = t("sms.filter_changed", { find: t("sms.find_customers") });
    box.update();
  }));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    const message = box.area.value;
    const distinct = new Set(phones).size;
    const cost = smsParts(message).parts * distinct;
    if (!window.confirm(t("sms.confirm_broadcast", { count: num(distinct), credits: num(cost) }))) return;
    await guarded(form, async () => {
      const r = await call("POST", "/api/v2/sms/broadcast", { phones, message }, { "Idempotency-Key": randomKey() });
      const b = r.data;
      const sent = { id: b.broadcast_id, count: num(b.count), credits: num(b.credits_used) };
      form.querySelector("#sms-bc-result").textContent = b.credits_remaining === null || b.credits_remaining === undefined
        ? t("sms.broadcast_done", sent) : t("sms.broadcast_done_left", { ...sent, left: num(b.credits_remaining) });
      await done();
    });
  });
  return form;
}

function historyView() {
  const filter = h("form", { class: "card filters", id: "sms-history-filter" },
    h("div", {}, ...select(t("sms.status"), "status", [["", t("sms.all")], ...STATUSES.map((s) => [s, word("status.", s)])], { id: "sms-history-status" })),
    h("div", {}, ...field(t("sms.phone"), "phone", "tel", { id: "sms-history-phone" })),
    h("div", {}, ...field(t("sms.from_local"), "from", "date", { id: "sms-history-from" })),
    h("div", {}, ...field(t("sms.to_local"), "to", "date", { id: "sms-history-to" })),
    h("p", {}, h("button", { type: "submit" }, t("sms.show"))));
  const out = h("div", { id: "sms-history-out" });
  async function load(page = 1) {
    const q = new URLSearchParams({ page, per_page: 25 });
    for (const [k, v] of Object.entries(formBody(filter))) q.set(k, k === "from" ? localToUtc(v) : k === "to" ? localToUtc(v, true) : v);
    await guarded(out, async () => {
      const r = await call("GET", `/api/v2/sms/history?${q}`);
      out.replaceChildren(table("sms-history", [t("sms.col_time"), t("sms.col_to"), t("sms.col_message"), t("sms.col_parts"), t("sms.col_source"), t("sms.col_status")],
        r.data.map((m) => h("tr", { "data-message": m.message_id },
          h("td", { class: "nowrap" }, when(m.created_at)),
          h("td", {}, m.customer_id ? h("a", { href: `#/customers/${m.customer_id}` }, m.phone) : m.phone),
          h("td", {}, m.message), h("td", { class: "num" }, num(m.parts)), h("td", {}, word("sms.source_", m.source)),
          h("td", {}, badge(m.status), m.error ? h("span", { class: "muted" }, ` ${m.error}`) : ""))), t("sms.no_messages")), pager(r.meta, load));
    });
  }
  filter.addEventListener("submit", (e) => { e.preventDefault(); load(); });
  return { node: h("section", {}, h("h3", {}, t("sms.history")), filter, out), load };
}

export async function smsView(content) {
  const balance = h("div", { id: "sms-balance-holder" });
  const history = historyView();
  const refresh = async () => {
    await guarded(balance, async () => balance.replaceChildren(balanceCard((await call("GET", "/api/v2/sms/balance")).data)));
    await history.load();
  };
  const forms = can("sms:send") ? [sendOneForm(refresh), await broadcastForm(refresh)] : [];
  const templates = h("section", { id: "sms-templates" });
  content.replaceChildren(h("h2", {}, t("sms.title")), balance, ...forms, history.node, templates);
  await refresh();
  await guarded(templates, async () => {
    const list = await call("GET", "/admin/api/sms/templates");
    templates.replaceChildren(h("h3", {}, t("sms.templates")),
      h("p", { class: "muted" }, t("sms.templates_intro_before"),
        h("code", {}, "[sms.templates]"), t("sms.templates_intro_after")),
      table("sms-template-list", [t("sms.col_sent_for"), t("sms.col_english"), t("sms.col_bangla")], list.map((tpl) => h("tr", {},
        h("td", {}, word("sms.template_", tpl.name).replace(/_/g, " ")), h("td", {}, tpl.en), h("td", { lang: "bn" }, tpl.bn)))));
  });
}
