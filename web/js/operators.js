// Operators (resellers): list with their fund balance, create, edit, add
// funds, suspend (v1 API), and each one's ledger (v2).

import { h, call, clearErrors, field, formBody, table, money, badge, guarded, randomKey, when, pager } from "./ui.js";
import { can } from "./session.js";
import { t, word, digits } from "./i18n.js";

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
  // The operator's ledger: funds in, renewals out, newest first.
  const ledger = (o, page = 1) => guarded(holder, async () => {
    const r = await call("GET", `/api/v2/operators/${o.id}/ledger?page=${page}&per_page=50`);
    holder.replaceChildren(h("section", { class: "card", id: "operator-ledger" },
      h("h3", {}, t("operators.ledger_title", { name: o.name, balance: money(o.balance) })),
      table("ledger", [t("operators.ledger_when"), t("operators.ledger_kind"), t("operators.ledger_in"), t("operators.ledger_out"),
        t("operators.note"), t("operators.ledger_customer")],
      r.data.map((e) => h("tr", { "data-entry": e.id }, h("td", { class: "nowrap" }, when(e.created_at)), h("td", {}, word("operators.kind_", e.kind)),
        h("td", { class: "num" }, e.direction === "in" ? money(e.amount) : ""), h("td", { class: "num" }, e.direction === "out" ? money(e.amount) : ""),
        h("td", {}, e.note ?? ""), h("td", {}, e.customer_id ? h("a", { href: `#/customers/${e.customer_id}` }, `#${digits(e.customer_id)}`) : ""))),
      t("operators.ledger_none")), pager(r.meta, (p) => ledger(o, p)),
      h("p", {}, h("button", { type: "button", onclick: () => holder.replaceChildren() }, t("operators.close")))));
  });
  async function load() {
    await guarded(list, async () => {
      const r = await call("GET", "/api/v1/operators?per_page=100");
      list.replaceChildren(table("operators", [t("operators.name"), t("operators.email"), t("operators.phone"), t("operators.funds"), t("operators.status"), ""],
        r.data.map((o) => h("tr", { "data-operator": o.id },
          h("td", {}, o.name), h("td", {}, o.email ?? ""), h("td", {}, o.phone ?? ""),
          h("td", { class: "num" }, money(o.balance)), h("td", {}, badge(o.status)),
          h("td", {}, h("button", { type: "button", class: "operator-ledger", onclick: () => ledger(o) }, t("operators.ledger")), " ", write ? [
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
