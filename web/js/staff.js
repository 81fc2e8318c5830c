// Staff (administrators only): the people who log in to the panel and the v1
// API — create, change role or operator, disable/enable, set a password
// (v2 API, scope staff:manage). Disabling ends the user's sessions and tokens
// at once; the last active administrator cannot be disabled or demoted.

import { h, call, clearErrors, field, select, formBody, table, badge, guarded } from "./ui.js";
import { user as currentUser } from "./session.js";
import { t, word, digits } from "./i18n.js";

// The roles a staff user can have: [API value, label key].
const ROLES = [["support", "staff.role_support"], ["operator_staff", "staff.role_operator_staff"], ["admin", "staff.role_admin"]];
const roleOptions = () => ROLES.map(([value, label]) => [value, t(label)]);

export async function staffView(content) {
  const holder = h("div");
  const notice = h("div", { id: "staff-notice", role: "status" });
  const list = h("div");
  let operators = [];
  await guarded(list, async () => {
    operators = (await call("GET", "/api/v1/operators?per_page=100")).data;
  });
  const operatorName = (id) => operators.find((o) => o.id === id)?.name ?? `#${digits(id)}`;
  const operatorSelect = (current) => {
    const [label, input] = select(t("staff.operator_label"), "operator_id",
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
    h("h3", {}, t("staff.new")),
    ...field(t("staff.name"), "name", "text", { required: true }),
    ...field(t("staff.email"), "email", "email", { required: true, autocomplete: "off" }),
    ...select(t("staff.role"), "role", roleOptions()),
    ...operatorSelect(null),
    ...field(t("staff.password"), "password", "password", { required: true, autocomplete: "new-password" }),
    h("p", {}, h("button", { type: "submit" }, t("staff.create")))),
  async (form) => {
    const r = await call("POST", "/api/v2/staff", bodyOf(form));
    return t("staff.created", { name: r.data.name, email: r.data.email, role: word("role.", r.data.role) });
  });
  const edit = (u) => {
    const form = h("form", { class: "card", id: "staff-edit-form" },
      h("h3", {}, t("staff.edit_title", { name: u.name })),
      ...field(t("staff.name"), "name", "text", { required: true, value: u.name }),
      ...select(t("staff.role"), "role", roleOptions()),
      ...operatorSelect(u.operator_id),
      h("p", {}, h("button", { type: "submit" }, t("staff.save_changes"))));
    form.querySelector("#role").value = u.role;
    show(form, async (f) => {
      const body = bodyOf(f);
      if (body.role === "operator_staff" && body.operator_id === undefined) body.operator_id = null;
      const r = await call("PUT", `/api/v2/staff/${u.id}`, body);
      return t("staff.updated", { name: r.data.name, role: word("role.", r.data.role) });
    });
  };
  const password = (u) => show(h("form", { class: "card", id: "password-form" },
    h("h3", {}, t("staff.password_title", { name: u.name })),
    h("p", { class: "muted" }, t("staff.password_note")),
    ...field(t("staff.password"), "password", "password", { required: true, autocomplete: "new-password" }),
    h("p", {}, h("button", { type: "submit" }, t("staff.set_password")))),
  async (form) => {
    await call("POST", `/api/v2/staff/${u.id}/password`, formBody(form));
    return t("staff.password_set", { name: u.name });
  });
  const setActive = async (u, active) => {
    if (!active && !confirm(t("staff.confirm_disable", { name: u.name }))) return;
    await guarded(notice, async () => {
      await call("PUT", `/api/v2/staff/${u.id}`, { active });
      notice.replaceChildren(h("p", { class: "ok" }, t(active ? "staff.enabled_notice" : "staff.disabled_notice", { name: u.name })));
    });
    await load();
  };
  async function load() {
    await guarded(list, async () => {
      const r = await call("GET", "/api/v2/staff?per_page=100");
      const me = currentUser()?.id;
      list.replaceChildren(table("staff", [t("staff.name"), t("staff.email"), t("staff.role"), t("staff.operator"), t("staff.status"), ""],
        r.data.map((u) => h("tr", { "data-staff": u.id, "data-email": u.email },
          h("td", {}, u.name, u.id === me ? h("span", { class: "muted" }, " ", t("staff.you")) : ""),
          h("td", {}, u.email), h("td", {}, word("role.", u.role)),
          h("td", {}, u.operator_id ? operatorName(u.operator_id) : ""),
          h("td", {}, badge(u.active ? "active" : "disabled")),
          h("td", {},
            h("button", { type: "button", onclick: () => edit(u) }, t("staff.edit")), " ",
            h("button", { type: "button", onclick: () => password(u) }, t("staff.set_password")), " ",
            u.active
              ? h("button", { type: "button", onclick: () => setActive(u, false) }, t("staff.disable"))
              : h("button", { type: "button", onclick: () => setActive(u, true) }, t("staff.enable"))))),
        t("staff.none")));
    });
  }
  content.replaceChildren(h("div", { class: "title-row" }, h("h2", {}, t("staff.title")),
    h("button", { type: "button", id: "new-staff", onclick: create }, t("staff.new"))), notice, holder, list);
  await load();
}
