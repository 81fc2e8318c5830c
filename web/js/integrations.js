// Integrations → API Management: API clients, webhooks and the API request
// log, over the panel's own endpoints under /admin/api.

import { h, call, showErrors, field, formData, secretBox, guarded, when, localToUtc } from "./ui.js";
import { t, word, num, digits } from "./i18n.js";

const EVENTS = ["customer.created", "customer.updated", "customer.deleted", "customer.suspended", "customer.activated",
  "package.changed", "subscription.expired", "payment.received", "payment.refunded", "payment.failed", "bill.generated",
  "invoice.overdue", "complaint.created"];

async function webhooksView(content) {
  let editing = null;
  const boxes = EVENTS.map((ev) => h("label", { class: "check" },
    h("input", { type: "checkbox", name: "events", value: ev }), ` ${ev}`));
  const title = h("h3", {}, t("integrations.add_webhook"));
  const submit = h("button", { type: "submit" }, t("integrations.save"));
  const form = h("form", { class: "card", id: "webhook-form" }, title,
    ...field(t("integrations.url"), "url", "url", { placeholder: t("integrations.url_placeholder"), required: true }),
    h("fieldset", { name: "events" }, h("legend", {}, t("integrations.events")), ...boxes),
    h("p", {}, submit));
  const shown = h("div");
  const list = h("div", { class: "table-wrap", tabindex: 0 });
  const detail = h("div", { id: "delivery-detail" });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const events = [...form.querySelectorAll("input[name=events]:checked")].map((i) => i.value);
    const body = { url: form.querySelector("#url").value, events };
    try {
      if (editing) {
        await call("PUT", `/admin/api/webhooks/${editing}`, body);
      } else {
        const r = await call("POST", "/admin/api/webhooks", { ...body, active: true });
        shown.replaceChildren(secretBox({ secret: r.data.secret }));
      }
      editing = null; title.textContent = t("integrations.add_webhook"); form.reset();
      await refresh();
    } catch (err) {
      showErrors(form, err);
      if (err.details?.events) form.querySelector("fieldset").after(h("p", { class: "field-error", role: "alert" }, err.details.events.join(" ")));
    }
  });
  async function deliveries(w) {
    const r = await call("GET", `/admin/api/webhooks/${w.id}/deliveries?per_page=50`);
    detail.replaceChildren(h("h3", {}, t("integrations.delivery_log_of", { url: w.url })),
      h("div", { class: "table-wrap", tabindex: 0 }, h("table", { id: "deliveries" },
        h("thead", {}, h("tr", {}, ...["integrations.col_event", "integrations.col_id", "integrations.col_status", "integrations.col_attempts",
          "integrations.col_http", "integrations.col_error", "integrations.col_created", ""].map((key) => h("th", {}, key ? t(key) : "")))),
        h("tbody", {}, r.data.map((d) => h("tr", { "data-delivery": d.id },
          h("td", {}, d.event), h("td", {}, d.event_id), h("td", {}, word("integrations.delivery_status_", d.status)), h("td", {}, num(d.attempts)),
          h("td", {}, d.last_status_code ?? ""), h("td", {}, d.last_error ?? ""), h("td", {}, when(d.created_at)),
          h("td", {},
            h("button", { type: "button", onclick: async () => {
              const x = await call("GET", `/admin/api/webhooks/${w.id}/deliveries/${d.id}`);
              detail.append(h("section", { class: "card", id: `attempts-${d.id}` }, h("h4", {}, t("integrations.attempts_of", { id: digits(d.id) })),
                ...x.data.attempt_log.map((a) => h("p", {}, t("integrations.attempt_line", { when: when(a.attempted_at),
                  code: a.status_code ?? t("integrations.none"), ms: num(a.duration_ms) }),
                  a.error ? h("span", { class: "form-error" }, a.error) : "", h("br"), h("code", {}, a.response_body ?? "")))));
            } }, t("integrations.attempts")), " ",
            h("button", { type: "button", onclick: async () => {
              await call("POST", `/admin/api/webhooks/${w.id}/deliveries/${d.id}/redeliver`);
              await deliveries(w);
            } }, t("integrations.redeliver")))))))),
      h("p", {}, h("button", { type: "button", onclick: () => deliveries(w) }, t("integrations.refresh"))));
  }
  async function refresh() {
    const r = await call("GET", "/admin/api/webhooks?per_page=100");
    const act = (label, fn) => h("button", { type: "button", onclick: fn }, label);
    list.replaceChildren(r.data.length ? h("table", { id: "webhooks" },
      h("thead", {}, h("tr", {}, ...["integrations.col_url", "integrations.col_events", "integrations.col_active", "integrations.col_last_success", ""]
        .map((key) => h("th", {}, key ? t(key) : "")))),
      h("tbody", {}, r.data.map((w) => h("tr", { "data-webhook": w.id },
        h("td", {}, w.url), h("td", {}, w.events.join(", ")),
        h("td", {}, w.active ? t("integrations.yes") : h("span", { class: "form-error" },
          w.disabled_reason ? t("integrations.no_because", { reason: w.disabled_reason }) : t("integrations.no"))),
        h("td", {}, when(w.last_success_at) || h("span", { class: "muted" }, t("integrations.never"))),
        h("td", {},
          act(t("integrations.send_test"), async () => { await call("POST", `/admin/api/webhooks/${w.id}/test`); await deliveries(w); }), " ",
          act(t("integrations.delivery_log"), () => deliveries(w)), " ",
          act(t("integrations.edit"), () => {
            editing = w.id; title.textContent = t("integrations.edit_url", { url: w.url });
            form.querySelector("#url").value = w.url;
            form.querySelectorAll("input[name=events]").forEach((i) => { i.checked = w.events.includes(i.value); });
          }), " ",
          act(w.active ? t("integrations.deactivate") : t("integrations.activate"), async () => { await call("PUT", `/admin/api/webhooks/${w.id}`, { active: !w.active }); await refresh(); }), " ",
          act(t("integrations.rotate_secret"), async () => { const x = await call("POST", `/admin/api/webhooks/${w.id}/rotate-secret`); shown.replaceChildren(secretBox({ secret: x.data.secret })); }), " ",
          act(t("integrations.delete"), async () => { if (!confirm(t("integrations.confirm_delete", { url: w.url }))) return; await call("DELETE", `/admin/api/webhooks/${w.id}`); detail.replaceChildren(); await refresh(); }))))))
      : h("p", { class: "muted" }, t("integrations.no_webhooks")));
  }
  content.replaceChildren(shown, form, h("h3", {}, t("integrations.webhooks_title")), list, detail);
  await refresh();
}


async function clientsView(content) {
  const form = h("form", { class: "card", id: "client-form" },
    h("h3", {}, t("integrations.create_client")),
    ...field(t("integrations.name"), "name", "text", { placeholder: t("integrations.name_placeholder"), required: true }),
    h("label", { for: "type" }, t("integrations.type")),
    h("select", { id: "type", name: "type" },
      h("option", { value: "v2" }, t("integrations.type_v2")),
      h("option", { value: "v1" }, t("integrations.type_v1"))),
    h("p", {}, h("button", { type: "submit" }, t("integrations.create"))));
  const list = h("div", { class: "table-wrap", tabindex: 0 });
  const shown = h("div");
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const body = formData(form);
      const r = await call("POST", "/admin/api/clients", { name: body.name, type: body.type });
      shown.replaceChildren(secretBox(r.credentials));
      form.reset();
      await refresh();
    } catch (err) { showErrors(form, err); }
  });
  async function refresh() {
    const r = await call("GET", "/admin/api/clients");
    const rows = r.data.map((c) => h("tr", { "data-client": c.id },
      h("td", {}, c.name), h("td", {}, c.type), h("td", {}, when(c.created_at)),
      h("td", {}, when(c.last_used_at) || h("span", { class: "muted" }, t("integrations.never"))),
      h("td", {}, c.scopes.join(", ")), h("td", {}, word("integrations.tier_", c.tier)),
      h("td", {},
        h("button", { type: "button", onclick: async () => {
          const x = await call("POST", `/admin/api/clients/${c.id}/rotate`);
          shown.replaceChildren(secretBox(x.credentials));
        } }, c.type === "v1" ? t("integrations.regenerate_token") : t("integrations.rotate_secret")), " ",
        h("button", { type: "button", onclick: async () => {
          if (!confirm(t("integrations.confirm_revoke", { name: c.name }))) return;
          await call("DELETE", `/admin/api/clients/${c.id}`);
          await refresh();
        } }, t("integrations.revoke")))));
    list.replaceChildren(rows.length
      ? h("table", { id: "clients" }, h("thead", {}, h("tr", {}, ...["integrations.col_name", "integrations.col_type", "integrations.col_created",
        "integrations.col_last_used", "integrations.col_scopes", "integrations.col_tier", ""].map((key) => h("th", {}, key ? t(key) : "")))), h("tbody", {}, rows))
      : h("p", { class: "muted" }, t("integrations.no_clients")));
  }
  content.replaceChildren(shown, form, h("h3", {}, t("integrations.clients_title")), list);
  await refresh();
}

async function requestLogView(content) {
  const clients = await call("GET", "/admin/api/clients");
  const form = h("form", { class: "card filters", id: "log-filter" },
    h("div", {}, h("label", { for: "client_id" }, t("integrations.client")),
      h("select", { id: "client_id", name: "client_id" }, h("option", { value: "" }, t("integrations.all_clients")),
        clients.data.map((c) => h("option", { value: c.id }, `${c.name} (${c.type})`)))),
    h("div", {}, ...field(t("integrations.status"), "status", "number", { min: 100, max: 599 })),
    h("div", {}, ...field(t("integrations.path_starts"), "path")),
    h("div", {}, ...field(t("integrations.from"), "from", "datetime-local")),
    h("div", {}, ...field(t("integrations.to"), "to", "datetime-local")),
    h("p", {}, h("button", { type: "submit" }, t("integrations.filter"))));
  const out = h("div", { class: "table-wrap", tabindex: 0 });
  const names = new Map(clients.data.map((c) => [c.id, c.name]));
  async function load() {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(formData(form))) {
      if (v === "") continue;
      // datetime-local is typed in the ISP's local time; the API takes RFC 3339.
      q.set(k, k === "from" || k === "to" ? localToUtc(v) : v);
    }
    await guarded(form, async () => {
      form.querySelectorAll(".field-error, .form-error").forEach((e) => e.remove());
      const r = await call("GET", `/admin/api/request-log?per_page=100&${q}`);
      out.replaceChildren(h("table", { id: "request-log" },
        h("thead", {}, h("tr", {}, ...["integrations.col_time", "integrations.col_client", "integrations.col_method", "integrations.col_path",
          "integrations.col_status", "integrations.col_ms", "integrations.col_requests"].map((key) => h("th", {}, t(key))))),
        h("tbody", {}, r.data.map((e) => h("tr", {}, h("td", { class: "nowrap" }, when(e.at)),
          h("td", {}, e.client_id ? names.get(e.client_id) ?? `#${digits(e.client_id)}` : e.user_id ? t("integrations.staff_id", { id: digits(e.user_id) }) : ""),
          h("td", {}, e.method), h("td", {}, e.path), h("td", {}, e.status), h("td", {}, e.duration_ms === null || e.duration_ms === undefined ? "" : num(e.duration_ms)),
          h("td", { title: e.count > 1 ? t("integrations.rejected_title") : "" }, num(e.count ?? 1)))))));
    });
  }
  form.addEventListener("submit", (e) => { e.preventDefault(); load(); });
  content.replaceChildren(form, out);
  await load();
}

export const integrationViews = {
  "API clients": clientsView,
  "Webhooks": webhooksView,
  "API request log": requestLogView,
};
