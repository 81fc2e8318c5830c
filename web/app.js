// The ISPBills admin panel: plain ES modules, no build step. First-run setup,
// login, and the screens, routed by the URL's #fragment. The panel's own
// endpoints live under /admin/api; everything else is the public API, called
// with the session cookie and its X-CSRF-Token.

import { t, lang, setLang, applyStatic } from "./js/i18n.js";
import { h, call, setCsrf, showErrors, clearErrors, guarded, field, formData, setOffset, zoneName } from "./js/ui.js";
import { setUser, setIsp, can, user as currentUser } from "./js/session.js";
import { dashboardView } from "./js/dashboard.js";
import { customersView, customerView } from "./js/customers.js";
import { packagesView } from "./js/packages.js";
import { operatorsView } from "./js/operators.js";
import { networkView } from "./js/network.js";
import { integrationViews } from "./js/integrations.js";
import { staffView } from "./js/staff.js";
import { billingView } from "./js/billing.js";
import { smsView } from "./js/sms.js";
import { complaintsView } from "./js/complaints.js";
import { logsView } from "./js/logs.js";
import { accountView, twoFactorView } from "./js/two-factor.js";

const app = document.getElementById("app");
const who = document.getElementById("who");

function setupPage() {
  const form = h("form", { class: "card narrow", id: "setup-form" },
    h("h2", {}, t("setup.title")),
    h("p", {}, t("setup.intro_before"),
      h("code", {}, "journalctl -u ispbills"), t("setup.intro_or"), h("code", {}, "ispbills admin setup-code"),
      t("setup.intro_after")),
    ...field(t("setup.code"), "setup_code", "text", { autocomplete: "off", required: true }),
    ...field(t("setup.name"), "name", "text", { required: true }),
    ...field(t("login.email"), "email", "email", { autocomplete: "username", required: true }),
    ...field(t("setup.password"), "password", "password", { autocomplete: "new-password", required: true }),
    h("p", {}, h("button", { type: "submit" }, t("setup.create"))));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try { enter(await call("POST", "/admin/api/setup", formData(form))); } catch (err) { showErrors(form, err); }
  });
  who.replaceChildren(langButton());
  app.replaceChildren(form);
}

function loginPage() {
  const submit = h("p", {}, h("button", { type: "submit" }, t("login.submit")));
  const form = h("form", { class: "card narrow", id: "login-form" },
    h("h2", {}, t("login.title")),
    ...field(t("login.email"), "email", "email", { autocomplete: "username", required: true }),
    ...field(t("login.password"), "password", "password", { autocomplete: "current-password", required: true }),
    submit);
  // An account with two-factor login is asked for its code after the password.
  const askCode = () => {
    if (form.querySelector("#otp")) return;
    submit.before(h("p", { class: "hint", id: "otp-hint" }, t("login.otp_hint")),
      ...field(t("login.otp"), "otp", "text", { inputmode: "numeric", autocomplete: "one-time-code", "aria-describedby": "otp-hint" }));
  };
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try { enter(await call("POST", "/admin/api/session", formData(form))); } catch (err) {
      if (err.code === "OTP_REQUIRED" || err.code === "OTP_INVALID") askCode();
      // The hint above the code field says what is wanted.
      if (err.code === "OTP_REQUIRED") {
        clearErrors(form);
        form.querySelector("#otp").focus();
      } else showErrors(form, err);
    }
  });
  who.replaceChildren(langButton());
  app.replaceChildren(form);
}

// The sections of the top menu: [hash, label, shown when].
const SECTIONS = [
  ["#/dashboard", "nav.dashboard", () => can("dashboard:read")],
  ["#/customers", "nav.customers", () => can("customers:read")],
  ["#/packages", "nav.packages", () => can("customers:read")],
  ["#/operators", "nav.operators", () => can("operators:read")],
  ["#/network", "nav.network", () => can("network:read")],
  ["#/billing", "nav.billing", () => can("billing:read")],
  ["#/complaints", "nav.complaints", () => can("customers:read")],
  ["#/sms", "nav.sms", () => can("sms:read")],
  ["#/logs", "nav.logs", () => can("logs:read")],
  ["#/integrations", "nav.integrations", () => currentUser()?.role === "admin"],
  ["#/staff", "nav.staff", () => can("staff:manage")],
];

// The tabs of Integrations: [tab, label key, view].
const INTEGRATION_TABS = {
  clients: ["integrations.tab_clients", "API clients"],
  webhooks: ["integrations.tab_webhooks", "Webhooks"],
  "request-log": ["integrations.tab_request_log", "API request log"],
};

function integrations(content, tab) {
  const name = INTEGRATION_TABS[tab] ? tab : "clients";
  const inner = h("div", { id: "content-inner" });
  content.replaceChildren(h("h2", {}, t("integrations.title")),
    h("nav", { class: "tabs", "aria-label": t("integrations.tabs") }, Object.entries(INTEGRATION_TABS).map(([key, [label]]) =>
      h("a", { href: `#/integrations/${key}`, class: "tab", "aria-current": key === name ? "page" : "false" }, t(label)))),
    inner);
  return integrationViews[INTEGRATION_TABS[name][1]](inner);
}

function route(content, menu) {
  const [, section = "dashboard", arg] = location.hash.split("/");
  menu.querySelectorAll("a").forEach((a) => a.setAttribute("aria-current", a.getAttribute("href") === `#/${section}` ? "page" : "false"));
  // On a phone the menu folds away again once a section is chosen.
  menu.classList.remove("open");
  document.getElementById("menu-toggle")?.setAttribute("aria-expanded", "false");
  const views = {
    dashboard: () => dashboardView(content),
    customers: () => (arg ? customerView(content, Number(arg)) : customersView(content)),
    packages: () => packagesView(content),
    operators: () => operatorsView(content),
    network: () => networkView(content),
    billing: () => billingView(content, arg),
    integrations: () => integrations(content, arg),
    staff: () => staffView(content),
    complaints: () => complaintsView(content),
    sms: () => smsView(content),
    logs: () => logsView(content, arg),
    account: () => accountView(content),
  };
  window.scrollTo(0, 0);
  return (views[section] || views.dashboard)();
}

function logoutButton() {
  return h("button", { id: "logout", onclick: async () => {
    await call("DELETE", "/admin/api/session");
    setUser(null);
    who.replaceChildren();
    window.onhashchange = null;
    loginPage();
  } }, t("header.logout"));
}

// A user whose role must use two-factor login sets it up before anything else.
function setupTwoFactorPage(session) {
  setCsrf(session.csrf_token);
  who.replaceChildren(`${session.user.name} `, langButton(), " ", logoutButton());
  const box = h("div", {});
  app.replaceChildren(h("div", { class: "narrow" }, h("h2", {}, t("twofa.forced_title")),
    h("p", {}, t("twofa.forced_intro")), box));
  twoFactorView(box, () => guarded(box, async () => enter(await call("GET", "/admin/api/session"))));
}

function enter(session) {
  if (session.two_factor_setup_required) return setupTwoFactorPage(session);
  setCsrf(session.csrf_token);
  setUser(session.user);
  setIsp(session.isp);
  setOffset(session.isp?.utc_offset);
  const user = session.user;
  who.replaceChildren(h("span", { id: "zone", title: t("header.zone_title") }, t("header.zone", { zone: zoneName() })), " · ",
    h("a", { href: "#/account", id: "account-link", title: t("header.account_title") }, `${user.name} (${t(`role.${user.role}`)})`), " ",
    langButton(), " ", logoutButton());
  const menu = h("nav", { class: "menu", id: "menu", "aria-label": t("nav.label") },
    SECTIONS.filter(([, , shown]) => shown()).map(([href, label]) => h("a", { href }, t(label))));
  // Shown only on a narrow screen, where the menu is folded away.
  const toggle = h("button", { type: "button", id: "menu-toggle", "aria-controls": "menu", "aria-expanded": "false", onclick: () => {
    const open = menu.classList.toggle("open");
    toggle.setAttribute("aria-expanded", String(open));
  } }, t("nav.menu"));
  const content = h("div", { id: "content" });
  app.replaceChildren(toggle, menu, content);
  window.onhashchange = () => route(content, menu);
  if (!location.hash || location.hash === "#/") location.hash = user.role === "support" ? "#/customers" : "#/dashboard";
  else route(content, menu);
}

// The language switch: names the other language in that language.
function langButton() {
  const other = lang() === "en" ? "bn" : "en";
  return h("button", { type: "button", id: "lang-switch", lang: other, "aria-label": t("header.switch_label"),
    onclick: () => setLang(other) }, t("header.switch_to"));
}

async function start() {
  applyStatic();
  try {
    const s = await call("GET", "/admin/api/setup");
    if (s.setup_required) return setupPage();
    enter(await call("GET", "/admin/api/session"));
  } catch (err) {
    if (err.status === 401) loginPage();
    else app.replaceChildren(h("p", { class: "form-error" }, err.message));
  }
}

start();
