// Logs (logs:read): the routers' logs (system, PPP logins, hotspot), the
// device access log (every login the appliance made to a router, OLT or
// radio) and the auto-suspension log, each with its filters, paged, and
// exported as CSV (every matching row, up to 10,000, in the ISP's local time).
// The API request log is under Integrations.

import { h, call, field, select, formBody, table, when, badge, pager, guarded, downloadCsv, localToday } from "./ui.js";
import { can } from "./session.js";

const EXPORT_MAX = 10000;

const routerLog = (path) => ({
  path,
  filters: (routers) => routers.length ? [h("div", {}, ...select("Router", "router_id", [["", "All routers"], ...routers.map((r) => [r.id, r.name])], { id: "log-router" }))] : [],
  columns: [
    ["Time", (e) => when(e.logged_at)], ["Router", (e) => e.router ?? `#${e.router_id}`], ["Topics", (e) => e.topics],
    ["Message", (e) => e.message], ["Source", (e) => e.source],
  ],
});

const LOGS = {
  router: ["Router log", routerLog("/api/v1/logs/router")],
  "ppp-auth": ["PPP logins", routerLog("/api/v1/logs/ppp-auth")],
  hotspot: ["Hotspot", routerLog("/api/v1/logs/hotspot")],
  "device-access": ["Device access", {
    path: "/api/v1/monitoring/access-logs",
    filters: () => [h("div", {}, h("label", { class: "check" },
      h("input", { type: "checkbox", name: "failed_only", value: "true", id: "log-failed-only" }), " Failed only"))],
    columns: [
      ["Time", (e) => when(e.at)], ["Device", (e) => `${e.device_kind} ${e.device_name ?? `#${e.device_id}`}`],
      ["Action", (e) => e.action], ["Outcome", (e) => e.outcome], ["By", (e) => e.actor], ["Detail", (e) => e.detail ?? ""],
    ],
    cell: { Outcome: (e) => badge(e.outcome) },
  }],
  "auto-suspension": ["Auto-suspension", {
    path: "/api/v1/logs/auto-suspension",
    filters: () => [],
    columns: [
      ["Time", (e) => when(e.created_at)], ["Customer", (e) => e.customer_name ?? `#${e.customer_id}`],
      ["Bill", (e) => (e.bill_id ? `#${e.bill_id}` : "")], ["Reason", (e) => e.reason],
      ["Reactivated", (e) => when(e.reactivated_at)],
    ],
    cell: { Customer: (e) => h("a", { href: `#/customers/${e.customer_id}` }, e.customer_name ?? `#${e.customer_id}`) },
  }],
};

// Every row the filter matches, page by page, at most EXPORT_MAX.
async function allRows(path, query) {
  const rows = [];
  for (let page = 1; rows.length < EXPORT_MAX; page += 1) {
    const r = await call("GET", `${path}?${new URLSearchParams({ ...query, page, per_page: 100 })}`);
    rows.push(...r.data);
    if (page >= (r.meta?.last_page ?? 1) || !r.data.length) break;
  }
  return rows.slice(0, EXPORT_MAX);
}

async function logView(content, key) {
  const [, spec] = LOGS[key];
  const routers = can("network:read") ? await call("GET", "/api/v2/network/routers?per_page=100").then((r) => r.data).catch(() => []) : [];
  const status = h("p", { id: "log-export-status", role: "status", class: "muted" });
  const filter = h("form", { class: "card filters", id: "log-view-filter" }, ...spec.filters(routers),
    h("p", {}, h("button", { type: "submit" }, "Show"), " ",
      h("button", { type: "button", id: "log-export", onclick: async () => {
        status.textContent = "Exporting…";
        await guarded(status, async () => {
          const rows = await allRows(spec.path, formBody(filter));
          downloadCsv(`ispbills-${key}-log-${localToday()}.csv`, spec.columns, rows);
          status.textContent = `${rows.length} rows exported${rows.length === EXPORT_MAX ? " (the newest 10,000; narrow the filter for more)" : ""}.`;
        });
      } }, "Export CSV")));
  const out = h("div", { id: "log-out" });
  async function load(page = 1) {
    await guarded(out, async () => {
      const r = await call("GET", `${spec.path}?${new URLSearchParams({ ...formBody(filter), page, per_page: 50 })}`);
      const headings = spec.columns.map(([heading]) => heading);
      out.replaceChildren(table("log-entries", headings, r.data.map((e) => h("tr", {},
        spec.columns.map(([heading, value]) => h("td", heading === "Time" ? { class: "nowrap" } : {},
          spec.cell?.[heading] ? spec.cell[heading](e) : value(e))))), "Nothing logged."), pager(r.meta, load));
    });
  }
  filter.addEventListener("submit", (e) => { e.preventDefault(); load(); });
  content.replaceChildren(filter, status, out);
  await load();
}

export function logsView(content, tab) {
  const name = LOGS[tab] ? tab : "router";
  const inner = h("div", { id: "content-inner" });
  content.replaceChildren(h("h2", {}, "Logs"),
    h("nav", { class: "tabs", "aria-label": "Logs" }, Object.entries(LOGS).map(([key, [label]]) =>
      h("a", { href: `#/logs/${key}`, class: "tab", "aria-current": key === name ? "page" : "false" }, label)),
    h("a", { href: "#/integrations/request-log", class: "tab" }, "API requests")),
    inner);
  return logView(inner, name);
}
