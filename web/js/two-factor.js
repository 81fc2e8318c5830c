// The logged-in user's two-factor login: its state, setting it up (scan the
// QR code or type the key, then confirm with a first code), the recovery
// codes (shown once), new codes and turning it off. A user whose role must
// use it sees only this until it is on.

import { t } from "./i18n.js";
import { h, call, showErrors, field, formData, guarded } from "./ui.js";

const BASE = "/admin/api/session/two-factor";

// The ten recovery codes, once, with a way to keep them.
function recoveryList(codes, done) {
  const text = codes.join("\n");
  return h("section", { class: "card", id: "two-factor-codes" },
    h("h3", {}, t("twofa.codes_title")),
    h("p", {}, t("twofa.codes_intro")),
    h("ol", { class: "recovery-codes" }, codes.map((c) => h("li", {}, h("code", {}, c)))),
    h("p", {},
      h("button", { type: "button", onclick: () => navigator.clipboard?.writeText(text) }, t("twofa.copy")), " ",
      h("button", { type: "button", id: "two-factor-done", onclick: done }, t("twofa.codes_kept"))));
}

// A form asking for a current code, posting it to `path`.
function codeForm(id, label, path, then) {
  const form = h("form", { id },
    ...field(t("twofa.code"), "code", "text", { id: `${id}-code`, inputmode: "numeric", autocomplete: "one-time-code", required: true }),
    h("p", {}, h("button", { type: "submit" }, label)));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try { await then(await call("POST", path, formData(form))); } catch (err) { showErrors(form, err); }
  });
  return form;
}

// Setting it up: the QR code and key, then the first code.
async function setupCard(box, done) {
  const s = await call("POST", `${BASE}/setup`);
  const qr = h("img", { id: "two-factor-qr", width: "200", height: "200", alt: t("twofa.qr_alt"),
    src: `data:image/svg+xml;base64,${btoa(s.qr_svg)}` });
  box.replaceChildren(h("section", { class: "card", id: "two-factor-setup" },
    h("h3", {}, t("twofa.setup_title")),
    h("ol", {},
      h("li", {}, t("twofa.step_app")),
      h("li", {}, t("twofa.step_scan"), h("div", {}, qr),
        h("p", {}, t("twofa.step_key"), " ", h("code", { id: "two-factor-key" }, s.manual_key.replace(/(.{4})/g, "$1 ").trim()))),
      h("li", {}, t("twofa.step_confirm"))),
    codeForm("two-factor-confirm", t("twofa.confirm"), `${BASE}/confirm`, (r) => {
      box.replaceChildren(recoveryList(r.recovery_codes, done));
    })));
}

// The user's two-factor login, in `box`; `done` runs once it is set up and
// the codes are kept (the forced page enters the panel then).
export async function twoFactorView(box, done) {
  const status = await guarded(box, () => call("GET", BASE));
  if (!status) return;
  const refresh = () => twoFactorView(box, done);
  if (!status.enabled) {
    box.replaceChildren(h("section", { class: "card", id: "two-factor" },
      h("h3", {}, t("twofa.title")),
      h("p", { id: "two-factor-state" }, status.required ? t("twofa.required") : t("twofa.off")),
      h("p", {}, h("button", { type: "button", id: "two-factor-start",
        onclick: () => guarded(box, () => setupCard(box, done || refresh)) }, t("twofa.start")))));
    return;
  }
  const renew = codeForm("two-factor-renew", t("twofa.renew"), `${BASE}/recovery-codes`, (r) => {
    box.replaceChildren(recoveryList(r.recovery_codes, refresh));
  });
  const parts = [
    h("h3", {}, t("twofa.title")),
    h("p", { id: "two-factor-state" }, t("twofa.on", { left: status.recovery_codes_left })),
    h("h4", {}, t("twofa.renew_title")), renew,
  ];
  if (!status.required) {
    parts.push(h("h4", {}, t("twofa.disable_title")),
      codeForm("two-factor-disable", t("twofa.disable"), `${BASE}/disable`, refresh));
  }
  box.replaceChildren(h("section", { class: "card", id: "two-factor" }, ...parts));
}

// The account screen: the two-factor section.
export function accountView(content) {
  const box = h("div", {});
  content.replaceChildren(h("h2", {}, t("twofa.account_title")), box);
  return twoFactorView(box);
}
