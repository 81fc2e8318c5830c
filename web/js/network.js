// Network: routers, OLTs (with their ONUs) and radios/devices with their last
// polled state, added, edited and deleted here (network-forms.js); each
// router's RADIUS settings (secret, auth mode, CoA port, NAS address) and
// "Sync now", the live RADIUS sessions, and the current Zabbix problems with
// the customers they affect (v2 API).

import { h, call, table, badge, when, guarded, field, select, clearErrors, showErrors, secretBox, pager, bytes, duration, sessionSeconds } from "./ui.js";
import { can } from "./session.js";
import { routerForm, deviceForm, removeItem } from "./network-forms.js";

const SECRET_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

// A random RADIUS secret of `length` letters and digits (crypto.getRandomValues,
// unbiased: bytes past the last whole multiple of the alphabet are skipped).
function randomSecret(length = 32) {
  const limit = 256 - (256 % SECRET_CHARS.length);
  let out = "";
  while (out.length < length) {
    for (const b of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (b < limit && out.length < length) out += SECRET_CHARS[b % SECRET_CHARS.length];
    }
  }
  return out;
}

// The lists of a sync's answer, in the order shown, with what each means.
const SYNC_LISTS = [
  ["radius_setup", "Set on the router for RADIUS"],
  ["added", "Added"],
  ["changed", "Changed"],
  ["removed", "Removed"],
  ["disconnected", "Disconnected"],
  ["address_list_added", "Added to the suspension address list"],
  ["address_list_removed", "Removed from the suspension address list"],
  ["unmanaged", "Made by hand on the router (not touched)"],
  ["secrets_to_remove", "Logins the appliance made earlier (RADIUS mode: no longer needed)"],
  ["errors", "Errors"],
];

// The RADIUS form of a router: only what changed is sent.
function radiusForm(r, done) {
  const secret = h("input", { id: "radius_secret", name: "radius_secret", type: "text", autocomplete: "off",
    spellcheck: "false", class: "mono",
    placeholder: r.radius_enabled ? "set — blank keeps it" : "16 to 128 characters" });
  const remove = r.radius_enabled ? h("label", { class: "check" },
    h("input", { type: "checkbox", name: "remove_secret", id: "remove_secret" }), " Remove the secret (the router stops being a RADIUS client)") : "";
  const [modeLabel, mode] = select("Subscribers log in with", "auth_mode",
    [["secrets", "secrets (logins written to the router)"], ["radius", "radius (the router asks ISPBills)"]]);
  mode.value = r.auth_mode;
  const form = h("form", { class: "card grid", id: "radius-form", "data-router": r.id },
    h("h3", { class: "wide" }, `RADIUS for ${r.name}`),
    h("div", { class: "wide" },
      h("label", { for: "radius_secret" }, r.radius_enabled ? "New RADIUS secret (a secret is set; it is never shown)" : "RADIUS secret"),
      // A fieldset: an error about the secret goes below the row, not inside it.
      h("fieldset", { class: "input-row" }, secret,
        h("button", { type: "button", id: "generate-secret", onclick: () => { secret.value = randomSecret(32); secret.select(); } }, "Generate")),
      remove),
    h("div", {}, modeLabel, mode),
    h("div", {}, ...field("CoA / Disconnect port (UDP)", "coa_port", "number", { min: 1, max: 65535, value: r.coa_port })),
    h("div", {}, ...field("NAS address (blank: the router's address)", "nas_ip", "text", { value: r.nas_ip ?? "", placeholder: r.host, autocomplete: "off" })),
    h("p", { class: "wide" }, h("button", { type: "submit" }, "Save RADIUS settings"), " ",
      h("button", { type: "button", onclick: () => form.remove() }, "Cancel")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    const body = {};
    const newSecret = secret.value.trim();
    if (form.querySelector("#remove_secret")?.checked) body.radius_secret = null;
    else if (newSecret) body.radius_secret = newSecret;
    if (mode.value !== r.auth_mode) body.auth_mode = mode.value;
    const port = form.querySelector("[name=coa_port]").value.trim();
    if (port !== "" && Number(port) !== r.coa_port) body.coa_port = Number(port);
    const nas = form.querySelector("[name=nas_ip]").value.trim();
    if (nas !== (r.nas_ip ?? "")) body.nas_ip = nas === "" ? null : nas;
    if (!Object.keys(body).length) { showErrors(form, new Error("Nothing changed.")); return; }
    await guarded(form, async () => {
      const saved = await call("PUT", `/api/v2/network/routers/${r.id}`, body);
      await done(saved.data, typeof body.radius_secret === "string" ? body.radius_secret : null);
    });
  });
  return form;
}

// A sync's answer: the lists that have something in them.
function syncResult(r, result, again) {
  const d = result.data;
  const shown = SYNC_LISTS.filter(([key]) => d[key]?.length);
  return h("section", { class: "card", id: "sync-result", "data-router": r.id, role: "status" },
    h("h3", {}, `Sync of ${r.name}`),
    shown.length ? shown.map(([key, label]) => h("div", { "data-list": key },
      h("h4", { class: key === "errors" ? "form-error" : "" }, `${label} (${d[key].length})`),
      h("ul", { class: "plain" }, d[key].map((x) => h("li", {}, x)))))
      : h("p", { class: "ok" }, "In step: nothing to change."),
    d.secrets_to_remove?.length && again ? h("p", {},
      h("button", { type: "button", id: "remove-secrets", onclick: again },
        `Remove these ${d.secrets_to_remove.length} logins from the router`)) : "");
}

export async function networkView(content) {
  content.replaceChildren(h("p", {}, "Loading…"));
  const write = can("network:write");
  const sessionsShown = can("customers:read");
  const panel = h("div", { id: "router-panel" });
  const routersBox = h("div");
  const sessionsBox = h("div", { id: "radius-sessions-box" });

  const sync = async (r, removeSecrets = false) => {
    panel.replaceChildren(h("p", { class: "muted", role: "status" }, `Syncing ${r.name}…`));
    await guarded(panel, async () => {
      const result = await call("POST", `/api/v2/network/routers/${r.id}/sync${removeSecrets ? "?remove_secrets=true" : ""}`);
      panel.replaceChildren(syncResult(r, result, removeSecrets ? null : () => {
        if (!confirm(`Remove the logins ISPBills made on ${r.name}? Subscribers then log in through RADIUS only.`)) return;
        sync(r, true);
      }));
    });
    await loadRouters();
  };
  const editRadius = (r) => {
    panel.replaceChildren(radiusForm(r, async (saved, newSecret) => {
      panel.replaceChildren(
        h("p", { class: "ok", role: "status", id: "radius-saved" }, `RADIUS settings of ${saved.name} saved: auth mode ${saved.auth_mode}${saved.radius_enabled ? ", secret set" : ", no secret"}.`),
        ...(newSecret ? [h("p", {}, `Enter this secret in the router's /radius entry for this server (${saved.name}).`), secretBox({ radius_secret: newSecret })] : []));
      await loadRouters();
    }));
    panel.querySelector("#radius_secret").focus();
  };
  const editRouter = (r) => {
    panel.replaceChildren(routerForm(r, loadRouters));
    panel.querySelector("input").focus();
  };
  const routerRows = (routers) => routers.map((r) => h("tr", { "data-router": r.id },
    h("td", {}, r.name), h("td", {}, `${r.host}:${r.port}`), h("td", {}, badge(r.status)),
    h("td", {}, when(r.status_since)), h("td", {}, [r.board, r.version].filter(Boolean).join(" / ")),
    h("td", {}, r.cpu_load == null ? "" : `${r.cpu_load}%`), h("td", {}, r.customers ?? ""),
    h("td", { "data-col": "auth_mode" }, r.auth_mode),
    h("td", { "data-col": "radius_secret" }, r.radius_enabled ? "set" : h("span", { class: "muted" }, "not set")),
    h("td", { "data-col": "radius_last_request_at" }, when(r.radius_last_request_at) || h("span", { class: "muted" }, "never")),
    h("td", {}, [r.last_error ?? "", r.last_sync_error ? h("span", { class: "form-error" }, ` Sync: ${r.last_sync_error}`) : ""]),
    write ? h("td", { class: "actions" },
      h("button", { type: "button", class: "router-edit", onclick: () => editRouter(r) }, "Edit"), " ",
      h("button", { type: "button", class: "radius-edit", onclick: () => editRadius(r) }, "RADIUS…"), " ",
      h("button", { type: "button", class: "sync-now", onclick: () => sync(r) }, "Sync now"), " ",
      h("button", { type: "button", class: "router-delete", onclick: () => removeItem(panel, `/api/v2/network/routers/${r.id}`, r.name, loadRouters) }, "Delete")) : ""));
  const routerTable = (routers) => table("routers",
    ["Name", "Address", "Status", "Since", "Model / version", "CPU", "Customers", "Auth", "RADIUS secret", "Last RADIUS request", "Last error", ...(write ? [""] : [])],
    routerRows(routers), "No routers yet: add the MikroTik routers your subscribers connect through.");
  async function loadRouters() {
    await guarded(routersBox, async () => {
      const r = await call("GET", "/api/v2/network/routers?per_page=100");
      routersBox.replaceChildren(routerTable(r.data));
    });
  }

  const sessionRows = (sessions) => sessions.map((s) => h("tr", { "data-session": s.id },
    h("td", {}, s.customer_id ? h("a", { href: `#/customers/${s.customer_id}` }, s.username) : s.username),
    h("td", {}, s.router_name ?? ""), h("td", {}, s.framed_ip ?? ""), h("td", { class: "mono" }, s.calling_station_id ?? ""),
    h("td", {}, when(s.started_at)), h("td", {}, when(s.updated_at)),
    h("td", { class: "num nowrap" }, duration(sessionSeconds(s))),
    h("td", { class: "num nowrap" }, bytes(s.output_octets)), h("td", { class: "num nowrap" }, bytes(s.input_octets))));
  async function loadSessions(page = 1) {
    await guarded(sessionsBox, async () => {
      const r = await call("GET", `/api/v2/radius/sessions?active=true&per_page=100&page=${page}`);
      sessionsBox.replaceChildren(
        table("radius-sessions", ["User", "Router", "IP", "MAC", "Started", "Last update", "Duration", "Download", "Upload"],
          sessionRows(r.data), "No live sessions."),
        r.meta.last_page > 1 ? pager(r.meta, loadSessions) : "");
    });
  }

  const devicePanel = h("div", { id: "device-panel" });
  const oltsBox = h("div");
  const onusBox = h("div", { id: "onus-box" });
  const devicesBox = h("div");
  const noc = await call("GET", "/api/v1/noc/dashboard").then((r) => r.data).catch(() => null);
  const lowRx = noc?.onus?.low_rx_dbm ?? -27;
  const editDevice = (kind, d) => {
    devicePanel.replaceChildren(deviceForm(kind, d, loadDevices));
    devicePanel.querySelector("input").focus();
  };
  const seen = (d) => [d.vendor && d.model ? `${d.vendor} ${d.model}` : d.detected_profile ?? "", d.sys_descr ? h("div", { class: "muted" }, d.sys_descr) : ""];
  const deviceActions = (kind, d, path) => (write ? h("td", { class: "actions" },
    h("button", { type: "button", class: "device-edit", onclick: () => editDevice(kind, d) }, "Edit"), " ",
    h("button", { type: "button", class: "device-delete", onclick: () => removeItem(devicePanel, `${path}/${d.id}`, d.name, loadDevices) }, "Delete")) : "");
  async function showOnus(o) {
    await guarded(onusBox, async () => {
      const r = await call("GET", `/api/v2/network/onus?olt_id=${o.id}&per_page=100`);
      onusBox.replaceChildren(h("h4", {}, `ONUs of ${o.name} (rx power below ${lowRx} dBm is low)`),
        table("onus", ["PON", "ONU", "Serial / MAC", "Name", "Status", "Rx power", "Distance", "Customer"],
          r.data.map((u) => h("tr", { "data-onu": u.id }, h("td", {}, u.pon_port ?? ""), h("td", {}, u.onu_index ?? ""),
            h("td", { class: "mono" }, u.serial ?? u.mac ?? ""), h("td", {}, u.name ?? ""), h("td", {}, badge(u.status)),
            h("td", { class: `num ${u.rx_power_dbm != null && u.rx_power_dbm < lowRx ? "rx-low" : "rx-ok"}` }, u.rx_power_dbm == null ? "" : `${u.rx_power_dbm} dBm`),
            h("td", { class: "num" }, u.distance_m == null ? "" : `${u.distance_m} m`),
            h("td", {}, u.customer_id ? h("a", { href: `#/customers/${u.customer_id}` }, u.customer ?? `#${u.customer_id}`) : ""))),
          "No ONUs read from this OLT yet."));
    });
  }
  async function loadDevices() {
    await guarded(oltsBox, async () => {
      const [olts, devices] = await Promise.all([call("GET", "/api/v2/network/olts?per_page=100"),
        call("GET", "/api/v2/monitoring/devices?per_page=100")]);
      oltsBox.replaceChildren(table("olts", ["Name", "Address", "Status", "Since", "Seen as", "ONUs", "Last error", ...(write ? [""] : [])],
        olts.data.map((o) => h("tr", { "data-olt": o.id },
          h("td", {}, o.name), h("td", {}, o.host), h("td", {}, badge(o.status)), h("td", {}, when(o.status_since)),
          h("td", {}, seen(o)),
          h("td", {}, h("button", { type: "button", class: "show-onus", onclick: () => showOnus(o) }, `${o.onus ?? 0} ONUs`)),
          h("td", {}, o.last_error ?? ""), deviceActions("olt", o, "/api/v2/network/olts"))),
        "No OLTs yet: add your GPON/EPON OLTs to see their ONUs."));
      devicesBox.replaceChildren(table("devices", ["Name", "Kind", "Address", "Status", "Since", "Seen as", "Signal", "Last error", ...(write ? [""] : [])],
        devices.data.map((d) => h("tr", { "data-device": d.id },
          h("td", {}, d.name), h("td", {}, d.kind), h("td", {}, d.host), h("td", {}, badge(d.status)), h("td", {}, when(d.status_since)),
          h("td", {}, seen(d)), h("td", { class: "num" }, d.metrics?.signal == null ? "" : `${d.metrics.signal} dBm`),
          h("td", {}, d.last_error ?? ""), deviceActions(d.kind, d, "/api/v2/monitoring/devices"))),
        "No radios or other devices yet."));
    });
  }

  await guarded(content, async () => {
    const [routers, , zabbix] = await Promise.all([
      call("GET", "/api/v2/network/routers?per_page=100"),
      loadDevices(),
      call("GET", "/api/v2/monitoring/zabbix/problems").catch((err) => ({ error: err.message })),
      sessionsShown ? loadSessions() : null,
    ]);
    routersBox.replaceChildren(routerTable(routers.data));
    const problems = zabbix.error
      ? h("p", { class: "muted", id: "zabbix-none" }, zabbix.error)
      : [zabbix.zabbix.stale ? h("p", { class: "form-error" }, `Zabbix data from ${when(zabbix.zabbix.fetched_at)}: ${zabbix.zabbix.error}`) : "",
        table("zabbix-problems", ["Severity", "Problem", "Hosts", "Since", "Customers affected", "Ack"],
          zabbix.data.map((p) => h("tr", { "data-event": p.eventid },
            h("td", {}, badge(p.severity_label)), h("td", {}, p.name), h("td", {}, p.hosts.map((x) => x.name || x.host).join(", ")),
            h("td", {}, when(p.since)), h("td", { class: "num" }, p.affected_customers), h("td", {}, p.acknowledged ? "yes" : "no"))),
          "No problems in Zabbix.")];
    // replaceChildren takes nodes, not lists: the lists are spread.
    content.replaceChildren(
      h("h2", {}, "Network"),
      h("div", { class: "title-row" }, h("h3", {}, "Routers"),
        write ? h("button", { type: "button", id: "add-router", onclick: () => editRouter(null) }, "Add a router") : ""),
      panel,
      routersBox,
      ...(sessionsShown ? [
        h("div", { class: "title-row" }, h("h3", {}, "Live RADIUS sessions"),
          h("button", { type: "button", id: "refresh-sessions", onclick: () => loadSessions() }, "Refresh")),
        sessionsBox] : []),
      h("div", { class: "title-row" }, h("h3", {}, "OLTs"),
        write ? h("button", { type: "button", id: "add-olt", onclick: () => editDevice("olt", null) }, "Add an OLT") : ""),
      devicePanel,
      oltsBox,
      onusBox,
      h("div", { class: "title-row" }, h("h3", {}, "Radios and other devices"),
        write ? h("button", { type: "button", id: "add-device", onclick: () => editDevice("device", null) }, "Add a radio or device") : ""),
      devicesBox,
      h("h3", {}, "Zabbix problems"), ...[problems].flat());
  });
}
