// Operators (resellers): list with their fund balance, create, edit, add
// funds, suspend (v1 API).

import { h, call, clearErrors, field, formBody, table, money, badge, guarded, randomKey } from "./ui.js";
import { can } from "./session.js";
import { t } from "./i18n.js";

export async function operatorsView(content) {
  const holder = h("div");
  const list = h("div");
  const write = can("operators:write");
  const show = (form, path, method, numeric = []) => {
    let key = randomKey();
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      clearErrors(form);
      await guarded(form, async () => {
        await call(method, path, formBody(form, numeric), { "Idempotency-Key": key });
        key = randomKey();
        holder.replaceChildren();
        await load();
      });
    });
    holder.replaceChildren(form);
  };
  const edit = (o) => show(h("form", { class: "card", id: "operator-form" },
    h("h3", {}, o ? t("operators.edit_title", { name: o.name }) : t("operators.new")),
    ...field(t("operators.name"), "name", "text", { required: !o, value: o?.name ?? "" }),
    ...field(t("operators.email"), "email", "email", { value: o?.email ?? "" }),
    ...field(t("operators.phone"), "phone", "tel", { value: o?.phone ?? "" }),
    h("p", {}, h("button", { type: "submit" }, o ? t("operators.save_changes") : t("operators.create")))),
  o ? `/api/v1/operators/${o.id}` : "/api/v1/operators", o ? "PUT" : "POST");
  const fund = (o) => show(h("form", { class: "card", id: "fund-form" },
    h("h3", {}, t("operators.fund_title", { name: o.name, balance: money(o.balance) })),
    ...field(t("operators.amount_bdt"), "amount", "number", { min: "0.01", step: "0.01", required: true }),
    ...field(t("operators.note"), "note"),
    h("p", {}, h("button", { type: "submit" }, t("operators.add_funds")))), `/api/v1/operators/${o.id}/fund`, "POST", ["amount"]);
  async function load() {
    await guarded(list, async () => {
      const r = await call("GET", "/api/v1/operators?per_page=100");
      list.replaceChildren(table("operators", [t("operators.name"), t("operators.email"), t("operators.phone"), t("operators.funds"), t("operators.status"), ""],
        r.data.map((o) => h("tr", { "data-operator": o.id },
          h("td", {}, o.name), h("td", {}, o.email ?? ""), h("td", {}, o.phone ?? ""),
          h("td", { class: "num" }, money(o.balance)), h("td", {}, badge(o.status)),
          h("td", {}, write ? [
            h("button", { type: "button", onclick: () => fund(o) }, t("operators.add_funds")), " ",
            h("button", { type: "button", onclick: () => edit(o) }, t("operators.edit")), " ",
            o.status === "active" ? h("button", { type: "button", onclick: async () => {
              if (!confirm(t("operators.confirm_suspend", { name: o.name }))) return;
              await guarded(list, async () => { await call("POST", `/api/v1/operators/${o.id}/suspend`); await load(); });
            } }, t("operators.suspend")) : ""] : ""))), t("operators.none")));
    });
  }
  content.replaceChildren(h("div", { class: "title-row" }, h("h2", {}, t("operators.title")),
    write ? h("button", { type: "button", id: "new-operator", onclick: () => edit(null) }, t("operators.new")) : ""), holder, list);
  await load();
}
