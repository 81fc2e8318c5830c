// Network inventory forms: add, edit and delete routers (RouterOS API or
// REST), OLTs and radios/other SNMP devices (v2 API, network:write).
// Secrets (router password, SNMP community and v3 passwords) are write-only:
// blank on an edit keeps them. After a router is saved the appliance polls it
// at once; the form waits for that first poll and says what it saw (identity
// and version, or the error). So for OLTs and radios: polled at once after a
// save, the form says what the poll saw (sysDescr and the profile detected,
// or the error).

import { t, word } from "./i18n.js";
import { h, call, clearErrors, field, select, guarded } from "./ui.js";

// Only what changed (a blank secret or blank optional field is left out on edit).
function changed(form, before, numeric, secrets) {
  const out = {};
  for (const el of form.querySelectorAll("input[name], select[name]")) {
    const name = el.name;
    let value = el.type === "checkbox" ? el.checked : el.value.trim();
    if (secrets.includes(name)) { if (value) out[name] = value; continue; }
    if (value === "" && el.type !== "checkbox") {
      if (before && before[name] !== null && before[name] !== undefined && before[name] !== "") out[name] = null;
      continue;
    }
    if (numeric.includes(name)) value = Number(value);
    if (!before || before[name] !== value) out[name] = value;
  }
  return out;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Waits up to `seconds` for the first poll of a router or device (`path`)
// after a save (`since`, the server's time of the save): seen up, or a
// failure recorded since.
async function firstPoll(path, since, seconds = 15) {
  const after = (ts) => Boolean(ts) && Date.parse(ts) >= since;
  for (let i = 0; i < seconds * 2; i += 1) {
    const r = (await call("GET", path)).data;
    if (after(r.last_seen_at) || (r.status !== "up" && r.last_error && after(r.status_since))) return r;
    await sleep(500);
  }
  return null;
}

export function routerSaw(r) {
  if (!r) return h("p", { class: "muted", id: "router-check", role: "status" }, t("network.first_poll_none"));
  if (r.status === "up") {
    return h("p", { class: "ok", id: "router-check", role: "status" },
      t(r.board ? "network.reached_on" : "network.reached", { name: r.name, identity: r.identity ?? "?", version: r.version ?? "?", board: r.board }));
  }
  return h("p", { class: "form-error", id: "router-check", role: "alert" }, t("network.not_reached", { name: r.name, error: r.last_error ?? word("status.", r.status) }));
}

// What the first poll of an OLT or radio saw.
function deviceSaw(d) {
  if (!d) return h("p", { class: "muted", id: "device-check", role: "status" }, t("network.device_first_poll_none"));
  if (d.status === "up") {
    return h("p", { class: "ok", id: "device-check", role: "status" },
      t("network.device_reached", { name: d.name, descr: d.sys_descr ?? "?", profile: d.detected_profile ?? d.profile ?? "?" }));
  }
  return h("p", { class: "form-error", id: "device-check", role: "alert" }, t("network.not_reached", { name: d.name, error: d.last_error ?? word("status.", d.status) }));
}

export function routerForm(r, done) {
  const v = (k, d = "") => r?.[k] ?? d;
  const form = h("form", { class: "card grid", id: "router-form" },
    h("h3", { class: "wide" }, r ? t("network.edit_named", { name: r.name }) : t("network.add_router")),
    h("div", {}, ...field(t("network.name"), "name", "text", { id: "router-name", required: !r, value: v("name") })),
    h("div", {}, ...field(t("network.router_host"), "host", "text", { id: "router-host", required: !r, value: v("host"), autocomplete: "off" })),
    h("div", {}, ...select(t("network.transport"), "transport", [["api", t("network.transport_api")], ["rest", t("network.transport_rest")]], { id: "router-transport" })),
    h("div", {}, ...field(t("network.router_port"), "port", "number", { id: "router-port", min: 1, max: 65535, value: v("port") })),
    h("div", {}, ...field(t("network.username"), "username", "text", { id: "router-username", required: !r, value: v("username"), autocomplete: "off" })),
    h("div", {}, ...field(r ? t("network.new_password") : t("network.password"), "password", "password", { id: "router-password", autocomplete: "new-password" })),
    h("div", {}, h("label", { class: "check" }, h("input", { type: "checkbox", name: "use_tls", id: "router-tls", checked: Boolean(v("use_tls", false)) }), ` ${t("network.use_tls")}`)),
    h("div", {}, h("label", { class: "check" }, h("input", { type: "checkbox", name: "tls_verify", id: "router-tls-verify", checked: Boolean(v("tls_verify", false)) }), ` ${t("network.tls_verify")}`)),
    h("p", { class: "wide" }, h("button", { type: "submit" }, r ? t("network.save_and_check") : t("network.add_and_check")), " ",
      h("button", { type: "button", onclick: () => form.remove() }, t("network.cancel"))),
    h("div", { class: "wide", id: "router-form-result" }));
  form.querySelector("#router-transport").value = v("transport", "api");
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    const body = changed(form, r, ["port"], ["password"]);
    if (r && !Object.keys(body).length) { form.querySelector("#router-form-result").replaceChildren(h("p", { class: "muted" }, t("network.nothing_changed"))); return; }
    const result = form.querySelector("#router-form-result");
    await guarded(form, async () => {
      const saved = (await call(r ? "PUT" : "POST", r ? `/api/v2/network/routers/${r.id}` : "/api/v2/network/routers", body)).data;
      result.replaceChildren(h("p", { class: "muted", role: "status" }, t("network.saved_checking", { name: saved.name })));
      await done();
      result.replaceChildren(routerSaw(await firstPoll(`/api/v2/network/routers/${saved.id}`, Date.parse(saved.updated_at))));
      await done();
    });
  });
  return form;
}

const SNMP_SECRETS = ["community", "v3_auth_password", "v3_priv_password"];

// An OLT (`kind` "olt", /network/olts) or a radio/device (/monitoring/devices).
export function deviceForm(kind, d, done) {
  const olt = kind === "olt";
  const path = olt ? "/api/v2/network/olts" : "/api/v2/monitoring/devices";
  const v = (k, x = "") => d?.[k] ?? x;
  const v3 = h("fieldset", { class: "wide", id: "device-v3" }, h("legend", {}, t("network.snmp_v3")),
    ...field(t("network.v3_user"), "v3_user", "text", { id: "device-v3-user", value: v("v3_user"), autocomplete: "off" }),
    ...select(t("network.v3_auth"), "v3_auth_protocol", ["sha", "sha256", "sha512", "md5"].map((p) => [p, p]), { id: "device-v3-auth" }),
    ...field(d ? t("network.v3_auth_password_keep") : t("network.v3_auth_password"), "v3_auth_password", "password", { id: "device-v3-auth-password", autocomplete: "new-password" }),
    ...select(t("network.v3_priv"), "v3_priv_protocol", ["aes", "aes256", "des"].map((p) => [p, p]), { id: "device-v3-priv" }),
    ...field(d ? t("network.v3_priv_password_keep") : t("network.v3_priv_password"), "v3_priv_password", "password", { id: "device-v3-priv-password", autocomplete: "new-password" }));
  const v2 = h("div", { id: "device-v2" }, ...field(d ? t("network.community_keep") : t("network.community"), "community", "password", { id: "device-community", autocomplete: "off" }));
  const form = h("form", { class: "card grid", id: "device-form" },
    h("h3", { class: "wide" }, d ? t("network.edit_named", { name: d.name }) : olt ? t("network.add_olt") : t("network.add_device")),
    olt ? "" : h("div", {}, ...select(t("network.kind"), "kind", [["radio", t("network.option_kind_radio")], ["device", t("network.option_kind_device")]], { id: "device-kind" })),
    h("div", {}, ...field(t("network.name"), "name", "text", { id: "device-name", required: !d, value: v("name") })),
    h("div", {}, ...field(t("network.address"), "host", "text", { id: "device-host", required: !d, value: v("host"), autocomplete: "off" })),
    h("div", {}, ...field(t("network.snmp_port"), "port", "number", { id: "device-port", min: 1, max: 65535, value: v("port", 161) })),
    h("div", {}, ...field(t("network.profile"), "profile", "text", { id: "device-profile", value: v("profile", "auto"), autocomplete: "off" })),
    h("div", {}, ...select(t("network.snmp_version"), "snmp_version", [["v2c", "v2c"], ["v3", "v3"]], { id: "device-snmp-version" })),
    v2, v3,
    h("p", { class: "wide" }, h("button", { type: "submit" }, d ? t("network.save") : t("network.add")), " ",
      h("button", { type: "button", onclick: () => form.remove() }, t("network.cancel"))),
    h("div", { class: "wide", id: "device-form-result", role: "status" }));
  const version = form.querySelector("#device-snmp-version");
  version.value = v("snmp_version", "v2c");
  if (!olt) form.querySelector("#device-kind").value = v("kind", "radio");
  if (d) {
    form.querySelector("#device-v3-auth").value = v("v3_auth_protocol", "sha");
    form.querySelector("#device-v3-priv").value = v("v3_priv_protocol", "aes");
  }
  const showVersion = () => { v3.hidden = version.value !== "v3"; v2.hidden = version.value === "v3"; };
  version.addEventListener("change", showVersion);
  showVersion();
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    // The other version's fields are not sent.
    const skip = version.value === "v3" ? ["community"] : ["v3_user", "v3_auth_protocol", "v3_auth_password", "v3_priv_protocol", "v3_priv_password"];
    const body = changed(form, d, ["port"], SNMP_SECRETS);
    for (const k of skip) delete body[k];
    if (d && !Object.keys(body).length) { form.querySelector("#device-form-result").textContent = t("network.nothing_changed"); return; }
    await guarded(form, async () => {
      const saved = (await call(d ? "PUT" : "POST", d ? `${path}/${d.id}` : path, body)).data;
      const result = form.querySelector("#device-form-result");
      result.replaceChildren(h("p", { class: "muted" }, t("network.saved_checking", { name: saved.name })));
      await done();
      result.replaceChildren(deviceSaw(await firstPoll(`${path}/${saved.id}`, Date.parse(saved.updated_at))));
      await done();
    });
  });
  return form;
}

// Deletes after a confirmation; an error (a router customers are on) shows in `where`.
export async function removeItem(where, path, name, done) {
  if (!window.confirm(t("network.delete_confirm", { name }))) return;
  await guarded(where, async () => {
    await call("DELETE", path);
    await done();
  });
}
