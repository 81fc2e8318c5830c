// The ISPBills admin panel: plain ES module, no build step. It talks to the
// panel endpoints under /admin/api (cookie session, X-CSRF-Token on changes).

const app = document.getElementById("app");
const who = document.getElementById("who");
let csrf = "";

const h = (tag, attrs = {}, ...children) => {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (v !== false && v !== undefined && v !== null) el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) el.append(c instanceof Node ? c : document.createTextNode(String(c ?? "")));
  return el;
};

async function call(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRF-Token"] = csrf;
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
  const text = await r.text();
  const json = text ? JSON.parse(text) : null;
  if (!r.ok) throw Object.assign(new Error(json?.error?.message || r.statusText), { status: r.status, details: json?.error?.details || {} });
  return json;
}

// Shows an API error next to the field it names, or at the top of the form.
function showErrors(form, err) {
  form.querySelectorAll(".field-error, .form-error").forEach((e) => e.remove());
  let placed = false;
  for (const [field, messages] of Object.entries(err.details || {})) {
    const input = form.querySelector(`[name="${field}"]`);
    if (input) {
      input.after(h("p", { class: "field-error", role: "alert" }, messages.join(" ")));
      placed = true;
    }
  }
  if (!placed) form.prepend(h("p", { class: "form-error", role: "alert" }, err.message));
}

function field(label, name, type = "text", extra = {}) {
  return [h("label", { for: name }, label), h("input", { id: name, name, type, ...extra })];
}

function formData(form) {
  return Object.fromEntries(new FormData(form).entries());
}

function setupPage() {
  const form = h("form", { class: "card narrow", id: "setup-form" },
    h("h2", {}, "Set up ISPBills"),
    h("p", {}, "Enter the setup code printed in the server log at start (",
      h("code", {}, "journalctl -u ispbills"), " or ", h("code", {}, "ispbills admin setup-code"),
      "), then create the first administrator."),
    ...field("Setup code", "setup_code", "text", { autocomplete: "off", required: true }),
    ...field("Your name", "name", "text", { required: true }),
    ...field("Email", "email", "email", { autocomplete: "username", required: true }),
    ...field("Password (at least 12 characters)", "password", "password", { autocomplete: "new-password", required: true }),
    h("p", {}, h("button", { type: "submit" }, "Create administrator")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const s = await call("POST", "/admin/api/setup", formData(form));
      csrf = s.csrf_token;
      shell(s.user);
    } catch (err) { showErrors(form, err); }
  });
  app.replaceChildren(form);
}

function loginPage() {
  const form = h("form", { class: "card narrow", id: "login-form" },
    h("h2", {}, "Log in"),
    ...field("Email", "email", "email", { autocomplete: "username", required: true }),
    ...field("Password", "password", "password", { autocomplete: "current-password", required: true }),
    h("p", {}, h("button", { type: "submit" }, "Log in")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const s = await call("POST", "/admin/api/session", formData(form));
      csrf = s.csrf_token;
      shell(s.user);
    } catch (err) { showErrors(form, err); }
  });
  app.replaceChildren(form);
}

const views = {
  "API clients": clientsView,
  "Webhooks": webhooksView,
  "API request log": requestLogView,
};

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
          h("td", {}, d.last_status_code ?? ""), h("td", {}, d.last_error ?? ""), h("td", {}, d.created_at),
          h("td", {},
            h("button", { type: "button", onclick: async () => {
              const x = await call("GET", `/admin/api/webhooks/${w.id}/deliveries/${d.id}`);
              detail.append(h("section", { class: "card", id: `attempts-${d.id}` }, h("h4", {}, `Attempts of delivery ${d.id}`),
                ...x.data.attempt_log.map((a) => h("p", {}, `${a.attempted_at} — HTTP ${a.status_code ?? "none"} in ${a.duration_ms} ms `,
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
        h("td", {}, w.last_success_at ?? h("span", { class: "muted" }, "never")),
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

function shell(user) {
  who.replaceChildren(`${user.name} (${user.role}) `, h("button", { id: "logout", onclick: async () => {
    await call("DELETE", "/admin/api/session");
    who.replaceChildren();
    loginPage();
  } }, "Log out"));
  const content = h("div", { id: "content" });
  const tabs = h("nav", { class: "tabs", "aria-label": "Integrations → API Management" });
  const open = (name) => {
    tabs.querySelectorAll("button").forEach((b) => b.setAttribute("aria-current", b.textContent === name ? "page" : "false"));
    views[name](content);
  };
  for (const name of Object.keys(views)) tabs.append(h("button", { type: "button", onclick: () => open(name) }, name));
  app.replaceChildren(h("h2", {}, "Integrations → API Management"), tabs, content);
  open("API clients");
}

function copyButton(text) {
  return h("button", { type: "button", onclick: (e) => navigator.clipboard?.writeText(text).then(() => { e.target.textContent = "Copied"; }) }, "Copy");
}

function secretBox(creds) {
  const rows = Object.entries(creds).filter(([, v]) => v !== null && v !== undefined);
  return h("div", { class: "secret", id: "secret-box", role: "status" },
    h("p", { class: "warning" }, "Store these now: they are shown only once and cannot be shown again."),
    ...rows.map(([k, v]) => h("p", {}, h("strong", {}, `${k}: `), h("code", { "data-field": k }, v), " ", copyButton(String(v)))));
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
      h("td", {}, c.name), h("td", {}, c.type), h("td", {}, c.created_at),
      h("td", {}, c.last_used_at || h("span", { class: "muted" }, "never")),
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
  const form = h("form", { class: "card", id: "log-filter" },
    ...field("Status", "status", "number", { min: 100, max: 599 }),
    ...field("Path contains", "path"),
    h("p", {}, h("button", { type: "submit" }, "Filter")));
  const out = h("div", { class: "table-wrap" });
  async function load() {
    const q = new URLSearchParams(Object.entries(formData(form)).filter(([, v]) => v !== ""));
    try {
      const r = await call("GET", `/admin/api/request-log?${q}`);
      out.replaceChildren(h("table", { id: "request-log" },
        h("thead", {}, h("tr", {}, ...["Time", "Client", "Method", "Path", "Status", "ms"].map((t) => h("th", {}, t)))),
        h("tbody", {}, r.data.map((e) => h("tr", {}, h("td", {}, e.at), h("td", {}, e.client_id ?? ""),
          h("td", {}, e.method), h("td", {}, e.path), h("td", {}, e.status), h("td", {}, e.duration_ms ?? ""))))));
    } catch (err) { showErrors(form, err); }
  }
  form.addEventListener("submit", (e) => { e.preventDefault(); load(); });
  content.replaceChildren(form, out);
  await load();
}

async function start() {
  try {
    const s = await call("GET", "/admin/api/setup");
    if (s.setup_required) return setupPage();
    const session = await call("GET", "/admin/api/session");
    csrf = session.csrf_token;
    shell(session.user);
  } catch (err) {
    if (err.status === 401) loginPage();
    else app.replaceChildren(h("p", { class: "form-error" }, err.message));
  }
}

start();
