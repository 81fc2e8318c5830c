// Packages: list, create, edit, delete (v2 API).

import { h, call, clearErrors, field, select, formBody, table, money, guarded } from "./ui.js";
import { can } from "./session.js";
import { t, num, digits } from "./i18n.js";

const NUMERIC = ["price", "speed_down_kbps", "speed_up_kbps", "validity_days", "wholesale_price"];

function packageForm(p) {
  const v = (k) => p?.[k] ?? "";
  const form = h("form", { class: "card grid", id: "package-form" },
    h("h3", { class: "wide" }, p ? t("packages.edit_title", { name: p.name }) : t("packages.new")),
    h("div", {}, ...field(t("packages.name"), "name", "text", { required: true, value: v("name") })),
    h("div", {}, ...field(t("packages.price_bdt"), "price", "number", { min: 0, step: "0.01", required: true, value: v("price") })),
    h("div", {}, ...field(t("packages.download_kbps"), "speed_down_kbps", "number", { min: 1, required: true, value: v("speed_down_kbps") })),
    h("div", {}, ...field(t("packages.upload_kbps"), "speed_up_kbps", "number", { min: 1, required: true, value: v("speed_up_kbps") })),
    h("div", {}, ...select(t("packages.billing_cycle"), "billing_cycle", [["monthly", t("packages.cycle_monthly")], ["days", t("packages.cycle_days")]])),
    h("div", {}, ...field(t("packages.validity_days"), "validity_days", "number", { min: 1, value: v("validity_days") })),
    h("div", {}, ...field(t("packages.router_profile"), "router_profile", "text", { value: v("router_profile") })),
    h("div", {}, ...field(t("packages.wholesale_price"), "wholesale_price", "number", { min: 0, step: "0.01", value: v("wholesale_price") })),
    h("p", { class: "wide" }, h("button", { type: "submit" }, p ? t("packages.save_changes") : t("packages.create"))));
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
      list.replaceChildren(table("packages", [t("packages.name"), t("packages.col_price"), t("packages.col_speed"), t("packages.col_cycle"),
        t("packages.router_profile"), t("packages.col_wholesale"), ""],
        r.data.map((p) => h("tr", { "data-package": p.id },
          h("td", {}, p.name), h("td", {}, money(p.price, p.currency)),
          h("td", {}, `${p.speed_down_kbps == null ? "—" : digits(p.speed_down_kbps)} / ${p.speed_up_kbps == null ? "—" : digits(p.speed_up_kbps)}`),
          h("td", {}, p.billing_cycle === "days" ? t("packages.every_days", { days: num(p.validity_days) }) : t("packages.cycle_monthly")),
          h("td", {}, p.router_profile ?? ""), h("td", {}, p.wholesale_price == null ? "" : money(p.wholesale_price, p.currency)),
          h("td", {}, write ? [h("button", { type: "button", onclick: () => open(p) }, t("packages.edit")), " ",
            h("button", { type: "button", onclick: async () => {
              if (!confirm(t("packages.confirm_delete", { name: p.name }))) return;
              await guarded(list, async () => { await call("DELETE", `/api/v2/packages/${p.id}`); await load(); });
            } }, t("packages.delete"))] : ""))), t("packages.none")));
    });
  }
  content.replaceChildren(h("div", { class: "title-row" }, h("h2", {}, t("packages.title")),
    write ? h("button", { type: "button", id: "new-package", onclick: () => open(null) }, t("packages.new")) : ""), holder, list);
  await load();
}
