// Staff (administrators only): the people who log in to the panel and the v1
// API — create, change role or operator, disable/enable, set a password
// (v2 API, scope staff:manage). Disabling ends the user's sessions and tokens
// at once; the last active administrator cannot be disabled or demoted.

import { h, call, clearErrors, field, select, formBody, table, badge, guarded } from "./ui.js";
import { user as currentUser } from "./session.js";

const ROLES = [["support", "Support (read, complaints)"], ["operator_staff", "Operator staff (works for one operator, a reseller)"], ["admin", "Administrator"]];

export async function staffView(content) {
  const holder = h("div");
  const notice = h("div", { id: "staff-notice", role: "status" });
  const list = h("div");
  let operators = [];
  await guarded(list, async () => {
    operators = (await call("GET", "/api/v1/operators?per_page=100")).data;
  });
  const operatorName = (id) => operators.find((o) => o.id === id)?.name ?? `#${id}`;
  const operatorSelect = (current) => {
    const [label, input] = select("Operator (for operator staff)", "operator_id",
      [["", "—"], ...operators.map((o) => [String(o.id), o.name])]);
    if (current) input.value = String(current);
    return [label, input];
  };
  // Sends the operator only with role operator_staff (the API refuses it otherwise).
  const bodyOf = (form) => {
    const body = formBody(form, ["operator_id"]);
    if (body.role !== "operator_staff") delete body.operator_id;
    return body;
  };
  const show = (form, send) => {
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      clearErrors(form);
      await guarded(form, async () => {
        const done = await send(form);
        holder.replaceChildren();
        notice.replaceChildren(h("p", { class: "ok" }, done));
        await load();
      });
    });
    notice.replaceChildren();
    holder.replaceChildren(form);
  };
  const create = () => show(h("form", { class: "card", id: "staff-form" },
    h("h3", {}, "New staff user"),
    ...field("Name", "name", "text", { required: true }),
    ...field("Email", "email", "email", { required: true, autocomplete: "off" }),
    ...select("Role", "role", ROLES),
    ...operatorSelect(null),
    ...field("Password (at least 10 characters)", "password", "password", { required: true, autocomplete: "new-password" }),
    h("p", {}, h("button", { type: "submit" }, "Create user"))),
  async (form) => {
    const r = await call("POST", "/api/v2/staff", bodyOf(form));
    return `${r.data.name} <${r.data.email}> can now log in as ${r.data.role}.`;
  });
  const edit = (u) => {
    const form = h("form", { class: "card", id: "staff-edit-form" },
      h("h3", {}, `Edit ${u.name}`),
      ...field("Name", "name", "text", { required: true, value: u.name }),
      ...select("Role", "role", ROLES),
      ...operatorSelect(u.operator_id),
      h("p", {}, h("button", { type: "submit" }, "Save changes")));
    form.querySelector("#role").value = u.role;
    show(form, async (f) => {
      const body = bodyOf(f);
      if (body.role === "operator_staff" && body.operator_id === undefined) body.operator_id = null;
      const r = await call("PUT", `/api/v2/staff/${u.id}`, body);
      return `${r.data.name} is now ${r.data.role}.`;
    });
  };
  const password = (u) => show(h("form", { class: "card", id: "password-form" },
    h("h3", {}, `New password for ${u.name}`),
    h("p", { class: "muted" }, "Their panel sessions and tokens end; they log in again with the new password."),
    ...field("Password (at least 10 characters)", "password", "password", { required: true, autocomplete: "new-password" }),
    h("p", {}, h("button", { type: "submit" }, "Set password"))),
  async (form) => {
    await call("POST", `/api/v2/staff/${u.id}/password`, formBody(form));
    return `The password of ${u.name} is set.`;
  });
  const setActive = async (u, active) => {
    if (!active && !confirm(`Disable ${u.name}? They are logged out at once and cannot log in.`)) return;
    await guarded(notice, async () => {
      await call("PUT", `/api/v2/staff/${u.id}`, { active });
      notice.replaceChildren(h("p", { class: "ok" }, `${u.name} is ${active ? "enabled" : "disabled"}.`));
    });
    await load();
  };
  async function load() {
    await guarded(list, async () => {
      const r = await call("GET", "/api/v2/staff?per_page=100");
      const me = currentUser()?.id;
      list.replaceChildren(table("staff", ["Name", "Email", "Role", "Operator", "Status", ""],
        r.data.map((u) => h("tr", { "data-staff": u.id, "data-email": u.email },
          h("td", {}, u.name, u.id === me ? h("span", { class: "muted" }, " (you)") : ""),
          h("td", {}, u.email), h("td", {}, u.role),
          h("td", {}, u.operator_id ? operatorName(u.operator_id) : ""),
          h("td", {}, badge(u.active ? "active" : "disabled")),
          h("td", {},
            h("button", { type: "button", onclick: () => edit(u) }, "Edit"), " ",
            h("button", { type: "button", onclick: () => password(u) }, "Set password"), " ",
            u.active
              ? h("button", { type: "button", onclick: () => setActive(u, false) }, "Disable")
              : h("button", { type: "button", onclick: () => setActive(u, true) }, "Enable")))),
        "No staff users."));
    });
  }
  content.replaceChildren(h("div", { class: "title-row" }, h("h2", {}, "Staff"),
    h("button", { type: "button", id: "new-staff", onclick: create }, "New staff user")), notice, holder, list);
  await load();
}
