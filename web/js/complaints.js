// Complaints: the list with filters (status, priority, assignee, customer),
// a new complaint for a customer found by name or phone, and on each row its
// status, priority and assignee changed in place (v2 API; customers:read to
// see, customers:write to change). The customer page lists a customer's own
// complaints with the same rows (complaintRows).

import { h, call, field, select, formBody, table, when, badge, pager, guarded, clearErrors } from "./ui.js";
import { can } from "./session.js";
import { t, word, digits } from "./i18n.js";

export const COMPLAINT_STATUSES = ["open", "in_progress", "resolved", "closed"];
export const PRIORITIES = ["low", "medium", "high", "urgent"];
const label = (s) => word("complaints.status_", s);
const priorityLabel = (p) => word("complaints.priority_", p);

// Staff who can be assigned: only an admin may list staff; others see ids.
async function staffList() {
  if (!can("staff:manage")) return [];
  return call("GET", "/api/v2/staff?per_page=100").then((r) => r.data.filter((u) => u.active)).catch(() => []);
}

// The table rows of `complaints`; with customers:write each row changes in place.
export function complaintRows(complaints, staff, names, reload) {
  const write = can("customers:write");
  const who = (id) => (id ? staff.find((u) => u.id === id)?.name ?? t("complaints.staff_id", { id: digits(id) }) : "");
  return complaints.map((c) => {
    const row = h("tr", { "data-complaint": c.id });
    const cells = [
      h("td", {}, `#${digits(c.id)}`),
      h("td", { class: "nowrap" }, when(c.created_at)),
      h("td", {}, h("a", { href: `#/customers/${c.customer_id}` }, names.get(c.customer_id) ?? `#${digits(c.customer_id)}`)),
      h("td", {}, h("strong", {}, c.subject), c.body ? h("div", { class: "muted" }, c.body) : ""),
      h("td", {}, badge(c.priority)),
      h("td", {}, badge(c.status), c.resolved_at ? h("div", { class: "muted nowrap" }, when(c.resolved_at)) : ""),
      h("td", {}, who(c.assigned_to)),
    ];
    if (write) {
      const status = h("select", { name: "status", "aria-label": t("complaints.aria_status", { id: digits(c.id) }) },
        COMPLAINT_STATUSES.map((s) => h("option", { value: s }, label(s))));
      status.value = c.status;
      const priority = h("select", { name: "priority", "aria-label": t("complaints.aria_priority", { id: digits(c.id) }) },
        PRIORITIES.map((p) => h("option", { value: p }, priorityLabel(p))));
      priority.value = c.priority;
      const assignee = staff.length ? h("select", { name: "assigned_to", "aria-label": t("complaints.aria_assignee", { id: digits(c.id) }) },
        h("option", { value: "" }, t("complaints.nobody")), staff.map((u) => h("option", { value: u.id }, u.name))) : null;
      if (assignee) assignee.value = String(c.assigned_to ?? "");
      const error = h("p", { class: "form-error", role: "alert", hidden: true });
      cells.push(h("td", { class: "actions" }, status, priority, assignee ?? "",
        h("button", { type: "button", class: "complaint-save", onclick: async () => {
          const body = {};
          if (status.value !== c.status) body.status = status.value;
          if (priority.value !== c.priority) body.priority = priority.value;
          if (assignee && assignee.value !== String(c.assigned_to ?? "")) body.assigned_to = assignee.value ? Number(assignee.value) : null;
          if (!Object.keys(body).length) return;
          try {
            await call("PUT", `/api/v2/complaints/${c.id}`, body);
            await reload();
          } catch (err) { error.hidden = false; error.textContent = err.message; }
        } }, t("complaints.save")), error));
    }
    row.append(...cells);
    return row;
  });
}

export const complaintHeadings = () => [t("complaints.col_no"), t("complaints.col_opened"), t("complaints.col_customer"),
  t("complaints.col_complaint"), t("complaints.col_priority"), t("complaints.col_status"), t("complaints.col_assigned_to"),
  ...(can("customers:write") ? [t("complaints.col_change")] : [])];

// Customers' names for the rows (one lookup per customer not yet known).
async function namesOf(ids, names) {
  await Promise.all([...new Set(ids)].filter((id) => !names.has(id)).map((id) =>
    call("GET", `/api/v2/customers/${id}`).then((r) => names.set(id, r.data.name)).catch(() => names.set(id, `#${digits(id)}`))));
}

function newComplaintForm(staff, done) {
  const results = h("select", { id: "complaint-customer", name: "customer_id", required: true },
    h("option", { value: "" }, t("complaints.find_first")));
  const form = h("form", { class: "card grid", id: "complaint-form" },
    h("h3", { class: "wide" }, t("complaints.new_title")),
    h("div", {}, h("label", { for: "complaint-find" }, t("complaints.find_label")),
      h("fieldset", { class: "input-row" }, h("input", { id: "complaint-find", type: "search", autocomplete: "off" }),
        h("button", { type: "button", id: "complaint-find-button", onclick: async () => {
          const q = form.querySelector("#complaint-find").value.trim();
          if (!q) return;
          await guarded(form, async () => {
            const r = await call("GET", `/api/v2/customers?${new URLSearchParams({ search: q, per_page: 20 })}`);
            results.replaceChildren(...(r.data.length
              ? r.data.map((c) => h("option", { value: c.id }, `${c.name} — ${c.phone} (#${digits(c.id)})`))
              : [h("option", { value: "" }, t("complaints.no_customer"))]));
          });
        } }, t("complaints.find")))),
    h("div", {}, h("label", { for: "complaint-customer" }, t("complaints.customer")), results),
    h("div", { class: "wide" }, ...field(t("complaints.subject"), "subject", "text", { id: "complaint-subject", required: true, maxlength: 200 })),
    h("div", { class: "wide" }, h("label", { for: "complaint-body" }, t("complaints.body")),
      h("textarea", { id: "complaint-body", name: "body", rows: 3 })),
    h("div", {}, ...select(t("complaints.priority"), "priority", PRIORITIES.map((p) => [p, priorityLabel(p)]), { id: "complaint-priority" })),
    staff.length ? h("div", {}, ...select(t("complaints.assign_to"), "assigned_to", [["", t("complaints.nobody")], ...staff.map((u) => [u.id, u.name])], { id: "complaint-assignee" })) : "",
    h("p", { class: "wide" }, h("button", { type: "submit" }, t("complaints.open_complaint"))));
  form.querySelector("#complaint-priority").value = "medium";
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    await guarded(form, async () => {
      await call("POST", "/api/v2/complaints", formBody(form, ["customer_id", "assigned_to"]));
      form.remove();
      await done();
    });
  });
  return form;
}

// Customers' names already looked up, kept while the panel is open.
const names = new Map();

export async function complaintsView(content) {
  const staff = await staffList();
  const filter = h("form", { class: "card filters", id: "complaint-filter" },
    h("div", {}, ...select(t("complaints.status"), "status", [["", t("complaints.all")], ...COMPLAINT_STATUSES.map((s) => [s, label(s)])], { id: "complaint-filter-status" })),
    h("div", {}, ...select(t("complaints.priority"), "priority", [["", t("complaints.all")], ...PRIORITIES.map((p) => [p, priorityLabel(p)])], { id: "complaint-filter-priority" })),
    staff.length ? h("div", {}, ...select(t("complaints.assigned_to"), "assigned_to", [["", t("complaints.anyone")], ...staff.map((u) => [u.id, u.name])], { id: "complaint-filter-assignee" })) : "",
    h("div", {}, ...field(t("complaints.customer_no"), "customer_id", "number", { id: "complaint-filter-customer", min: 1 })),
    h("p", {}, h("button", { type: "submit" }, t("complaints.show"))));
  const out = h("div", { id: "complaints-out" });
  const formHolder = h("div");
  let page = 1;
  async function load(p = page) {
    page = p;
    const q = new URLSearchParams({ ...formBody(filter), page, per_page: 25 });
    await guarded(out, async () => {
      const r = await call("GET", `/api/v2/complaints?${q}`);
      await namesOf(r.data.map((c) => c.customer_id), names);
      out.replaceChildren(table("complaints", complaintHeadings(), complaintRows(r.data, staff, names, () => load()), t("complaints.none_match")),
        pager(r.meta, load));
    });
  }
  filter.addEventListener("submit", (e) => { e.preventDefault(); load(1); });
  const newButton = can("customers:write") ? h("button", { type: "button", id: "new-complaint", onclick: () => {
    formHolder.replaceChildren(newComplaintForm(staff, () => load(1)));
    formHolder.querySelector("#complaint-find").focus();
  } }, t("complaints.new_complaint")) : "";
  content.replaceChildren(h("div", { class: "title-row" }, h("h2", {}, t("complaints.title")), newButton), formHolder, filter, out);
  await load(1);
}
