// Network inventory forms: add, edit and delete routers (RouterOS API or
// REST), OLTs and radios/other SNMP devices (v2 API, network:write).
// Secrets (router password, SNMP community and v3 passwords) are write-only:
// blank on an edit keeps them. After a router is saved the appliance polls it
// at once; the form waits for that first poll and says what it saw (identity
// and version, or the error). SNMP devices are polled every
// [monitoring] poll_interval_secs; their row shows what the last poll saw.

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

// Waits up to `seconds` for a router's first poll after a save (`since`, the
// server's time of the save): seen up, or a failure recorded since.
async function firstPoll(id, since, seconds = 15) {
  const after = (ts) => Boolean(ts) && Date.parse(ts) >= since;
  for (let i = 0; i < seconds * 2; i += 1) {
    const r = (await call("GET", `/api/v2/network/routers/${id}`)).data;
    if (after(r.last_seen_at) || (r.status !== "up" && r.last_error && after(r.status_since))) return r;
    await sleep(500);
  }
  return null;
}

export function routerSaw(r) {
  if (!r) return h("p", { class: "muted", id: "router-check", role: "status" }, "No answer from the first poll yet: the row below shows the router's state once it is polled.");
  if (r.status === "up") {
    return h("p", { class: "ok", id: "router-check", role: "status" },
      `Reached ${r.name}: identity ${r.identity ?? "?"}, RouterOS ${r.version ?? "?"}${r.board ? ` on ${r.board}` : ""}.`);
  }
  return h("p", { class: "form-error", id: "router-check", role: "alert" }, `Could not reach ${r.name}: ${r.last_error ?? r.status}.`);
}

export function routerForm(r, done) {
  const v = (k, d = "") => r?.[k] ?? d;
  const form = h("form", { class: "card grid", id: "router-form" },
    h("h3", { class: "wide" }, r ? `Edit ${r.name}` : "Add a router"),
    h("div", {}, ...field("Name", "name", "text", { id: "router-name", required: !r, value: v("name") })),
    h("div", {}, ...field("Address (IP or host name on the LAN)", "host", "text", { id: "router-host", required: !r, value: v("host"), autocomplete: "off" })),
    h("div", {}, ...select("Speaks", "transport", [["api", "RouterOS API (8728 / 8729 TLS)"], ["rest", "REST (RouterOS 7, HTTP/HTTPS)"]], { id: "router-transport" })),
    h("div", {}, ...field("Port (blank: the transport's default)", "port", "number", { id: "router-port", min: 1, max: 65535, value: v("port") })),
    h("div", {}, ...field("Username", "username", "text", { id: "router-username", required: !r, value: v("username"), autocomplete: "off" })),
    h("div", {}, ...field(r ? "New password (blank: unchanged)" : "Password", "password", "password", { id: "router-password", autocomplete: "new-password" })),
    h("div", {}, h("label", { class: "check" }, h("input", { type: "checkbox", name: "use_tls", id: "router-tls", checked: Boolean(v("use_tls", false)) }), " Use TLS")),
    h("div", {}, h("label", { class: "check" }, h("input", { type: "checkbox", name: "tls_verify", id: "router-tls-verify", checked: Boolean(v("tls_verify", false)) }), " Check the router's certificate")),
    h("p", { class: "wide" }, h("button", { type: "submit" }, r ? "Save and check" : "Add and check"), " ",
      h("button", { type: "button", onclick: () => form.remove() }, "Cancel")),
    h("div", { class: "wide", id: "router-form-result" }));
  form.querySelector("#router-transport").value = v("transport", "api");
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    const body = changed(form, r, ["port"], ["password"]);
    if (r && !Object.keys(body).length) { form.querySelector("#router-form-result").replaceChildren(h("p", { class: "muted" }, "Nothing changed.")); return; }
    const result = form.querySelector("#router-form-result");
    await guarded(form, async () => {
      const saved = (await call(r ? "PUT" : "POST", r ? `/api/v2/network/routers/${r.id}` : "/api/v2/network/routers", body)).data;
      result.replaceChildren(h("p", { class: "muted", role: "status" }, `Saved. Checking ${saved.name}…`));
      await done();
      result.replaceChildren(routerSaw(await firstPoll(saved.id, Date.parse(saved.updated_at))));
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
  const v3 = h("fieldset", { class: "wide", id: "device-v3" }, h("legend", {}, "SNMP v3"),
    ...field("User", "v3_user", "text", { id: "device-v3-user", value: v("v3_user"), autocomplete: "off" }),
    ...select("Authentication", "v3_auth_protocol", ["sha", "sha256", "sha512", "md5"].map((p) => [p, p]), { id: "device-v3-auth" }),
    ...field(d ? "Authentication password (blank: unchanged)" : "Authentication password", "v3_auth_password", "password", { id: "device-v3-auth-password", autocomplete: "new-password" }),
    ...select("Privacy", "v3_priv_protocol", ["aes", "aes256", "des"].map((p) => [p, p]), { id: "device-v3-priv" }),
    ...field(d ? "Privacy password (blank: unchanged)" : "Privacy password", "v3_priv_password", "password", { id: "device-v3-priv-password", autocomplete: "new-password" }));
  const v2 = h("div", { id: "device-v2" }, ...field(d ? "Community (blank: unchanged)" : "Community", "community", "password", { id: "device-community", autocomplete: "off" }));
  const form = h("form", { class: "card grid", id: "device-form" },
    h("h3", { class: "wide" }, d ? `Edit ${d.name}` : olt ? "Add an OLT" : "Add a radio or device"),
    olt ? "" : h("div", {}, ...select("Kind", "kind", [["radio", "radio (Ubiquiti, Cambium…)"], ["device", "other SNMP device"]], { id: "device-kind" })),
    h("div", {}, ...field("Name", "name", "text", { id: "device-name", required: !d, value: v("name") })),
    h("div", {}, ...field("Address", "host", "text", { id: "device-host", required: !d, value: v("host"), autocomplete: "off" })),
    h("div", {}, ...field("SNMP port", "port", "number", { id: "device-port", min: 1, max: 65535, value: v("port", 161) })),
    h("div", {}, ...field("Profile (auto: detected from sysObjectID / sysDescr)", "profile", "text", { id: "device-profile", value: v("profile", "auto"), autocomplete: "off" })),
    h("div", {}, ...select("SNMP version", "snmp_version", [["v2c", "v2c"], ["v3", "v3"]], { id: "device-snmp-version" })),
    v2, v3,
    h("p", { class: "wide" }, h("button", { type: "submit" }, d ? "Save" : "Add"), " ",
      h("button", { type: "button", onclick: () => form.remove() }, "Cancel")),
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
    if (d && !Object.keys(body).length) { form.querySelector("#device-form-result").textContent = "Nothing changed."; return; }
    await guarded(form, async () => {
      const saved = (await call(d ? "PUT" : "POST", d ? `${path}/${d.id}` : path, body)).data;
      form.querySelector("#device-form-result").replaceChildren(h("p", { class: "ok" },
        `${saved.name} saved. It is polled within a minute; its row shows what the poll saw (sysDescr, the profile detected, or the error).`));
      await done();
    });
  });
  return form;
}

// Deletes after a confirmation; an error (a router customers are on) shows in `where`.
export async function removeItem(where, path, name, done) {
  if (!window.confirm(`Delete ${name} from the inventory?`)) return;
  await guarded(where, async () => {
    await call("DELETE", path);
    await done();
  });
}
