// SMS: the balance and the day's cap, a message to one number, a broadcast
// to a filtered set of customers (status, package, operator) with a preview
// of parts and credits before sending, and the history with filters (v2 API;
// sms:read to see, sms:send to send). The server counts what a message
// costs; the preview counts the same way (GSM-7: 160 characters in one part,
// 153 per part when longer, ^{}\[~]|€ count twice; anything else, Bangla
// included, is UCS-2: 70 in one part, 67 per part) and the send's answer says
// what was actually charged.

import { h, call, field, select, formBody, table, when, badge, pager, guarded, clearErrors, randomKey, localToUtc } from "./ui.js";
import { can } from "./session.js";

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

function balanceCard(b) {
  const stat = (id, label, value) => h("div", { class: "stat", id }, h("span", { class: "stat-label" }, label), h("strong", {}, value));
  return h("div", { class: "stats", id: "sms-balance" },
    b.credits_remaining === null || b.credits_remaining === undefined ? "" : stat("sms-credits", "Credits left", b.credits_remaining),
    stat("sms-used-today", "Used today", b.used_today),
    stat("sms-daily-limit", "Daily cap", b.daily_limit ?? "none"),
    stat("sms-gateway", "Gateway", b.gateway ?? "none"));
}

// The message box with its live count of characters, parts and credits.
function messageBox(id, recipients) {
  const area = h("textarea", { id, name: "message", required: true, maxlength: 1600, rows: 4 });
  const preview = h("p", { class: "sms-preview muted", id: `${id}-preview`, "aria-live": "polite" });
  const update = () => {
    const n = recipients();
    const p = smsParts(area.value);
    preview.textContent = `${p.units} characters, ${p.encoding}: ${p.parts} part${p.parts === 1 ? "" : "s"} per message`
      + (n === null ? "" : ` × ${n} recipient${n === 1 ? "" : "s"} = ${p.parts * n} credit${p.parts * n === 1 ? "" : "s"}`);
  };
  area.addEventListener("input", update);
  update();
  return { area, preview, update };
}

function sendOneForm(done) {
  const box = messageBox("sms-one-message", () => 1);
  const form = h("form", { class: "card", id: "sms-one-form" },
    h("h3", {}, "Send to one number"),
    ...field("Phone", "phone", "tel", { id: "sms-one-phone", required: true, placeholder: "01712345678" }),
    h("label", { for: "sms-one-message" }, "Message"), box.area, box.preview,
    h("p", {}, h("button", { type: "submit" }, "Send")),
    h("p", { id: "sms-one-result", role: "status" }));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    await guarded(form, async () => {
      const r = await call("POST", "/api/v2/sms/send", formBody(form), { "Idempotency-Key": randomKey() });
      const m = r.data;
      form.querySelector("#sms-one-result").textContent = `Queued ${m.message_id} to ${m.phone}: ${m.credits_used} credit${m.credits_used === 1 ? "" : "s"} used.`;
      form.reset();
      box.update();
      await done();
    });
  });
  return form;
}

// Every customer's phone matching the filter, page by page (at most `cap`+1,
// so a set too large is told rather than cut).
async function phonesOf(filter, cap) {
  const phones = [];
  for (let page = 1; ; page += 1) {
    const r = await call("GET", `/api/v2/customers?${new URLSearchParams({ ...filter, page, per_page: 100 })}`);
    phones.push(...r.data.map((c) => c.phone).filter(Boolean));
    if (phones.length > cap || page >= (r.meta?.last_page ?? 1)) return phones;
  }
}

async function broadcastForm(done) {
  const get = (path) => call("GET", path).then((r) => r.data).catch(() => []);
  const [packages, operators] = await Promise.all([get("/api/v2/packages?per_page=100"),
    can("operators:write") ? get("/api/v1/operators?per_page=100") : []]);
  let phones = null;
  const box = messageBox("sms-bc-message", () => (phones ? new Set(phones).size : null));
  const found = h("p", { id: "sms-bc-found", role: "status" }, "Choose the customers, then “Find customers”.");
  const sendButton = h("button", { type: "submit", disabled: true }, "Send to these customers");
  const form = h("form", { class: "card", id: "sms-bc-form" },
    h("h3", {}, "Send to a set of customers"),
    h("div", { class: "filters" },
      h("div", {}, ...select("Status", "status", [["", "All"], ...CUSTOMER_STATUSES.map((s) => [s, s])], { id: "sms-bc-status" })),
      h("div", {}, ...select("Package", "package_id", [["", "All"], ...packages.map((p) => [p.id, p.name])], { id: "sms-bc-package" })),
      operators.length ? h("div", {}, ...select("Operator", "operator_id", [["", "All"], ...operators.map((o) => [o.id, o.name])], { id: "sms-bc-operator" })) : ""),
    h("p", {}, h("button", { type: "button", id: "sms-bc-find", onclick: async () => {
      clearErrors(form);
      await guarded(form, async () => {
        const filter = {};
        for (const k of ["status", "package_id", "operator_id"]) {
          const v = form.querySelector(`[name=${k}]`)?.value;
          if (v) filter[k] = v;
        }
        phones = await phonesOf(filter, 1000);
        const distinct = new Set(phones).size;
        found.textContent = phones.length > 1000
          ? "More than 1,000 customers match: narrow the filter (a broadcast goes to at most 1,000 numbers)."
          : `${distinct} customer number${distinct === 1 ? "" : "s"} match.`;
        sendButton.disabled = !distinct || phones.length > 1000;
        box.update();
      });
    } }, "Find customers")),
    found,
    h("label", { for: "sms-bc-message" }, "Message"), box.area, box.preview,
    h("p", {}, sendButton),
    h("p", { id: "sms-bc-result", role: "status" }));
  form.querySelectorAll("select").forEach((s) => s.addEventListener("change", () => {
    phones = null;
    sendButton.disabled = true;
    found.textContent = "Filter changed: “Find customers” again.";
    box.update();
  }));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    const message = box.area.value;
    const distinct = new Set(phones).size;
    const cost = smsParts(message).parts * distinct;
    if (!window.confirm(`Send this message to ${distinct} numbers for about ${cost} credits?`)) return;
    await guarded(form, async () => {
      const r = await call("POST", "/api/v2/sms/broadcast", { phones, message }, { "Idempotency-Key": randomKey() });
      const b = r.data;
      form.querySelector("#sms-bc-result").textContent = `Broadcast ${b.broadcast_id}: ${b.count} messages queued, ${b.credits_used} credits used`
        + (b.credits_remaining === null || b.credits_remaining === undefined ? "." : `, ${b.credits_remaining} left.`);
      await done();
    });
  });
  return form;
}

function historyView() {
  const filter = h("form", { class: "card filters", id: "sms-history-filter" },
    h("div", {}, ...select("Status", "status", [["", "All"], ...STATUSES.map((s) => [s, s])], { id: "sms-history-status" })),
    h("div", {}, ...field("Phone", "phone", "tel", { id: "sms-history-phone" })),
    h("div", {}, ...field("From (local date)", "from", "date", { id: "sms-history-from" })),
    h("div", {}, ...field("To (local date)", "to", "date", { id: "sms-history-to" })),
    h("p", {}, h("button", { type: "submit" }, "Show")));
  const out = h("div", { id: "sms-history-out" });
  async function load(page = 1) {
    const q = new URLSearchParams({ page, per_page: 25 });
    for (const [k, v] of Object.entries(formBody(filter))) q.set(k, k === "from" ? localToUtc(v) : k === "to" ? localToUtc(v, true) : v);
    await guarded(out, async () => {
      const r = await call("GET", `/api/v2/sms/history?${q}`);
      out.replaceChildren(table("sms-history", ["Time", "To", "Message", "Parts", "Source", "Status"],
        r.data.map((m) => h("tr", { "data-message": m.message_id },
          h("td", { class: "nowrap" }, when(m.created_at)),
          h("td", {}, m.customer_id ? h("a", { href: `#/customers/${m.customer_id}` }, m.phone) : m.phone),
          h("td", {}, m.message), h("td", { class: "num" }, m.parts), h("td", {}, m.source),
          h("td", {}, badge(m.status), m.error ? h("span", { class: "muted" }, ` ${m.error}`) : ""))), "No messages."), pager(r.meta, load));
    });
  }
  filter.addEventListener("submit", (e) => { e.preventDefault(); load(); });
  return { node: h("section", {}, h("h3", {}, "History"), filter, out), load };
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
  content.replaceChildren(h("h2", {}, "SMS"), balance, ...forms, history.node, templates);
  await refresh();
  await guarded(templates, async () => {
    const list = await call("GET", "/admin/api/sms/templates");
    templates.replaceChildren(h("h3", {}, "Templates"),
      h("p", { class: "muted" }, "The texts sent for bills, payments, suspensions and reminders, in the customer's language. They are set in the config file, section ",
        h("code", {}, "[sms.templates]"), "; changes take effect after a restart of the service."),
      table("sms-template-list", ["Sent for", "English", "Bangla"], list.map((t) => h("tr", {},
        h("td", {}, t.name.replace(/_/g, " ")), h("td", {}, t.en), h("td", { lang: "bn" }, t.bn)))));
  });
}
