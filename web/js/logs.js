// Logs (logs:read): the routers' logs (system, PPP logins, hotspot), the
// device access log (every login the appliance made to a router, OLT or
// radio), the auto-suspension log and the audit trail, each with its filters, paged, and
// exported as CSV (every matching row, up to 10,000, in the ISP's local time).
// The API request log is under Integrations.

import { h, call, field, select, formBody, table, when, badge, pager, guarded, downloadCsv, localToday, allPages } from "./ui.js";
import { can } from "./session.js";
import { t, word, num, digits } from "./i18n.js";
import { actorText, actionOf, actionText, changesText, reasonText } from "./audit.js";

const AUDIT_ACTIONS = ["customer.created", "customer.updated", "customer.suspended", "customer.activated", "customer.status_changed",
  "customer.deleted", "payment.received", "bill.created", "bill.updated", "bill.deleted", "package.created", "package.updated",
  "package.deleted", "operator.created", "operator.updated", "operator.suspended", "router.created", "router.updated", "router.deleted",
  "device.created", "device.updated", "device.deleted", "staff_user.created", "staff_user.updated", "staff_user.two_factor_enabled",
  "staff_user.two_factor_disabled", "staff_user.two_factor_reset", "staff_user.recovery_codes_renewed", "api_client.created",
  "api_client.updated", "api_client.credentials_rotated", "api_client.deleted", "webhook.created", "webhook.updated",
  "webhook.secret_rotated", "webhook.deleted", "access.denied"];

const EXPORT_MAX = 10000;

// Columns are [heading key, value of a row]; `cell` is keyed by heading key.
const routerLog = (path) => ({
  path,
  filters: (routers) => routers.length ? [h("div", {}, ...select(t("logs.router"), "router_id", [["", t("logs.all_routers")], ...routers.map((r) => [r.id, r.name])], { id: "log-router" }))] : [],
  columns: [
    ["logs.col_time", (e) => when(e.logged_at)], ["logs.col_router", (e) => e.router ?? `#${digits(e.router_id)}`], ["logs.col_topics", (e) => e.topics],
    ["logs.col_message", (e) => e.message], ["logs.col_source", (e) => word("logs.source_", e.source)],
  ],
});

const LOGS = {
  router: ["logs.tab_router", routerLog("/api/v1/logs/router")],
  "ppp-auth": ["logs.tab_ppp_auth", routerLog("/api/v1/logs/ppp-auth")],
  hotspot: ["logs.tab_hotspot", routerLog("/api/v1/logs/hotspot")],
  "device-access": ["logs.tab_device_access", {
    path: "/api/v1/monitoring/access-logs",
    filters: () => [h("div", {}, h("label", { class: "check" },
      h("input", { type: "checkbox", name: "failed_only", value: "true", id: "log-failed-only" }), " ", t("logs.failed_only")))],
    columns: [
      ["logs.col_time", (e) => when(e.at)], ["logs.col_device", (e) => `${word("logs.device_kind_", e.device_kind)} ${e.device_name ?? `#${digits(e.device_id)}`}`],
      ["logs.col_action", (e) => e.action], ["logs.col_outcome", (e) => word("status.", e.outcome)], ["logs.col_by", (e) => word("logs.actor_", e.actor)], ["logs.col_detail", (e) => e.detail ?? ""],
    ],
    cell: { "logs.col_outcome": (e) => badge(e.outcome) },
  }],
  "auto-suspension": ["logs.tab_auto_suspension", {
    path: "/api/v1/logs/auto-suspension",
    filters: () => [],
    columns: [
      ["logs.col_time", (e) => when(e.created_at)], ["logs.col_customer", (e) => e.customer_name ?? `#${digits(e.customer_id)}`],
      ["logs.col_bill", (e) => (e.bill_id ? `#${digits(e.bill_id)}` : "")], ["logs.col_reason", (e) => reasonText(e.reason)],
      ["logs.col_reactivated", (e) => when(e.reactivated_at)],
    ],
    cell: { "logs.col_customer": (e) => h("a", { href: `#/customers/${e.customer_id}` }, e.customer_name ?? `#${digits(e.customer_id)}`) },
  }],
  audit: ["logs.tab_audit", {
    path: "/api/v2/logs/audit",
    filters: () => [
      h("div", {}, ...select(t("logs.action"), "action", [["", t("logs.all_actions")], ...AUDIT_ACTIONS.map((a) => [a, actionText(a)])], { id: "log-audit-action" })),
      h("div", {}, ...field(t("logs.actor"), "actor", "text", { id: "log-audit-actor", maxlength: 100 })),
      h("div", {}, ...field(t("logs.customer_id"), "customer_id", "number", { id: "log-audit-customer", min: 1 })),
    ],
    columns: [
      ["logs.col_time", (e) => when(e.at)], ["logs.col_by", (e) => actorText(e)], ["logs.col_action", (e) => actionOf(e)],
      ["logs.col_customer", (e) => (e.customer_id ? `#${digits(e.customer_id)}` : "")], ["logs.col_reason", (e) => (e.reason ? reasonText(e.reason) : "")],
      ["audit.col_changes", (e) => changesText(e.changes, e.action).join("; ")], ["logs.col_source", (e) => e.source ?? ""],
    ],
    cell: {
      "logs.col_customer": (e) => (e.customer_id ? h("a", { href: `#/customers/${e.customer_id}` }, `#${digits(e.customer_id)}`) : ""),
      "audit.col_changes": (e) => changesText(e.changes, e.action).map((line) => h("div", {}, line)),
    },
  }],
};

async function logView(content, key) {
  const [, spec] = LOGS[key];
  const routers = can("network:read") ? await call("GET", "/api/v2/network/routers?per_page=100").then((r) => r.data).catch(() => []) : [];
  const status = h("p", { id: "log-export-status", role: "status", class: "muted" });
  const filter = h("form", { class: "card filters", id: "log-view-filter" }, ...spec.filters(routers),
    h("p", {}, h("button", { type: "submit" }, t("logs.show")), " ",
      h("button", { type: "button", id: "log-export", onclick: async () => {
        status.textContent = t("logs.exporting");
        await guarded(status, async () => {
          const { rows, more } = await allPages(spec.path, formBody(filter), EXPORT_MAX);
          downloadCsv(`ispbills-${key}-log-${localToday()}.csv`, spec.columns.map(([heading, value]) => [t(heading), value]), rows);
          status.textContent = more ? t("logs.exported_capped", { count: num(rows.length), max: num(EXPORT_MAX) })
            : t("logs.exported", { count: num(rows.length) });
        });
      } }, t("logs.export_csv"))));
  const out = h("div", { id: "log-out" });
  async function load(page = 1) {
    await guarded(out, async () => {
      const r = await call("GET", `${spec.path}?${new URLSearchParams({ ...formBody(filter), page, per_page: 50 })}`);
      const headings = spec.columns.map(([heading]) => t(heading));
      out.replaceChildren(table("log-entries", headings, r.data.map((e) => h("tr", {},
        spec.columns.map(([heading, value]) => h("td", heading === "logs.col_time" ? { class: "nowrap" } : {},
          spec.cell?.[heading] ? spec.cell[heading](e) : value(e))))), t("logs.nothing_logged")), pager(r.meta, load));
    });
  }
  filter.addEventListener("submit", (e) => { e.preventDefault(); load(); });
  content.replaceChildren(filter, status, out);
  await load();
}

export function logsView(content, tab) {
  const name = LOGS[tab] ? tab : "router";
  const inner = h("div", { id: "content-inner" });
  content.replaceChildren(h("h2", {}, t("logs.title")),
    h("nav", { class: "tabs", "aria-label": t("logs.tabs") }, Object.entries(LOGS).map(([key, [label]]) =>
      h("a", { href: `#/logs/${key}`, class: "tab", "aria-current": key === name ? "page" : "false" }, t(label))),
    h("a", { href: "#/integrations/request-log", class: "tab" }, t("logs.tab_api_requests"))),
    inner);
  return logView(inner, name);
}
