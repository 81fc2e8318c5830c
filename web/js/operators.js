// Operators (resellers): list with their fund balance, create, edit, add
// funds, suspend (v1 API).

import { h, call, clearErrors, field, formBody, table, money, badge, guarded, randomKey } from "./ui.js";
import { can } from "./session.js";

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
    h("h3", {}, o ? `Edit ${o.name}` : "New operator"),
    ...field("Name", "name", "text", { required: !o, value: o?.name ?? "" }),
    ...field("Email", "email", "email", { value: o?.email ?? "" }),
    ...field("Phone", "phone", "tel", { value: o?.phone ?? "" }),
    h("p", {}, h("button", { type: "submit" }, o ? "Save changes" : "Create operator"))),
  o ? `/api/v1/operators/${o.id}` : "/api/v1/operators", o ? "PUT" : "POST");
  const fund = (o) => show(h("form", { class: "card", id: "fund-form" },
    h("h3", {}, `Add funds to ${o.name} (balance ${money(o.balance)})`),
    ...field("Amount (BDT)", "amount", "number", { min: "0.01", step: "0.01", required: true }),
    ...field("Note", "note"),
    h("p", {}, h("button", { type: "submit" }, "Add funds"))), `/api/v1/operators/${o.id}/fund`, "POST", ["amount"]);
  async function load() {
    await guarded(list, async () => {
      const r = await call("GET", "/api/v1/operators?per_page=100");
      list.replaceChildren(table("operators", ["Name", "Email", "Phone", "Funds", "Status", ""],
        r.data.map((o) => h("tr", { "data-operator": o.id },
          h("td", {}, o.name), h("td", {}, o.email ?? ""), h("td", {}, o.phone ?? ""),
          h("td", { class: "num" }, money(o.balance)), h("td", {}, badge(o.status)),
          h("td", {}, write ? [
            h("button", { type: "button", onclick: () => fund(o) }, "Add funds"), " ",
            h("button", { type: "button", onclick: () => edit(o) }, "Edit"), " ",
            o.status === "active" ? h("button", { type: "button", onclick: async () => {
              if (!confirm(`Suspend ${o.name}? Their staff keep read access only.`)) return;
              await guarded(list, async () => { await call("POST", `/api/v1/operators/${o.id}/suspend`); await load(); });
            } }, "Suspend") : ""] : ""))), "No operators yet."));
    });
  }
  content.replaceChildren(h("div", { class: "title-row" }, h("h2", {}, "Operators"),
    write ? h("button", { type: "button", id: "new-operator", onclick: () => edit(null) }, "New operator") : ""), holder, list);
  await load();
}
