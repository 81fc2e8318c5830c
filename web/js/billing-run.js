// Billing → Today's run: what the day's run would bill, renew and suspend if
// it ran now (GET /api/v2/billing/run/preview, nothing written), and "Run
// now" (POST /api/v2/billing/run, billing:write) with what it did. The run is
// the ISP's own: a reseller's staff do not see this tab (the API refuses it).

import { h, call, table, money, guarded } from "./ui.js";
import { can } from "./session.js";
import { t, num, digits } from "./i18n.js";
import { customerLink } from "./billing-payments.js";
import { runReason } from "./audit.js";

// "Showing the first 200 of 1,234" when a list was cut.
const more = (shown, total) => (total > shown ? h("p", { class: "muted" }, t("billing.run_first_of", { shown: num(shown), total: num(total) })) : "");

function previewOf(p) {
  const amounts = p.bills_amount.map((a) => money(a.amount, a.currency)).join(", ") || money(0);
  return h("div", { id: "billing-run-preview" },
    h("p", { id: "billing-run-summary" }, t("billing.run_summary", {
      date: digits(p.date), bills: num(p.bills_total), amount: amounts,
      renewals: num(p.renewals_total), suspensions: num(p.suspensions_total),
    })),
    h("h3", {}, t("billing.run_bills", { due: digits(p.due_date) })),
    table("run-bills", [t("billing.col_customer"), t("customers.package"), t("billing.col_amount")],
      p.bills.map((b) => h("tr", {}, h("td", {}, customerLink(b.customer_id, b.customer_name)), h("td", {}, b.package_name),
        h("td", { class: "num nowrap" }, money(b.amount, b.currency)))), t("billing.run_no_bills")),
    more(p.bills.length, p.bills_total),
    h("h3", {}, t("billing.run_renewals")),
    table("run-renewals", [t("billing.col_customer"), t("customers.package"), t("billing.run_col_period_price")],
      p.renewals.map((r) => h("tr", {}, h("td", {}, customerLink(r.customer_id, r.customer_name)), h("td", {}, r.package_name),
        h("td", { class: "num nowrap" }, money(r.amount)))), t("billing.run_no_renewals")),
    more(p.renewals.length, p.renewals_total),
    h("h3", {}, t("billing.run_suspensions")),
    table("run-suspensions", [t("billing.col_customer"), t("billing.run_col_reason")],
      p.suspensions.map((s) => h("tr", {}, h("td", {}, customerLink(s.customer_id, s.customer_name)),
        h("td", {}, runReason(s.bill_id, s.overdue_since)))),
      t("billing.run_no_suspensions")),
    more(p.suspensions.length, p.suspensions_total));
}

export async function billingRunView(content) {
  const out = h("div", { id: "billing-run-out" }, h("p", { class: "muted" }, t("ui.loading")));
  const result = h("div", { id: "billing-run-result", role: "status" });
  const load = () => guarded(out, async () => {
    out.replaceChildren(previewOf((await call("GET", "/api/v2/billing/run/preview")).data));
  });
  const runButton = can("billing:write") ? h("button", { type: "button", id: "billing-run-now", onclick: async (e) => {
    if (!window.confirm(t("billing.run_confirm"))) return;
    e.target.disabled = true;
    await guarded(result, async () => {
      const r = (await call("POST", "/api/v2/billing/run")).data;
      result.replaceChildren(h("p", { class: "ok" }, t("billing.run_done", {
        date: digits(r.date), bills: num(r.bills_created), suspended: num(r.customers_suspended),
      })));
    });
    e.target.disabled = false;
    await load();
  } }, t("billing.run_now")) : "";
  content.replaceChildren(
    h("p", {}, t("billing.run_intro"), " ", h("a", { href: "#/logs/auto-suspension" }, t("billing.run_log_link"))),
    h("p", {}, h("button", { type: "button", id: "billing-run-refresh", onclick: load }, t("billing.run_preview_again")), " ", runButton),
    result, out);
  await load();
}
