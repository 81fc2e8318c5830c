// Dashboard: customer counts, money figures, and two charts (collections per
// day over 30 days; customers by status), plus the network summary when the
// appliance watches any routers or OLTs.

import { h, call, money, guarded, when } from "./ui.js";
import { t, word, num, digits } from "./i18n.js";

const NS = "http://www.w3.org/2000/svg";
const s = (tag, attrs = {}, ...children) => {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
};

function stat(id, label, value) {
  return h("div", { class: "stat", id }, h("span", { class: "stat-label" }, label), h("strong", {}, value));
}

export function collectionsChart(c) {
  const W = 600, H = 200, pad = 28;
  const max = Math.max(...c.days.map((d) => d.amount), 1);
  const bw = (W - pad) / c.days.length;
  const svg = s("svg", { viewBox: `0 0 ${W} ${H + 20}`, role: "img", id: "collections-chart",
    "aria-label": t("dashboard.collections_label", { days: num(c.days.length), total: money(c.total, c.currency) }) });
  svg.append(s("line", { x1: pad, y1: H, x2: W, y2: H, class: "axis" }));
  svg.append(s("text", { x: 0, y: 12, class: "tick" }, num(max)));
  svg.append(s("text", { x: 0, y: H, class: "tick" }, num(0)));
  c.days.forEach((d, i) => {
    const bh = Math.round((d.amount / max) * (H - 16));
    svg.append(s("rect", { x: pad + i * bw + 1, y: H - bh, width: Math.max(bw - 2, 1), height: bh, class: "bar", "data-date": d.date, "data-amount": d.amount },
      s("title", {}, `${digits(d.date)}: ${money(d.amount, c.currency)}`)));
  });
  svg.append(s("text", { x: pad, y: H + 16, class: "tick" }, digits(c.days[0]?.date ?? "")));
  svg.append(s("text", { x: W, y: H + 16, class: "tick", "text-anchor": "end" }, digits(c.days.at(-1)?.date ?? "")));
  return svg;
}

export function statusChart(counts) {
  const rows = ["active", "suspended", "inactive", "expired"].map((k) => [k, counts[k] ?? 0]);
  const max = Math.max(...rows.map(([, n]) => n), 1);
  const W = 600, row = 30, label = 90;
  const svg = s("svg", { viewBox: `0 0 ${W} ${rows.length * row}`, role: "img", id: "status-chart",
    "aria-label": rows.map(([k, n]) => `${word("status.", k)} ${num(n)}`).join(", ") });
  rows.forEach(([k, n], i) => {
    const w = Math.round((n / max) * (W - label - 60));
    svg.append(s("text", { x: 0, y: i * row + 19, class: "tick" }, word("status.", k)));
    svg.append(s("rect", { x: label, y: i * row + 5, width: Math.max(w, n ? 2 : 0), height: row - 10, class: `bar ${k}`, "data-status": k, "data-count": n }));
    svg.append(s("text", { x: label + w + 6, y: i * row + 19, class: "tick" }, num(n)));
  });
  return svg;
}

export async function dashboardView(content) {
  content.replaceChildren(h("p", {}, t("ui.loading")));
  await guarded(content, async () => {
    const [d, c] = await Promise.all([
      call("GET", "/api/v1/dashboard"),
      call("GET", "/admin/api/dashboard/collections?days=30"),
    ]);
    const { customers: k, billing: b } = d.data;
    const noc = await call("GET", "/api/v1/noc/dashboard").catch(() => null);
    content.replaceChildren(
      h("h2", {}, t("dashboard.title")),
      h("div", { class: "stats" },
        stat("stat-total", t("dashboard.customers"), num(k.total)),
        stat("stat-active", t("dashboard.active"), num(k.active)),
        stat("stat-suspended", t("dashboard.suspended"), num(k.suspended)),
        stat("stat-new", t("dashboard.new_this_month"), num(k.new_this_month)),
        stat("stat-revenue", t("dashboard.revenue_this_month"), money(b.revenue_this_month, b.currency)),
        stat("stat-today", t("dashboard.collected_today"), money(b.collections_today, b.currency)),
        stat("stat-unpaid", t("dashboard.unpaid_bills"), money(b.unpaid_total, b.currency))),
      h("section", { class: "card" }, h("h3", {}, t("dashboard.collections_title", { total: money(c.total, c.currency) })), collectionsChart(c)),
      h("section", { class: "card" }, h("h3", {}, t("dashboard.by_status")), statusChart(k)),
      noc && noc.data.up + noc.data.down + noc.data.unknown > 0 ? h("section", { class: "card", id: "noc-summary" },
        h("h3", {}, t("dashboard.network")),
        h("p", {}, t("dashboard.devices", { total: num(noc.data.up + noc.data.down + noc.data.unknown),
          up: num(noc.data.up), down: num(noc.data.down), unknown: num(noc.data.unknown) }), " ",
          h("a", { href: "#/network" }, t("dashboard.routers_and_olts")))) : "",
      h("p", { class: "muted" }, t("dashboard.as_of", { time: when(d.data.generated_at) })));
  });
}
