// Packages: list, create, edit, delete (v2 API).

import { h, call, clearErrors, field, select, formBody, table, money, guarded } from "./ui.js";
import { can } from "./session.js";

const NUMERIC = ["price", "speed_down_kbps", "speed_up_kbps", "validity_days", "wholesale_price"];

function packageForm(p) {
  const v = (k) => p?.[k] ?? "";
  const form = h("form", { class: "card grid", id: "package-form" },
    h("h3", { class: "wide" }, p ? `Edit ${p.name}` : "New package"),
    h("div", {}, ...field("Name", "name", "text", { required: true, value: v("name") })),
    h("div", {}, ...field("Price (BDT)", "price", "number", { min: 0, step: "0.01", required: true, value: v("price") })),
    h("div", {}, ...field("Download (kbps)", "speed_down_kbps", "number", { min: 1, required: true, value: v("speed_down_kbps") })),
    h("div", {}, ...field("Upload (kbps)", "speed_up_kbps", "number", { min: 1, required: true, value: v("speed_up_kbps") })),
    h("div", {}, ...select("Billing cycle", "billing_cycle", [["monthly", "monthly"], ["days", "every N days"]])),
    h("div", {}, ...field("Validity (days)", "validity_days", "number", { min: 1, value: v("validity_days") })),
    h("div", {}, ...field("Router profile", "router_profile", "text", { value: v("router_profile") })),
    h("div", {}, ...field("Operator (wholesale) price", "wholesale_price", "number", { min: 0, step: "0.01", value: v("wholesale_price") })),
    h("p", { class: "wide" }, h("button", { type: "submit" }, p ? "Save changes" : "Create package")));
  if (p) form.querySelector("[name=billing_cycle]").value = p.billing_cycle;
  return form;
}

export async function packagesView(content) {
  const holder = h("div");
  const list = h("div");
  const write = can("packages:write");
  const open = (p) => {
    const form = packageForm(p);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      clearErrors(form);
      await guarded(form, async () => {
        const body = formBody(form, NUMERIC);
        await (p ? call("PUT", `/api/v2/packages/${p.id}`, body) : call("POST", "/api/v2/packages", body));
        holder.replaceChildren();
        await load();
      });
    });
    holder.replaceChildren(form);
  };
  async function load() {
    await guarded(list, async () => {
      const r = await call("GET", "/api/v2/packages?per_page=100");
      list.replaceChildren(table("packages", ["Name", "Price", "Speed (down/up kbps)", "Cycle", "Router profile", "Wholesale", ""],
        r.data.map((p) => h("tr", { "data-package": p.id },
          h("td", {}, p.name), h("td", {}, money(p.price, p.currency)),
          h("td", {}, `${p.speed_down_kbps ?? "—"} / ${p.speed_up_kbps ?? "—"}`),
          h("td", {}, p.billing_cycle === "days" ? `${p.validity_days} days` : "monthly"),
          h("td", {}, p.router_profile ?? ""), h("td", {}, p.wholesale_price == null ? "" : money(p.wholesale_price, p.currency)),
          h("td", {}, write ? [h("button", { type: "button", onclick: () => open(p) }, "Edit"), " ",
            h("button", { type: "button", onclick: async () => {
              if (!confirm(`Delete package ${p.name}?`)) return;
              await guarded(list, async () => { await call("DELETE", `/api/v2/packages/${p.id}`); await load(); });
            } }, "Delete")] : ""))), "No packages yet."));
    });
  }
  content.replaceChildren(h("div", { class: "title-row" }, h("h2", {}, "Packages"),
    write ? h("button", { type: "button", id: "new-package", onclick: () => open(null) }, "New package") : ""), holder, list);
  await load();
}
