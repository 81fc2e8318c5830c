// Network: routers, OLTs (with their ONUs) and radios/devices with their last
// polled state, added, edited and deleted here (network-forms.js); each
// router's RADIUS settings (secret, auth mode, CoA port, NAS address) and
// "Sync now", the live RADIUS sessions, and the current Zabbix problems with
// the customers they affect (v2 API).

import { t, word, num, digits } from "./i18n.js";
import { h, call, table, badge, when, guarded, field, select, clearErrors, showErrors, secretBox, pager, bytes, duration, sessionSeconds } from "./ui.js";
import { can } from "./session.js";
import { routerForm, deviceForm, removeItem } from "./network-forms.js";
import { lineChart } from "./chart.js";

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

// The lists of a sync's answer, in the order shown, with the key of what each means.
const SYNC_LISTS = [
  ["radius_setup", "network.sync_radius_setup"],
  ["added", "network.sync_added"],
  ["changed", "network.sync_changed"],
  ["removed", "network.sync_removed"],
  ["disconnected", "network.sync_disconnected"],
  ["address_list_added", "network.sync_address_list_added"],
  ["address_list_removed", "network.sync_address_list_removed"],
  ["unmanaged", "network.sync_unmanaged"],
  ["secrets_to_remove", "network.sync_secrets_to_remove"],
  ["errors", "network.sync_errors"],
];

// The RADIUS form of a router: only what changed is sent.
function radiusForm(r, done) {
  const secret = h("input", { id: "radius_secret", name: "radius_secret", type: "text", autocomplete: "off",
    spellcheck: "false", class: "mono",
    placeholder: r.radius_enabled ? t("network.radius_secret_placeholder_set") : t("network.radius_secret_placeholder_new") });
  const remove = r.radius_enabled ? h("label", { class: "check" },
    h("input", { type: "checkbox", name: "remove_secret", id: "remove_secret" }), ` ${t("network.remove_secret")}`) : "";
  const [modeLabel, mode] = select(t("network.login_with"), "auth_mode",
    [["secrets", t("network.option_auth_secrets")], ["radius", t("network.option_auth_radius")]]);
  mode.value = r.auth_mode;
  const form = h("form", { class: "card grid", id: "radius-form", "data-router": r.id },
    h("h3", { class: "wide" }, t("network.radius_for", { name: r.name })),
    h("div", { class: "wide" },
      h("label", { for: "radius_secret" }, r.radius_enabled ? t("network.radius_secret_new") : t("network.radius_secret")),
      // A fieldset: an error about the secret goes below the row, not inside it.
      h("fieldset", { class: "input-row" }, secret,
        h("button", { type: "button", id: "generate-secret", onclick: () => { secret.value = randomSecret(32); secret.select(); } }, t("network.generate"))),
      remove),
    h("div", {}, modeLabel, mode),
    h("div", {}, ...field(t("network.coa_port"), "coa_port", "number", { min: 1, max: 65535, value: r.coa_port })),
    h("div", {}, ...field(t("network.nas_ip"), "nas_ip", "text", { value: r.nas_ip ?? "", placeholder: r.host, autocomplete: "off" })),
    h("p", { class: "wide" }, h("button", { type: "submit" }, t("network.save_radius")), " ",
      h("button", { type: "button", onclick: () => form.remove() }, t("network.cancel"))));
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
    if (!Object.keys(body).length) { showErrors(form, new Error(t("network.nothing_changed"))); return; }
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
    h("h3", {}, t("network.sync_of", { name: r.name })),
    shown.length ? shown.map(([key, label]) => h("div", { "data-list": key },
      h("h4", { class: key === "errors" ? "form-error" : "" }, t("network.sync_list_count", { label: t(label), count: num(d[key].length) })),
      h("ul", { class: "plain" }, d[key].map((x) => h("li", {}, x)))))
      : h("p", { class: "ok" }, t("network.sync_in_step")),
    d.secrets_to_remove?.length && again ? h("p", {},
      h("button", { type: "button", id: "remove-secrets", onclick: again },
        t("network.remove_secrets_button", { count: num(d.secrets_to_remove.length) }))) : "");
}

export async function networkView(content) {
  content.replaceChildren(h("p", {}, t("ui.loading")));
  const write = can("network:write");
  const sessionsShown = can("customers:read");
  const panel = h("div", { id: "router-panel" });
  const routersBox = h("div");
  const sessionsBox = h("div", { id: "radius-sessions-box" });

  const sync = async (r, removeSecrets = false) => {
    panel.replaceChildren(h("p", { class: "muted", role: "status" }, t("network.syncing", { name: r.name })));
    await guarded(panel, async () => {
      const result = await call("POST", `/api/v2/network/routers/${r.id}/sync${removeSecrets ? "?remove_secrets=true" : ""}`);
      panel.replaceChildren(syncResult(r, result, removeSecrets ? null : () => {
        if (!confirm(t("network.remove_secrets_confirm", { name: r.name }))) return;
        sync(r, true);
      }));
    });
    await loadRouters();
  };
  const editRadius = (r) => {
    panel.replaceChildren(radiusForm(r, async (saved, newSecret) => {
      panel.replaceChildren(
        h("p", { class: "ok", role: "status", id: "radius-saved" }, t(saved.radius_enabled ? "network.radius_saved_secret" : "network.radius_saved_no_secret", { name: saved.name, mode: word("network.auth_mode_", saved.auth_mode) })),
        ...(newSecret ? [h("p", {}, t("network.radius_enter_secret", { name: saved.name })), secretBox({ radius_secret: newSecret })] : []));
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
    h("td", {}, r.cpu_load == null ? "" : t("network.percent", { value: num(r.cpu_load) })), h("td", {}, r.customers == null ? "" : num(r.customers)),
    h("td", { "data-col": "auth_mode" }, word("network.auth_mode_", r.auth_mode)),
    h("td", { "data-col": "radius_secret" }, r.radius_enabled ? t("network.secret_set") : h("span", { class: "muted" }, t("network.secret_not_set"))),
    h("td", { "data-col": "radius_last_request_at" }, when(r.radius_last_request_at) || h("span", { class: "muted" }, t("network.never"))),
    h("td", {}, [r.last_error ?? "", r.last_sync_error ? h("span", { class: "form-error" }, ` ${t("network.sync_error", { error: r.last_sync_error })}`) : ""]),
    write ? h("td", { class: "actions" },
      h("button", { type: "button", class: "router-edit", onclick: () => editRouter(r) }, t("network.edit")), " ",
      h("button", { type: "button", class: "radius-edit", onclick: () => editRadius(r) }, t("network.radius_button")), " ",
      h("button", { type: "button", class: "sync-now", onclick: () => sync(r) }, t("network.sync_now")), " ",
      h("button", { type: "button", class: "router-delete", onclick: () => removeItem(panel, `/api/v2/network/routers/${r.id}`, r.name, loadRouters) }, t("network.delete"))) : ""));
  const routerTable = (routers) => table("routers",
    [t("network.name"), t("network.address"), t("network.status"), t("network.since"), t("network.model_version"), t("network.cpu"),
      t("network.customers"), t("network.auth"), t("network.radius_secret"), t("network.last_radius_request"), t("network.last_error"), ...(write ? [""] : [])],
    routerRows(routers), t("network.no_routers"));
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
        table("radius-sessions", [t("network.user"), t("network.router"), t("network.ip"), t("network.mac"), t("network.started"), t("network.last_update"),
          t("network.duration"), t("network.download"), t("network.upload")],
          sessionRows(r.data), t("network.no_sessions")),
        r.meta.last_page > 1 ? pager(r.meta, loadSessions) : "");
    });
  }

  const devicePanel = h("div", { id: "device-panel" });
  const oltsBox = h("div");
  const onusBox = h("div", { id: "onus-box" });
  const devicesBox = h("div");
  const onuHistory = h("div", { id: "onu-history" });
  const deviceHistory = h("div", { id: "device-history" });
  const poolsBox = h("div", { id: "pools-box" });
  // An ONU's rx power or a radio's signal over time (newest first from the API).
  const showHistory = (where, path, name, threshold) => guarded(where, async () => {
    const r = await call("GET", `${path}?limit=500`);
    const chart = lineChart({ id: `${where.id}-chart`, title: t("network.history_of", { name }), format: (v) => t("network.dbm", { value: num(Number(v).toFixed(1)) }),
      series: [{ label: t("network.history_dbm"), points: r.data.map((x) => [x.at, x.value]) }], threshold });
    where.replaceChildren(h("h4", {}, t("network.history_of", { name })),
      chart ?? h("p", { class: "muted", id: `${where.id}-empty` }, t("network.history_none")));
  });
  const noc = await call("GET", "/api/v1/noc/dashboard").then((r) => r.data).catch(() => null);
  const lowRx = noc?.onus?.low_rx_dbm ?? -27;
  const editDevice = (kind, d) => {
    devicePanel.replaceChildren(deviceForm(kind, d, loadDevices));
    devicePanel.querySelector("input").focus();
  };
  const seen = (d) => [d.vendor && d.model ? `${d.vendor} ${d.model}` : d.detected_profile ?? "", d.sys_descr ? h("div", { class: "muted" }, d.sys_descr) : ""];
  const deviceActions = (kind, d, path) => (write ? h("td", { class: "actions" },
    h("button", { type: "button", class: "device-edit", onclick: () => editDevice(kind, d) }, t("network.edit")), " ",
    h("button", { type: "button", class: "device-delete", onclick: () => removeItem(devicePanel, `${path}/${d.id}`, d.name, loadDevices) }, t("network.delete"))) : "");
  async function showOnus(o) {
    await guarded(onusBox, async () => {
      const r = await call("GET", `/api/v2/network/onus?olt_id=${o.id}&per_page=100`);
      onusBox.replaceChildren(h("h4", {}, t("network.onus_of", { name: o.name, dbm: num(lowRx) })),
        table("onus", [t("network.pon"), t("network.onu"), t("network.serial_mac"), t("network.name"), t("network.status"), t("network.rx_power"),
          t("network.distance"), t("network.customer"), ""],
          r.data.map((u) => h("tr", { "data-onu": u.id }, h("td", {}, u.pon_port ?? ""), h("td", {}, u.onu_index ?? ""),
            h("td", { class: "mono" }, u.serial ?? u.mac ?? ""), h("td", {}, u.name ?? ""), h("td", {}, badge(u.status)),
            h("td", { class: `num ${u.rx_power_dbm != null && u.rx_power_dbm < lowRx ? "rx-low" : "rx-ok"}` }, u.rx_power_dbm == null ? "" : t("network.dbm", { value: num(u.rx_power_dbm) })),
            h("td", { class: "num" }, u.distance_m == null ? "" : t("network.metres", { value: num(u.distance_m) })),
            h("td", {}, u.customer_id ? h("a", { href: `#/customers/${u.customer_id}` }, u.customer ?? `#${u.customer_id}`) : ""),
            h("td", {}, h("button", { type: "button", class: "onu-history", onclick: () => showHistory(onuHistory, `/api/v2/network/onus/${u.id}/history`,
              u.name || u.serial || u.mac || `#${u.id}`, { value: lowRx, label: t("network.low_rx_line", { dbm: num(lowRx) }) }) }, t("network.history"))))),
          t("network.no_onus")), onuHistory);
    });
  }
  async function loadDevices() {
    await guarded(oltsBox, async () => {
      const [olts, devices] = await Promise.all([call("GET", "/api/v2/network/olts?per_page=100"),
        call("GET", "/api/v2/monitoring/devices?per_page=100")]);
      oltsBox.replaceChildren(table("olts", [t("network.name"), t("network.address"), t("network.status"), t("network.since"), t("network.seen_as"),
        t("network.onus"), t("network.last_error"), ...(write ? [""] : [])],
        olts.data.map((o) => h("tr", { "data-olt": o.id },
          h("td", {}, o.name), h("td", {}, o.host), h("td", {}, badge(o.status)), h("td", {}, when(o.status_since)),
          h("td", {}, seen(o)),
          h("td", {}, h("button", { type: "button", class: "show-onus", onclick: () => showOnus(o) }, t("network.onus_count", { count: num(o.onus ?? 0) }))),
          h("td", {}, o.last_error ?? ""), deviceActions("olt", o, "/api/v2/network/olts"))),
        t("network.no_olts")));
      devicesBox.replaceChildren(table("devices", [t("network.name"), t("network.kind"), t("network.address"), t("network.status"), t("network.since"),
        t("network.seen_as"), t("network.signal"), t("network.last_error"), ...(write ? [""] : [])],
        devices.data.map((d) => h("tr", { "data-device": d.id },
          h("td", {}, d.name), h("td", {}, word("network.kind_", d.kind)), h("td", {}, d.host), h("td", {}, badge(d.status)), h("td", {}, when(d.status_since)),
          h("td", {}, seen(d)), h("td", { class: "num" }, d.metrics?.signal == null ? "" : t("network.dbm", { value: num(d.metrics.signal) }),
            d.kind === "radio" ? [" ", h("button", { type: "button", class: "device-history", onclick: () => showHistory(deviceHistory, `/api/v2/monitoring/devices/${d.id}/history`, d.name) }, t("network.history"))] : ""),
          h("td", {}, d.last_error ?? ""), deviceActions(d.kind, d, "/api/v2/monitoring/devices"))),
        t("network.no_devices")), deviceHistory);
    });
  }

  await guarded(content, async () => {
    const [routers, , zabbix, , pools] = await Promise.all([
      call("GET", "/api/v2/network/routers?per_page=100"),
      loadDevices(),
      call("GET", "/api/v2/monitoring/zabbix/problems?customers=true").catch((err) => ({ error: err.message })),
      sessionsShown ? loadSessions() : null,
      call("GET", "/api/v2/network/pools?per_page=100").catch((err) => ({ error: err.message })),
    ]);
    // IP pools as the routers report them, with how full each is.
    poolsBox.replaceChildren(pools.error ? h("p", { class: "muted" }, pools.error)
      : table("pools", [t("network.pool"), t("network.router"), t("network.pool_ranges"), t("network.pool_used")],
        pools.data.map((p) => {
          const share = p.size ? Math.round((100 * (p.used ?? 0)) / p.size) : null;
          return h("tr", { "data-pool": p.id }, h("td", {}, p.name), h("td", {}, p.router ?? `#${p.router_id}`),
            h("td", { class: "mono" }, p.ranges ?? ""),
            h("td", { class: `num ${share !== null && share >= 90 ? "rx-low" : ""}` },
              share === null ? num(p.used ?? 0) : t("network.pool_usage", { used: num(p.used ?? 0), size: num(p.size), share: num(share) })));
        }), t("network.no_pools")));
    routersBox.replaceChildren(routerTable(routers.data));
    const problems = zabbix.error
      ? h("p", { class: "muted", id: "zabbix-none" }, zabbix.error)
      : [zabbix.zabbix.stale ? h("p", { class: "form-error" }, t("network.zabbix_stale", { time: when(zabbix.zabbix.fetched_at), error: zabbix.zabbix.error })) : "",
        table("zabbix-problems", [t("network.severity"), t("network.problem"), t("network.hosts"), t("network.since"), t("network.customers_affected"), t("network.ack")],
          zabbix.data.map((p) => h("tr", { "data-event": p.eventid },
            h("td", {}, badge(p.severity_label)), h("td", {}, p.name), h("td", {}, p.hosts.map((x) => x.name || x.host).join(", ")),
            h("td", {}, when(p.since)), h("td", {}, affectedCustomers(p)), h("td", {}, p.acknowledged ? t("network.yes") : t("network.no")))),
          t("network.no_problems"))];
    // replaceChildren takes nodes, not lists: the lists are spread.
    content.replaceChildren(
      h("h2", {}, t("network.title")),
      h("div", { class: "title-row" }, h("h3", {}, t("network.routers")),
        write ? h("button", { type: "button", id: "add-router", onclick: () => editRouter(null) }, t("network.add_router")) : ""),
      panel,
      routersBox,
      ...(sessionsShown ? [
        h("div", { class: "title-row" }, h("h3", {}, t("network.live_sessions")),
          h("button", { type: "button", id: "refresh-sessions", onclick: () => loadSessions() }, t("network.refresh"))),
        sessionsBox] : []),
      h("div", { class: "title-row" }, h("h3", {}, t("network.olts")),
        write ? h("button", { type: "button", id: "add-olt", onclick: () => editDevice("olt", null) }, t("network.add_olt")) : ""),
      devicePanel,
      oltsBox,
      onusBox,
      h("div", { class: "title-row" }, h("h3", {}, t("network.devices")),
        write ? h("button", { type: "button", id: "add-device", onclick: () => editDevice("device", null) }, t("network.add_device")) : ""),
      devicesBox,
      h("h3", {}, t("network.pools")),
      poolsBox,
      h("h3", {}, t("network.zabbix_problems")), ...[problems].flat());
  });
}

// The customers behind a problem's hosts: their count, opening to a link
// to each customer's page.
function affectedCustomers(p) {
  const ids = p.customer_ids ?? [];
  if (!ids.length) return h("span", { class: "num" }, num(p.affected_customers));
  return h("details", { class: "affected" }, h("summary", {}, num(p.affected_customers)),
    h("p", {}, ...ids.flatMap((id, i) => [i ? " " : "", h("a", { href: `#/customers/${id}` }, `#${digits(id)}`)])));
}
