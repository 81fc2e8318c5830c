// Network: routers and OLTs with their last polled state, and the current
// Zabbix problems with the customers they affect (v2 API).

import { h, call, table, badge, when, guarded } from "./ui.js";

export async function networkView(content) {
  content.replaceChildren(h("p", {}, "Loading…"));
  await guarded(content, async () => {
    const [routers, olts, zabbix] = await Promise.all([
      call("GET", "/api/v2/network/routers?per_page=100"),
      call("GET", "/api/v2/network/olts?per_page=100"),
      call("GET", "/api/v2/monitoring/zabbix/problems").catch((err) => ({ error: err.message })),
    ]);
    const problems = zabbix.error
      ? h("p", { class: "muted", id: "zabbix-none" }, zabbix.error)
      : [zabbix.zabbix.stale ? h("p", { class: "form-error" }, `Zabbix data from ${when(zabbix.zabbix.fetched_at)}: ${zabbix.zabbix.error}`) : "",
        table("zabbix-problems", ["Severity", "Problem", "Hosts", "Since", "Customers affected", "Ack"],
          zabbix.data.map((p) => h("tr", { "data-event": p.eventid },
            h("td", {}, badge(p.severity_label)), h("td", {}, p.name), h("td", {}, p.hosts.map((x) => x.name || x.host).join(", ")),
            h("td", {}, when(p.since)), h("td", { class: "num" }, p.affected_customers), h("td", {}, p.acknowledged ? "yes" : "no"))),
          "No problems in Zabbix.")];
    content.replaceChildren(
      h("h2", {}, "Network"),
      h("h3", {}, "Routers"),
      table("routers", ["Name", "Address", "Status", "Since", "Model / version", "CPU", "Customers", "Last error"],
        routers.data.map((r) => h("tr", { "data-router": r.id },
          h("td", {}, r.name), h("td", {}, `${r.host}:${r.port}`), h("td", {}, badge(r.status)),
          h("td", {}, when(r.status_since)), h("td", {}, [r.board, r.version].filter(Boolean).join(" / ")),
          h("td", {}, r.cpu_load == null ? "" : `${r.cpu_load}%`), h("td", {}, r.customers ?? ""),
          h("td", {}, r.last_error ?? ""))), "No routers yet (add them with POST /api/v2/network/routers)."),
      h("h3", {}, "OLTs"),
      table("olts", ["Name", "Address", "Status", "Since", "Vendor / model", "ONUs", "Last error"],
        olts.data.map((o) => h("tr", { "data-olt": o.id },
          h("td", {}, o.name), h("td", {}, o.host), h("td", {}, badge(o.status)), h("td", {}, when(o.status_since)),
          h("td", {}, [o.vendor, o.model].filter(Boolean).join(" / ")),
          h("td", {}, o.onus ?? ""),
          h("td", {}, o.last_error ?? ""))), "No OLTs yet (add them with POST /api/v2/network/olts)."),
      h("h3", {}, "Zabbix problems"), problems);
  });
}
