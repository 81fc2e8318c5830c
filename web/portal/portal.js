// The customer portal (/portal/): log in with username and password or with
// a code by SMS, then the account: home (status, package, what is due),
// bills (pay each with bKash or SSLCommerz, or say the money was sent by
// Send Money: #/sent, #/sent/<bill>), payments and receipts (and online
// payments with their state), printable invoices, usage, complaints, the
// portal password. Views are routed by the #fragment.
import { api, h, tokens, whenUnauthorized, explain, field, formError, notice, busy } from "./api.js";
import { t, langSwitch, money, date, speed, word, digits } from "./i18n.js";
import { payButtons, payOptions, choices } from "./pay.js";
import { sendMoneyMethods } from "./sendmoney.js";
import { billsView, paymentsView, invoicesView, usageView, complaintsView, passwordView, sentView } from "./sections.js";
import { invoiceView, receiptView } from "./printable.js";

const app = document.getElementById("app");
const nav = document.getElementById("nav");
const logout = document.getElementById("logout");
let loginNotice = null; // a message for the next login screen
let loginTab = "password";

const VIEWS = [
  ["home", "nav_home"], ["bills", "nav_bills"], ["payments", "nav_payments"], ["invoices", "nav_invoices"],
  ["usage", "nav_usage"], ["complaints", "nav_complaints"], ["password", "nav_password"],
];

function show(view, ...children) {
  app.dataset.view = view;
  app.replaceChildren(...children.filter((c) => c !== null && c !== undefined && c !== false));
}

// ---- Login ----

function loginPage() {
  nav.hidden = true;
  logout.hidden = true;
  const tabs = h("div", { class: "tabs", role: "tablist" },
    ...[["password", "tab_password"], ["otp", "tab_otp"]].map(([key, label]) =>
      h("button", { type: "button", role: "tab", id: `tab-${key}`, "aria-selected": String(loginTab === key),
        class: loginTab === key ? "tab active" : "tab",
        onclick: () => { loginTab = key; loginPage(); } }, t(label))));
  const body = loginTab === "password" ? passwordLogin() : otpLogin();
  const message = loginNotice ? notice("info", loginNotice, { id: "login-notice" }) : null;
  show("login", h("section", { class: "card narrow", id: "login-view" },
    h("h1", {}, t("login_title")), message, tabs, body));
  document.title = t("login_title");
}

function enter(answer) {
  tokens.setFull(answer.access_token);
  loginNotice = null;
  route();
}

function passwordLogin() {
  const form = h("form", { id: "login-form", autocomplete: "on" },
    ...field(t("username"), "username", "text", { autocomplete: "username", required: true, autocapitalize: "none", spellcheck: "false" }),
    ...field(t("password"), "password", "password", { autocomplete: "current-password", required: true }),
    h("button", { type: "submit", class: "primary" }, t("login_button")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { username: form.username.value.trim(), password: form.password.value };
    await busy(form.querySelector("button[type=submit]"), async () => {
      try { enter(await api("POST", "/api/v2/me/login", { body })); } catch (err) { formError(form, explain(err, { 401: "err_login" })); }
    });
  });
  return form;
}

function otpLogin(phone = "", accounts = null) {
  const wrap = h("div", { id: "otp-login" });
  const ask = h("form", { id: "otp-form" },
    ...field(t("phone"), "phone", "tel", { autocomplete: "tel", inputmode: "tel", required: true, value: phone, placeholder: "01XXXXXXXXX" }),
    h("button", { type: "submit", class: "primary", id: "send-code" }, t("send_code")));
  ask.addEventListener("submit", async (e) => {
    e.preventDefault();
    const number = ask.phone.value.trim();
    await busy(ask.querySelector("button"), async () => {
      try {
        await api("POST", "/api/v2/me/otp", { body: { phone: number } });
        wrap.replaceChildren(codeForm(number, accounts, wrap));
      } catch (err) { formError(ask, err.status === 422 ? t("err_phone") : explain(err)); }
    });
  });
  wrap.append(ask);
  return wrap;
}

function codeForm(phone, accounts, wrap) {
  const choose = accounts?.length
    ? h("fieldset", { id: "accounts" }, h("legend", {}, t("several_accounts")),
      ...accounts.map((name, i) => h("label", { class: "choice" },
        h("input", { type: "radio", name: "username", value: name, checked: i === 0 }), ` ${name}`)))
    : null;
  const form = h("form", { id: "otp-verify-form" },
    notice("info", t("code_sent", { phone: digits(phone) })),
    ...field(t("code"), "code", "text", { inputmode: "numeric", autocomplete: "one-time-code", pattern: "[0-9]{6}", maxlength: 6, required: true }),
    choose,
    h("button", { type: "submit", class: "primary", id: "verify-code" }, t("verify_code")),
    h("button", { type: "button", class: "link", id: "other-number", onclick: () => wrap.replaceChildren(otpLogin(phone)) }, t("other_number")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { phone, code: form.code.value.trim() };
    const picked = form.querySelector("input[name=username]:checked");
    if (picked) body.username = picked.value;
    await busy(form.querySelector("button[type=submit]"), async () => {
      try { enter(await api("POST", "/api/v2/me/otp/verify", { body })); } catch (err) {
        const several = err.status === 422 && err.details?.username;
        if (several && !choose) {
          // "This number has several accounts (a, b); ..." — the names to choose from.
          const names = /\(([^)]*)\)/.exec(String(err.details.username))?.[1]?.split(",").map((s) => s.trim()).filter(Boolean);
          const again = codeForm(phone, names?.length ? names : [], wrap);
          again.code.value = body.code;
          wrap.replaceChildren(again);
          return;
        }
        formError(form, explain(err, { 401: "err_code" }));
      }
    });
  });
  return form;
}

// ---- The account ----

function layout(view) {
  nav.hidden = false;
  logout.hidden = false;
  nav.replaceChildren(...VIEWS.map(([key, label]) =>
    h("a", { href: `#/${key === "home" ? "" : key}`, "data-view": key, class: key === view ? "active" : "",
      "aria-current": key === view ? "page" : false }, t(label))));
}

async function homeView(token) {
  const [me, offer] = await Promise.all([api("GET", "/api/v2/me", { token }).then((a) => a.data), payOptions()]);
  const status = h("span", { class: `badge ${me.status}`, id: "me-status", "data-status": me.status }, word("status_", me.status));
  const payBox = h("div", { id: "pay-status" });
  const amount = money(me.due);
  const sent = offer.sendMoney.length
    ? h("a", { href: "#/sent", class: "button secondary sent-money", id: "sent-money-link", "data-testid": "sent-money-link" },
      t("sent_money_button", { methods: sendMoneyMethods(offer.sendMoney) }))
    : null;
  const payAll = me.due > 0
    ? choices(payButtons(offer, { token: tokens.full, status: payBox,
      bkash: [t("pay_amount", { amount }), { id: "pay-due", "data-testid": "pay-due" }],
      card: [t("pay_card_amount", { amount }), { id: "pay-due-card", "data-testid": "pay-due-card" }] }), sent)
    : null;
  const banner = me.status === "suspended" || me.status === "expired"
    ? h("section", { class: "banner danger", id: "suspended-banner", role: "alert" },
      h("strong", {}, t(me.status === "suspended" ? "suspended_banner" : "expired_banner")),
      me.due > 0 ? h("p", {}, t("suspended_hint")) : null,
      me.due > 0 ? choices(payButtons(offer, { token: tokens.full, status: payBox, quiet: true,
        bkash: [t("pay_now"), { id: "banner-pay", "data-testid": "banner-pay" }],
        card: [t("pay_card"), { id: "banner-pay-card", "data-testid": "banner-pay-card" }] })) : null)
    : null;
  const pkg = me.package;
  const row = (label, value, attrs = {}) => [h("dt", {}, label), h("dd", attrs, value)];
  const info = h("dl", { class: "facts", id: "me-facts" },
    ...row(t("connection"), status),
    ...row(t("package"), pkg
      ? [h("strong", {}, pkg.name), h("br"), t("speed", { down: speed(pkg.speed_down_kbps), up: speed(pkg.speed_up_kbps) }), h("br"),
        pkg.billing_cycle === "monthly" ? t("price_monthly", { price: money(pkg.price, pkg.currency) })
          : t("price_days", { price: money(pkg.price, pkg.currency), days: digits(pkg.validity_days) })]
      : t("no_package"), { id: "me-package" }),
    ...row(t("due"), money(me.due), { id: "me-due", "data-amount": String(me.due), class: me.due > 0 ? "owed" : "" }),
    ...(me.open_bills > 0 ? row(t("open_bills"), digits(me.open_bills), { id: "me-open-bills" }) : []),
    ...(me.expires_at ? row(t("expires"), date(me.expires_at), { id: "me-expires" }) : []),
    ...row(t("balance"), money(me.balance), { id: "me-balance", "data-amount": String(me.balance) }),
    ...(me.username ? row(t("username_label"), me.username) : []));
  show("home",
    h("h1", { id: "me-name" }, t("hello", { name: me.name })),
    banner,
    h("section", { class: "card" }, info,
      me.due > 0 ? payAll : notice("ok", t("nothing_due"), { id: "nothing-due" }),
      payBox));
  document.title = `${me.name} — ${t("app_name")}`;
}

const ROUTES = {
  "": homeView,
  bills: billsView,
  payments: paymentsView,
  invoices: invoicesView,
  usage: usageView,
  complaints: complaintsView,
  password: passwordView,
};

async function route() {
  const token = tokens.full();
  if (!token) return loginPage();
  const [, name = "", id = ""] = /^#\/?([a-z]*)\/?(\d*)/.exec(location.hash) ?? [];
  const view = name === "invoice" ? "invoices" : name === "receipt" ? "payments"
    : name === "sent" ? (id ? "bills" : "home") : name || "home";
  layout(view);
  show(`${view}-loading`, h("p", { class: "muted" }, t("loading")));
  const ctx = { token, show, refresh: route };
  try {
    if (name === "invoice" && id) await invoiceView(ctx, Number(id));
    else if (name === "receipt" && id) await receiptView(ctx, Number(id));
    else if (name === "sent") await sentView(ctx.token, ctx, id ? Number(id) : null);
    else await (ROUTES[name] ?? homeView)(ctx.token, ctx);
  } catch (err) {
    if (err.status === 401) return undefined; // back to the login already
    show("error", notice("error", explain(err, { 404: "not_found" }), { id: "view-error" }));
  }
  return undefined;
}

whenUnauthorized(() => {
  tokens.clearFull();
  loginNotice = t("session_expired");
  loginPage();
});

logout.addEventListener("click", () => {
  // The token stops working on the server too; forgotten here either way.
  const token = tokens.full();
  if (token) api("POST", "/api/v2/me/logout", { token }).catch(() => {});
  tokens.clearFull();
  loginNotice = null;
  history.replaceState(null, "", "/portal/");
  loginPage();
});

window.addEventListener("hashchange", route);
langSwitch(route);
route();
