// Integrations → API Management: API clients, webhooks and the API request
// log, over the panel's own endpoints under /admin/api.

import { h, call, showErrors, field, formData, secretBox, guarded, when, localToUtc } from "./ui.js";

const EVENTS = ["customer.created", "customer.suspended", "customer.activated",
  "payment.received", "bill.generated", "complaint.created"];

async function webhooksView(content) {
  let editing = null;
  const boxes = EVENTS.map((ev) => h("label", { class: "check" },
    h("input", { type: "checkbox", name: "events", value: ev }), ` ${ev}`));
  const title = h("h3", {}, "Add Webhook Endpoint");
  const submit = h("button", { type: "submit" }, "Save");
  const form = h("form", { class: "card", id: "webhook-form" }, title,
    ...field("URL", "url", "url", { placeholder: "https://your-server.example/webhooks/ispbills", required: true }),
    h("fieldset", { name: "events" }, h("legend", {}, "Events"), ...boxes),
    h("p", {}, submit));
  const shown = h("div");
  const list = h("div", { class: "table-wrap" });
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
      editing = null; title.textContent = "Add Webhook Endpoint"; form.reset();
      await refresh();
    } catch (err) {
      showErrors(form, err);
      if (err.details?.events) form.querySelector("fieldset").after(h("p", { class: "field-error", role: "alert" }, err.details.events.join(" ")));
    }
  });
  async function deliveries(w) {
    const r = await call("GET", `/admin/api/webhooks/${w.id}/deliveries?per_page=50`);
    detail.replaceChildren(h("h3", {}, `Delivery log — ${w.url}`),
      h("div", { class: "table-wrap" }, h("table", { id: "deliveries" },
        h("thead", {}, h("tr", {}, ...["Event", "Id", "Status", "Attempts", "HTTP", "Error", "Created", ""].map((t) => h("th", {}, t)))),
        h("tbody", {}, r.data.map((d) => h("tr", { "data-delivery": d.id },
          h("td", {}, d.event), h("td", {}, d.event_id), h("td", {}, d.status), h("td", {}, d.attempts),
          h("td", {}, d.last_status_code ?? ""), h("td", {}, d.last_error ?? ""), h("td", {}, when(d.created_at)),
          h("td", {},
            h("button", { type: "button", onclick: async () => {
              const x = await call("GET", `/admin/api/webhooks/${w.id}/deliveries/${d.id}`);
              detail.append(h("section", { class: "card", id: `attempts-${d.id}` }, h("h4", {}, `Attempts of delivery ${d.id}`),
                ...x.data.attempt_log.map((a) => h("p", {}, `${when(a.attempted_at)} — HTTP ${a.status_code ?? "none"} in ${a.duration_ms} ms `,
                  a.error ? h("span", { class: "form-error" }, a.error) : "", h("br"), h("code", {}, a.response_body ?? "")))));
            } }, "Attempts"), " ",
            h("button", { type: "button", onclick: async () => {
              await call("POST", `/admin/api/webhooks/${w.id}/deliveries/${d.id}/redeliver`);
              await deliveries(w);
            } }, "Redeliver"))))))),
      h("p", {}, h("button", { type: "button", onclick: () => deliveries(w) }, "Refresh")));
  }
  async function refresh() {
    const r = await call("GET", "/admin/api/webhooks?per_page=100");
    const act = (label, fn) => h("button", { type: "button", onclick: fn }, label);
    list.replaceChildren(r.data.length ? h("table", { id: "webhooks" },
      h("thead", {}, h("tr", {}, ...["URL", "Events", "Active", "Last success", ""].map((t) => h("th", {}, t)))),
      h("tbody", {}, r.data.map((w) => h("tr", { "data-webhook": w.id },
        h("td", {}, w.url), h("td", {}, w.events.join(", ")),
        h("td", {}, w.active ? "yes" : h("span", { class: "form-error" }, `no${w.disabled_reason ? ` — ${w.disabled_reason}` : ""}`)),
        h("td", {}, when(w.last_success_at) || h("span", { class: "muted" }, "never")),
        h("td", {},
          act("Send test", async () => { await call("POST", `/admin/api/webhooks/${w.id}/test`); await deliveries(w); }), " ",
          act("Delivery log", () => deliveries(w)), " ",
          act("Edit", () => {
            editing = w.id; title.textContent = `Edit ${w.url}`;
            form.querySelector("#url").value = w.url;
            form.querySelectorAll("input[name=events]").forEach((i) => { i.checked = w.events.includes(i.value); });
          }), " ",
          act(w.active ? "Deactivate" : "Activate", async () => { await call("PUT", `/admin/api/webhooks/${w.id}`, { active: !w.active }); await refresh(); }), " ",
          act("Rotate secret", async () => { const x = await call("POST", `/admin/api/webhooks/${w.id}/rotate-secret`); shown.replaceChildren(secretBox({ secret: x.data.secret })); }), " ",
          act("Delete", async () => { if (!confirm(`Delete ${w.url}?`)) return; await call("DELETE", `/admin/api/webhooks/${w.id}`); detail.replaceChildren(); await refresh(); }))))))
      : h("p", { class: "muted" }, "No webhooks yet."));
  }
  content.replaceChildren(shown, form, h("h3", {}, "Webhooks"), list, detail);
  await refresh();
}


async function clientsView(content) {
  const form = h("form", { class: "card", id: "client-form" },
    h("h3", {}, "Create API Client"),
    ...field("Name", "name", "text", { placeholder: "Mobile App", required: true }),
    h("label", { for: "type" }, "Type"),
    h("select", { id: "type", name: "type" },
      h("option", { value: "v2" }, "API v2 — client id and secret"),
      h("option", { value: "v1" }, "API v1 — Generate Token")),
    h("p", {}, h("button", { type: "submit" }, "Create")));
  const list = h("div", { class: "table-wrap" });
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
      h("td", {}, when(c.last_used_at) || h("span", { class: "muted" }, "never")),
      h("td", {}, c.scopes.join(", ")), h("td", {}, c.tier),
      h("td", {},
        h("button", { type: "button", onclick: async () => {
          const x = await call("POST", `/admin/api/clients/${c.id}/rotate`);
          shown.replaceChildren(secretBox(x.credentials));
        } }, c.type === "v1" ? "Regenerate token" : "Rotate secret"), " ",
        h("button", { type: "button", onclick: async () => {
          if (!confirm(`Revoke ${c.name}? Its tokens stop working at once.`)) return;
          await call("DELETE", `/admin/api/clients/${c.id}`);
          await refresh();
        } }, "Revoke"))));
    list.replaceChildren(rows.length
      ? h("table", { id: "clients" }, h("thead", {}, h("tr", {}, ...["Name", "Type", "Created", "Last used", "Scopes", "Tier", ""].map((t) => h("th", {}, t)))), h("tbody", {}, rows))
      : h("p", { class: "muted" }, "No API clients yet."));
  }
  content.replaceChildren(shown, form, h("h3", {}, "API clients"), list);
  await refresh();
}

async function requestLogView(content) {
  const clients = await call("GET", "/admin/api/clients");
  const form = h("form", { class: "card filters", id: "log-filter" },
    h("div", {}, h("label", { for: "client_id" }, "Client"),
      h("select", { id: "client_id", name: "client_id" }, h("option", { value: "" }, "All clients"),
        clients.data.map((c) => h("option", { value: c.id }, `${c.name} (${c.type})`)))),
    h("div", {}, ...field("Status", "status", "number", { min: 100, max: 599 })),
    h("div", {}, ...field("Path starts with", "path")),
    h("div", {}, ...field("From", "from", "datetime-local")),
    h("div", {}, ...field("To", "to", "datetime-local")),
    h("p", {}, h("button", { type: "submit" }, "Filter")));
  const out = h("div", { class: "table-wrap" });
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
        h("thead", {}, h("tr", {}, ...["Time", "Client", "Method", "Path", "Status", "ms", "Requests"].map((t) => h("th", {}, t)))),
        h("tbody", {}, r.data.map((e) => h("tr", {}, h("td", { class: "nowrap" }, when(e.at)),
          h("td", {}, e.client_id ? names.get(e.client_id) ?? `#${e.client_id}` : e.user_id ? `staff #${e.user_id}` : ""),
          h("td", {}, e.method), h("td", {}, e.path), h("td", {}, e.status), h("td", {}, e.duration_ms ?? ""),
          h("td", { title: e.count > 1 ? "rejected requests from this address in this minute" : "" }, e.count ?? 1))))));
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
